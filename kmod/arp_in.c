// SPDX-License-Identifier: GPL-2.0
/*
 * The ARP path. A request for a VIP that arrives on a member is consumed
 * here, before the kernel's own arp_process() could answer it too, and
 * answered by every live member of the VIP's group (answer.c). Every
 * request or reply is also checked for another host's claim on a VIP.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter_ipv4.h>

#include "answer.h"
#include "arp_in.h"
#include "group.h"
#include "net.h"
#include "request.h"
#include "seen.h"
#include "vip.h"

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
			  const struct vipfo_request *req)
{
	return req->sip != req->tip && is_valid_ether_addr(req->sha) &&
	       is_valid_ether_addr(req->src) &&
	       !ipv4_is_multicast(req->sip) && !ipv4_is_lbcast(req->sip) &&
	       !ipv4_is_loopback(req->sip) &&
	       !vipfo_from_member(group, req->sha) &&
	       !vipfo_from_member(group, req->src);
}

/* An Ethernet/IPv4 request or reply. */
static bool arp_frame_parse(struct sk_buff *skb, const struct net_device *dev,
			    struct vipfo_request *req)
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

	req->family = AF_INET;
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
	struct vipfo_request req;
	bool peer, first = false, checked = false;

	member = vipfo_member_find_rcu(vn, state->in);
	if (!member || !arp_frame_parse(skb, state->in, &req))
		return NF_ACCEPT;
	group = member->group;
	claimed = vipfo_claimed(group, vipfo_vip_lookup_v4(vn, req.sip),
				req.sha, &checked);
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
		first = vipfo_first_copy(group, member, &req);
	if (claimed)
		vipfo_claim_seen(member, claimed, req.sha, first, checked,
				 false);
	/* Not for a VIP: the kernel's to handle, as without vipfo. */
	if (!vip)
		return NF_ACCEPT;
	if (peer)
		vipfo_answer(member, &req, first);

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
	get_random_once(&vipfo_request_seed, sizeof(vipfo_request_seed));
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
