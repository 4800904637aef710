// SPDX-License-Identifier: GPL-2.0
/*
 * The ARP path. A request for a VIP that arrives on a member is consumed
 * here, before the kernel's own arp_process() could answer it too, and
 * every live member of the VIP's group answers with its own MAC, within
 * the group's reply budget; beyond it, the receiving member alone. The
 * gratuitous ARPs of a failover leave through the same transmit helper.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/jhash.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/pkt_sched.h>
#include <net/arp.h>
#include <net/sock.h>

#include "announce.h"
#include "arp.h"
#include "group.h"
#include "net.h"
#include "vip.h"

/* Sibling copies of one broadcast arrive within microseconds. */
#define SEEN_WINDOW	(HZ / 4)

static u32 arp_seed __read_mostly;

/* The fields of a received request or reply that matter here. */
struct arp_frame {
	const u8 *src;		/* Ethernet source */
	const u8 *sha;
	__be32 sip;
	__be32 tip;
	bool request;
};

static int xmit_finish(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return dev_queue_xmit(skb);
}

/*
 * Like arp_xmit(), through NF_ARP_OUT, but reports whether it went out:
 * -ENOBUFS when a full queue dropped it, -EBUSY when a queue dropped it or
 * an earlier frame of its flow (NET_XMIT_CN: fq_codel drops the oldest
 * frames of the fattest flow, and net_xmit_errno() would call that a
 * success). A frame sent for @member's socket is charged to it until it is
 * freed, and goes out as network control (TC_PRIO_CONTROL: pfifo_fast's
 * first band, sch_fq's unpaced internal flow).
 */
static int member_xmit(struct vipfo_member *member, int op, __be32 dest_ip,
		       __be32 src_ip, const u8 *dest_hw, const u8 *target_hw,
		       struct sock *sk)
{
	struct net_device *dev = member->dev;
	struct sk_buff *skb;
	int err;

	skb = arp_create(op, ETH_P_ARP, dest_ip, dev, src_ip, dest_hw,
			 dev->dev_addr, target_hw);
	if (!skb)
		return -ENOMEM;
	if (sk) {
		skb_set_owner_w(skb, sk);
		skb->priority = TC_PRIO_CONTROL;
		WRITE_ONCE(member->garp_truesize, skb->truesize);
	}
	err = NF_HOOK(NFPROTO_ARP, NF_ARP_OUT, dev_net(dev), NULL, skb, NULL,
		      dev, xmit_finish);
	if (err == NET_XMIT_CN)
		err = -EBUSY;
	else if (err > 0)
		err = net_xmit_errno(err);
	return err;
}

/* A gratuitous ARP in request form: the form every Linux peer accepts.
 * A frame that did not go out is the caller's to count: it may retry.
 */
int vipfo_arp_send_garp(struct vipfo_member *member, __be32 vip)
{
	int err;

	err = member_xmit(member, ARPOP_REQUEST, vip, vip, NULL, NULL,
			  member->sk);
	if (!err) {
		vipfo_stats_inc(member->stats, VIPFO_GARPS);
		vipfo_stats_inc(member->group->stats, VIPFO_GARPS);
	}
	return err;
}

/*
 * The announcements of @member not freed yet: in its qdisc, in its
 * driver's ring, or on their way through a veth peer's backlog and the
 * bridge behind it. Each one is charged to the member's socket.
 */
unsigned int vipfo_arp_garps_queued(const struct vipfo_member *member)
{
	unsigned int size = READ_ONCE(member->garp_truesize);

	return size ? DIV_ROUND_UP(sk_wmem_alloc_get(member->sk), size) : 0;
}

/*
 * A kernel UDP socket that only counts the member's announcements in
 * flight: released at once, but held by the member, and by each frame
 * charged to it. Its code is the core's (sock_wfree() frees it with its
 * last frame), so frames may outlive the member and the module.
 */
int vipfo_arp_member_init(struct vipfo_member *member, struct net *net)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(net, PF_INET, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		return err;
	member->sk = sock->sk;
	sock_hold(member->sk);
	sock_release(sock);
	return 0;
}

/* After a grace period: nobody charges frames to the socket any more. */
void vipfo_arp_member_uninit(struct vipfo_member *member)
{
	sock_put(member->sk);
}

/*
 * To the request's Ethernet source, in both headers, not to the sender MAC
 * it names: anyone can write another host's MAC there, but the switch
 * sends frames for the Ethernet source back where this request came from.
 */
static void arp_reply(struct vipfo_member *member,
		      const struct arp_frame *req)
{
	enum vipfo_counter counter = VIPFO_REPLIES;

	if (member_xmit(member, ARPOP_REPLY, req->sip, req->tip, req->src,
			req->src, NULL))
		counter = VIPFO_TX_ERRORS;
	vipfo_stats_inc(member->stats, counter);
	vipfo_stats_inc(member->group->stats, counter);
}

/* The most a group's budget holds, in 1/HZ of a frame: see below. */
static s64 budget_max(u32 rate)
{
	return (s64)max_t(u32, rate, VIPFO_MAX_MEMBERS) * HZ;
}

/*
 * Takes frames from the group's budget; false when it does not hold that
 * many (nothing is taken then). The credit counts 1/HZ of a frame, so a
 * jiffy adds exactly reply_rate and a frame costs HZ: no rounding, however
 * low the rate. The first CPU to see a new jiffy refills it, picked by a
 * cmpxchg on the stamp; every call then takes its frames with one
 * cmpxchg on the credit. No lock, and one atomic per request that is
 * answered: nothing next to the frames it pays for.
 *
 * Per-CPU budgets would avoid sharing the line between CPUs, but would
 * either split the limit (a flood arriving on one receive queue, or on a
 * veth, gets rate / CPUs) or multiply it by the number of CPUs; one shared
 * bucket enforces what the administrator set.
 */
bool vipfo_arp_budget(struct vipfo_group *group, unsigned int frames)
{
	struct vipfo_budget *b = &group->budget;
	u32 rate = READ_ONCE(group->reply_rate);
	long last = atomic_long_read(&b->stamp);
	unsigned long now = jiffies;
	s64 credit, cost, add, full, new;

	if (!rate || !frames)
		return true;
	credit = atomic64_read(&b->credit);
	if (now != (unsigned long)last &&
	    atomic_long_try_cmpxchg(&b->stamp, &last, now)) {
		/* Filling an empty budget takes 16 s at most (rate 1). */
		add = (s64)min_t(unsigned long, now - last,
				 VIPFO_MAX_MEMBERS * HZ) * rate;
		full = budget_max(rate);
		do {
			new = min(credit + add, full);
		} while (!atomic64_try_cmpxchg(&b->credit, &credit, new));
		credit = new;
	}
	cost = (s64)frames * HZ;
	do {
		if (credit < cost)
			return false;
	} while (!atomic64_try_cmpxchg(&b->credit, &credit, credit - cost));
	return true;
}

/* A full budget: for a new group, or a new rate. */
void vipfo_arp_budget_reset(struct vipfo_group *group)
{
	atomic_long_set(&group->budget.stamp, jiffies);
	atomic64_set(&group->budget.credit,
		     budget_max(READ_ONCE(group->reply_rate)));
}

/*
 * Beyond the budget: one reply, from the member the request arrived on,
 * or, while that one is not active (held down), from the first that is.
 */
static void arp_reply_from_one(struct vipfo_group *group,
			       struct vipfo_member *member,
			       const struct arp_frame *req)
{
	if (!vipfo_member_active(member)) {
		list_for_each_entry_rcu(member, &group->members, group_node)
			if (vipfo_member_active(member))
				break;
		if (list_entry_is_head(member, &group->members, group_node))
			return;
	}
	arp_reply(member, req);
}

/*
 * Every active member replies, or none when the group's budget cannot pay
 * for all of them: false then (the caller answers from one). A Linux
 * requester keeps the first reply, so the round starts at a member picked
 * by the requester's address: peers spread over the adapters instead of
 * all landing on the first one.
 */
static bool arp_reply_from_all(struct vipfo_group *group,
			       const struct arp_frame *req)
{
	struct vipfo_member *member;
	unsigned int live = 0, first, i, pass;

	list_for_each_entry_rcu(member, &group->members, group_node)
		live += vipfo_member_active(member);
	if (!live)
		return true;
	if (!vipfo_arp_budget(group, live))
		return false;
	first = reciprocal_scale(jhash_1word((__force u32)req->sip, arp_seed),
				 live);

	for (pass = 0; pass < 2; pass++) {
		i = 0;
		list_for_each_entry_rcu(member, &group->members, group_node) {
			if (!vipfo_member_active(member))
				continue;
			if ((i++ >= first) == !pass)
				arp_reply(member, req);
		}
	}
	return true;
}

/* True for the first copy of a frame, false for its sibling copies. */
static bool arp_first_copy(struct vipfo_group *group,
			   const struct vipfo_member *member,
			   const struct arp_frame *req)
{
	u32 words[4] = {
		(__force u32)req->sip, (__force u32)req->tip,
		get_unaligned((const u32 *)req->sha),
		get_unaligned((const u16 *)(req->sha + 4)) | req->request << 16,
	};
	u32 key = jhash2(words, ARRAY_SIZE(words), arp_seed) | 1;
	atomic64_t *slot = &group->seen.slot[key % VIPFO_SEEN_SLOTS];
	u16 now = (u16)jiffies;
	s64 old = atomic64_read(slot), new;
	bool first;

	do {
		first = (u32)((u64)old >> 32) != key ||
			(u16)(now - (u16)(old >> 16)) >= SEEN_WINDOW ||
			(old & BIT(member->id));
		if (first)
			new = (s64)((u64)key << 32 | (u64)now << 16 |
				    BIT(member->id));
		else
			new = old | BIT(member->id);
	} while (!atomic64_try_cmpxchg(slot, &old, new));
	return first;
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
			  const struct arp_frame *req)
{
	return req->sip != req->tip && is_valid_ether_addr(req->sha) &&
	       is_valid_ether_addr(req->src) &&
	       !ipv4_is_multicast(req->sip) && !ipv4_is_lbcast(req->sip) &&
	       !ipv4_is_loopback(req->sip) &&
	       !arp_from_member(group, req->sha) &&
	       !arp_from_member(group, req->src);
}

enum claim_sender {
	SENDER_OURS,		/* a device of the namespace */
	SENDER_OTHER,		/* another host */
	SENDER_UNCHECKED,	/* no member's; not checked further */
};

/* One more walk over the namespace's devices this second? */
static bool claim_walk_allowed(struct vipfo_claims *c)
{
	unsigned long now = jiffies;
	long start = atomic_long_read(&c->window);

	if (now - (unsigned long)start >= HZ &&
	    atomic_long_try_cmpxchg(&c->window, &start, now))
		atomic_set(&c->checks, 0);
	return atomic_inc_return(&c->checks) <= VIPFO_CLAIM_CHECKS;
}

/*
 * Whose is @mac, no member's, claiming @vip? Known for a second once
 * checked; checked only for a claim that would be answered (@vip not
 * answered within the last second, see vipfo_failover_conflict()) while
 * the group's walks of this second allow it. A slot holds a MAC (bits
 * 63-16), when it was checked (bits 15-1: jiffies, mod 2^15) and whether
 * it is ours (bit 0).
 */
static enum claim_sender claim_sender(struct vipfo_net *vn,
				      struct vipfo_group *group,
				      const struct vipfo_vip *vip,
				      const u8 *mac)
{
	u64 addr = ether_addr_to_u64(mac);
	atomic64_t *slot = &group->claims.slot[jhash_2words((u32)addr,
							    (u32)(addr >> 32),
							    arp_seed) %
					       VIPFO_CLAIM_SLOTS];
	u64 old = atomic64_read(slot);
	u16 now = (u16)jiffies & 0x7fff;
	bool ours;

	BUILD_BUG_ON(HZ >= 0x8000);
	if (old >> 16 == addr && ((now - ((u16)old >> 1)) & 0x7fff) < HZ)
		return old & 1 ? SENDER_OURS : SENDER_OTHER;
	if (time_before(jiffies, READ_ONCE(vip->defended) + HZ) ||
	    !claim_walk_allowed(&group->claims))
		return SENDER_UNCHECKED;
	ours = dev_getbyhwaddr_rcu(vn->net, ARPHRD_ETHER, (const char *)mac);
	atomic64_set(slot, addr << 16 | now << 1 | ours);
	return ours ? SENDER_OURS : SENDER_OTHER;
}

/*
 * The VIP of this group that another host claims with this frame, or
 * NULL: its sender IP is the VIP and its sender MAC belongs to no device
 * of ours, neither a member (our own gratuitous ARPs and requests, heard
 * on a sibling) nor any other device of the namespace (the host's own
 * requests through a non-member adapter on the same segment). That walk
 * over the namespace's devices is rate-limited (claim_sender()): a claim
 * whose MAC was not checked is counted, but *@checked is false and it is
 * neither answered nor reported.
 */
static struct vipfo_vip *arp_claimed_vip(struct vipfo_net *vn,
					 struct vipfo_group *group,
					 const struct arp_frame *req,
					 bool *checked)
{
	struct vipfo_vip *vip = vipfo_vip_lookup_v4(vn, req->sip);
	enum claim_sender sender;

	if (!vip || vip->group != group || !is_valid_ether_addr(req->sha) ||
	    arp_from_member(group, req->sha))
		return NULL;
	sender = claim_sender(vn, group, vip, req->sha);
	if (sender == SENDER_OURS)
		return NULL;
	*checked = sender == SENDER_OTHER;
	return vip;
}

/* An Ethernet/IPv4 request or reply. */
static bool arp_frame_parse(struct sk_buff *skb, const struct net_device *dev,
			    struct arp_frame *req)
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
	struct arp_frame req;
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
		first = arp_first_copy(group, member, &req);

	if (claimed) {
		vipfo_stats_inc(member->stats, VIPFO_CONFLICTS);
		if (first) {
			vipfo_stats_inc(group->stats, VIPFO_CONFLICTS);
			if (checked)
				vipfo_failover_conflict(member, claimed,
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

int vipfo_arp_hook_register(struct net *net)
{
	get_random_once(&arp_seed, sizeof(arp_seed));
	return nf_register_net_hook(net, &vipfo_arp_ops);
}

void vipfo_arp_hook_unregister(struct net *net)
{
	nf_unregister_net_hook(net, &vipfo_arp_ops);
}
