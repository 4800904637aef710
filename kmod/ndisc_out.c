// SPDX-License-Identifier: GPL-2.0
/*
 * The neighbour advertisements vipfo sends (RFC 4861): answers to
 * solicitations for a VIPv6 and the unsolicited ones of a failover, each
 * from a member with its own MAC in the target link-layer address option,
 * then through tx.c.
 *
 * Their source address is the VIP itself, as Linux uses for its own
 * addresses, not the member's link-local one, as proxy NDP does: the VIP
 * is there for as long as vipfo answers for it, a member needs no IPv6
 * address of its own (addr_gen_mode none, or a link-local still in DAD),
 * and a peer checks only that the source is not multicast. The frame is
 * built here and handed to the device without a route, so it does not
 * pass ip6tables' output hooks, whose matches may expect one; ARP's
 * frames pass arptables' (arp_out.c).
 */

#include <linux/etherdevice.h>
#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <net/addrconf.h>
#include <net/ip6_checksum.h>
#include <net/ndisc.h>

#include "group.h"
#include "ndisc_out.h"
#include "request.h"
#include "tx.h"

/* The target link-layer address option of an Ethernet member: 8 bytes. */
#define TLLA_LEN	(2 + ETH_ALEN)
#define NA_LEN		(sizeof(struct nd_msg) + TLLA_LEN)

/*
 * A neighbour advertisement for @target from @member's device, Override
 * set, to @daddr at Ethernet @dest_hw.
 */
static struct sk_buff *na_create(struct net_device *dev,
				 const struct in6_addr *target,
				 const struct in6_addr *daddr,
				 const u8 *dest_hw, bool solicited)
{
	struct ipv6hdr *ip6h;
	struct nd_msg *msg;
	struct sk_buff *skb;
	u8 *opt;

	skb = alloc_skb(LL_RESERVED_SPACE(dev) + sizeof(*ip6h) + NA_LEN +
			dev->needed_tailroom, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_reset_network_header(skb);
	ip6h = skb_put(skb, sizeof(*ip6h));
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(NA_LEN);
	ip6h->nexthdr = IPPROTO_ICMPV6;
	ip6h->hop_limit = 255;
	ip6h->saddr = *target;
	ip6h->daddr = *daddr;

	skb_set_transport_header(skb, skb->len);
	msg = skb_put_zero(skb, NA_LEN);
	msg->icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	msg->icmph.icmp6_solicited = solicited;
	msg->icmph.icmp6_override = 1;
	msg->target = *target;
	opt = msg->opt;
	opt[0] = ND_OPT_TARGET_LL_ADDR;
	opt[1] = TLLA_LEN >> 3;
	ether_addr_copy(opt + 2, dev->dev_addr);
	msg->icmph.icmp6_cksum = csum_ipv6_magic(target, daddr, NA_LEN,
						 IPPROTO_ICMPV6,
						 csum_partial(msg, NA_LEN, 0));

	skb->dev = dev;
	skb->protocol = htons(ETH_P_IPV6);
	if (dev_hard_header(skb, dev, ETH_P_IPV6, dest_hw, dev->dev_addr,
			    skb->len) < 0) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

static int member_xmit(struct vipfo_member *member,
		       const struct in6_addr *target,
		       const struct in6_addr *daddr, const u8 *dest_hw,
		       bool solicited, bool announcement)
{
	struct sk_buff *skb;

	skb = na_create(member->dev, target, daddr, dest_hw, solicited);
	if (!skb)
		return -ENOMEM;
	vipfo_tx_prepare(member, skb, announcement);
	return vipfo_tx_errno(dev_queue_xmit(skb));
}

/* To all nodes: ff02::1, at 33:33:00:00:00:01. */
static int xmit_to_all_nodes(struct vipfo_member *member,
			     const struct in6_addr *target, bool announcement)
{
	u8 dest_hw[ETH_ALEN];

	ipv6_eth_mc_map(&in6addr_linklocal_allnodes, dest_hw);
	return member_xmit(member, target, &in6addr_linklocal_allnodes,
			   dest_hw, false, announcement);
}

/**
 * vipfo_ndisc_send_unsol_na() - Announce a VIPv6 from a member
 * @member: the member
 * @vip: the IPv6 VIP
 *
 * An unsolicited neighbour advertisement to all nodes, Override set, so
 * that a peer's existing entry for the VIP moves to the member's MAC
 * (RFC 4861 7.2.6). Charged to the member's socket until it is freed; a
 * frame that did not go out is the caller's to count: it may retry.
 *
 * Context: RCU read-side critical section or RTNL held, in softirq or
 * process context. Does not sleep.
 * Return: as vipfo_tx_errno().
 */
int vipfo_ndisc_send_unsol_na(struct vipfo_member *member,
			      const struct in6_addr *vip)
{
	int err;

	err = xmit_to_all_nodes(member, vip, true);
	if (!err) {
		vipfo_stats_inc(member->stats, VIPFO_NAS);
		vipfo_stats_inc(member->group->stats, VIPFO_NAS);
	}
	return err;
}

/**
 * vipfo_ndisc_reply() - Answer a neighbour solicitation for a VIPv6
 * @member: the member that answers, with its own MAC
 * @req: the solicitation
 *
 * Solicited and Override set, to the solicitor's address, at the
 * solicitation's Ethernet source (as arp_out.c answers, for the same
 * reason). A DAD probe (source ::) is answered as RFC 4861 7.2.4 says:
 * to all nodes, Solicited clear, so the prober sees the VIP is taken.
 *
 * Context: RCU read-side critical section (the IPv6 hook, in softirq).
 * Return: 0, or why it did not go out.
 */
int vipfo_ndisc_reply(struct vipfo_member *member,
		      const struct vipfo_request *req)
{
	if (ipv6_addr_any(&req->saddr))
		return xmit_to_all_nodes(member, &req->target, false);
	return member_xmit(member, &req->target, &req->saddr, req->src, true,
			   false);
}
