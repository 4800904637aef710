// SPDX-License-Identifier: GPL-2.0
/*
 * The ARP path. A request for a VIP that arrives on a member is consumed
 * here, before the kernel's own arp_process() could answer it too, and
 * every live member of the VIP's group answers with its own MAC, within
 * the group's reply budget; beyond it, the receiving member alone. The
 * replies leave through arp_out.c, as do the gratuitous ARPs of a failover.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/jhash.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter_ipv4.h>

#include "announce.h"
#include "arp_in.h"
#include "arp_out.h"
#include "group.h"
#include "net.h"
#include "ratelimit.h"
#include "seen.h"
#include "vip.h"

u32 vipfo_arp_seed __read_mostly;

/*
 * Beyond the budget: one reply, from the member the request arrived on,
 * or, while that one is not active (held down), from the first that is.
 */
static void arp_reply_from_one(struct vipfo_group *group,
			       struct vipfo_member *member,
			       const struct vipfo_arp_frame *req)
{
	if (!vipfo_member_active(member)) {
		list_for_each_entry_rcu(member, &group->members, group_node)
			if (vipfo_member_active(member))
				break;
		if (list_entry_is_head(member, &group->members, group_node))
			return;
	}
	vipfo_arp_reply(member, req);
}

/*
 * Every active member replies, or none when the group's budget cannot pay
 * for all of them: false then (the caller answers from one). A Linux
 * requester keeps the first reply, so the round starts at a member picked
 * by the requester's address: peers spread over the adapters instead of
 * all landing on the first one.
 */
static bool arp_reply_from_all(struct vipfo_group *group,
			       const struct vipfo_arp_frame *req)
{
	struct vipfo_member *member;
	unsigned int live = 0, first, i, pass;

	list_for_each_entry_rcu(member, &group->members, group_node)
		live += vipfo_member_active(member);
	if (!live)
		return true;
	if (!vipfo_ratelimit_spend(group, live))
		return false;
	first = reciprocal_scale(jhash_1word((__force u32)req->sip,
					     vipfo_arp_seed), live);

	for (pass = 0; pass < 2; pass++) {
		i = 0;
		list_for_each_entry_rcu(member, &group->members, group_node) {
			if (!vipfo_member_active(member))
				continue;
			if ((i++ >= first) == !pass)
				vipfo_arp_reply(member, req);
		}
	}
	return true;
}

static bool arp_from_member(const struct vipfo_group *group, const u8 *mac)
{
	const struct vipfo_member *member;

	list_for_each_entry_rcu(member, &group->members, group_node)
		if (ether_addr_equal(member->dev->dev_addr, mac))
			return true;
	return false;
}

/*
 * Requests of a peer are answered. Gratuitous ARPs (ours heard on a
 * sibling, or another host's claim), frames from our own adapters (by
 * sender MAC or Ethernet source) and invalid senders (a multicast sender
 * MAC or Ethernet source, a multicast, broadcast or loopback IP:
 * the kernel's route check would call such a source martian) are consumed
 * without an answer or a count. A probe (sender IP 0.0.0.0, RFC 5227) is
 * a request like any other: the peer checks whether the VIP is free, and
 * our replies tell it that it is not, as the kernel's own reply to a probe
 * for a local address would.
 */
static bool arp_from_peer(const struct vipfo_group *group,
			  const struct vipfo_arp_frame *req)
{
	return req->sip != req->tip && is_valid_ether_addr(req->sha) &&
	       is_valid_ether_addr(req->src) &&
	       !ipv4_is_multicast(req->sip) && !ipv4_is_lbcast(req->sip) &&
	       !ipv4_is_loopback(req->sip) &&
	       !arp_from_member(group, req->sha) &&
	       !arp_from_member(group, req->src);
}

/*
 * The VIP of this group that another host claims with this frame, or
 * NULL: its sender IP is the VIP and its sender MAC belongs to no device
 * of ours, neither a member (our own gratuitous ARPs and requests, heard
 * on a sibling) nor any other device of the namespace (the host's own
 * requests through a non-member adapter on the same segment). That walk
 * over the namespace's devices is rate-limited (vipfo_claim_sender()): a claim
 * whose MAC was not checked is counted, but *@checked is false and it is
 * neither answered nor reported.
 */
static struct vipfo_vip *arp_claimed_vip(struct vipfo_net *vn,
					 struct vipfo_group *group,
					 const struct vipfo_arp_frame *req,
					 bool *checked)
{
	struct vipfo_vip *vip = vipfo_vip_lookup_v4(vn, req->sip);
	enum vipfo_claim_sender sender;

	if (!vip || vip->group != group || !is_valid_ether_addr(req->sha) ||
	    arp_from_member(group, req->sha))
		return NULL;
	sender = vipfo_claim_sender(vn, group, vip, req->sha);
	if (sender == VIPFO_SENDER_OURS)
		return NULL;
	*checked = sender == VIPFO_SENDER_OTHER;
	return vip;
}

/* An Ethernet/IPv4 request or reply. */
static bool arp_frame_parse(struct sk_buff *skb, const struct net_device *dev,
			    struct vipfo_arp_frame *req)
{
	const struct arphdr *arp;
	const u8 *p;

	if (dev->type != ARPHRD_ETHER || !skb_mac_header_was_set(skb) ||
	    !pskb_may_pull(skb, arp_hdr_len(dev)))
		return false;
	arp = arp_hdr(skb);
	if ((arp->ar_op != htons(ARPOP_REQUEST) &&
	     arp->ar_op != htons(ARPOP_REPLY)) ||
	    arp->ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4)
		return false;

	req->request = arp->ar_op == htons(ARPOP_REQUEST);
	req->src = eth_hdr(skb)->h_source;
	p = (const u8 *)(arp + 1);
	req->sha = p;
	p += ETH_ALEN;
	memcpy(&req->sip, p, sizeof(req->sip));
	p += sizeof(req->sip) + ETH_ALEN;
	memcpy(&req->tip, p, sizeof(req->tip));
	return true;
}

/*
 * NF_ARP_IN: runs in softirq under rcu_read_lock(), takes no lock. Every
 * request or reply arriving on a member is checked for a claim on one of
 * the group's VIPs; requests for a VIP are answered and consumed. A member
 * counts every copy it receives, the group each frame once.
 */
static unsigned int vipfo_arp_in(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	struct vipfo_net *vn = vipfo_net(state->net);
	struct vipfo_vip *vip = NULL, *claimed;
	struct vipfo_member *member;
	struct vipfo_group *group;
	struct vipfo_arp_frame req;
	bool peer, first = false, checked = false;

	member = vipfo_member_find_rcu(vn, state->in);
	if (!member || !arp_frame_parse(skb, state->in, &req))
		return NF_ACCEPT;
	group = member->group;
	claimed = arp_claimed_vip(vn, group, &req, &checked);
	if (req.request) {
		vip = vipfo_vip_lookup_v4(vn, req.tip);
		if (vip && vip->group != group)
			vip = NULL;
	}
	if (!claimed && !vip)
		return NF_ACCEPT;

	/* One look at the cache per frame: it remembers the member. */
	peer = vip && arp_from_peer(group, &req);
	if (claimed || peer)
		first = vipfo_arp_first_copy(group, member, &req);

	if (claimed) {
		vipfo_stats_inc(member->stats, VIPFO_CONFLICTS);
		if (first) {
			vipfo_stats_inc(group->stats, VIPFO_CONFLICTS);
			if (checked)
				vipfo_announce_conflict(member, claimed,
							req.sha);
		}
	}
	/* Not for a VIP: the kernel's to handle, as without vipfo. */
	if (!vip)
		return NF_ACCEPT;

	if (peer) {
		vipfo_stats_inc(member->stats, VIPFO_REQUESTS);
		if (first) {
			vipfo_stats_inc(group->stats, VIPFO_REQUESTS);
			/*
			 * Beyond the budget, one reply per request, as the
			 * kernel would give: no amplification, and no peer
			 * left without an answer by another's flood.
			 */
			if (!arp_reply_from_all(group, &req)) {
				arp_reply_from_one(group, member, &req);
				vipfo_stats_inc(member->stats,
						VIPFO_RATE_LIMITED);
				vipfo_stats_inc(group->stats,
						VIPFO_RATE_LIMITED);
			}
		}
	}

	consume_skb(skb);
	return NF_STOLEN;
}

/* After arptables' filter, so an administrator's rules still apply. */
static const struct nf_hook_ops vipfo_arp_ops = {
	.hook = vipfo_arp_in,
	.pf = NFPROTO_ARP,
	.hooknum = NF_ARP_IN,
	.priority = NF_IP_PRI_FILTER + 1,
};

/**
 * vipfo_arp_hook_register() - Register the ARP hook in a namespace
 * @net: the namespace, which is getting its first group
 *
 * Context: RTNL held; may sleep.
 * Return: 0, or a negative errno.
 */
int vipfo_arp_hook_register(struct net *net)
{
	get_random_once(&vipfo_arp_seed, sizeof(vipfo_arp_seed));
	return nf_register_net_hook(net, &vipfo_arp_ops);
}

/**
 * vipfo_arp_hook_unregister() - Unregister a namespace's ARP hook
 * @net: the namespace, whose last group is going
 *
 * Does not wait for the hook's readers: a softirq may still be in the hook
 * until an RCU grace period has passed.
 *
 * Context: RTNL held; may sleep.
 */
void vipfo_arp_hook_unregister(struct net *net)
{
	nf_unregister_net_hook(net, &vipfo_arp_ops);
}
