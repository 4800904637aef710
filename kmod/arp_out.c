// SPDX-License-Identifier: GPL-2.0
/*
 * The ARP frames vipfo sends: replies and gratuitous ARPs, each from a
 * member with its own MAC, through NF_ARP_OUT (so arptables' rules apply),
 * then tx.c.
 */

#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <net/arp.h>

#include "arp_out.h"
#include "group.h"
#include "request.h"
#include "tx.h"

/* Like arp_xmit(), but reports whether the frame went out (tx.c). */
static int member_xmit(struct vipfo_member *member, int op, __be32 dest_ip,
		       __be32 src_ip, const u8 *dest_hw, const u8 *target_hw,
		       bool announcement)
{
	struct net_device *dev = member->dev;
	struct sk_buff *skb;

	skb = arp_create(op, ETH_P_ARP, dest_ip, dev, src_ip, dest_hw,
			 dev->dev_addr, target_hw);
	if (!skb)
		return -ENOMEM;
	vipfo_tx_prepare(member, skb, announcement);
	return vipfo_tx_errno(NF_HOOK(NFPROTO_ARP, NF_ARP_OUT, dev_net(dev),
				      NULL, skb, NULL, dev, vipfo_tx_finish));
}

/**
 * vipfo_arp_send_garp() - Send a gratuitous ARP for a VIP from a member
 * @member: the member
 * @vip: the IPv4 VIP
 *
 * In request form: the form every Linux peer accepts. The frame is
 * charged to the member's socket until it is freed. A frame that did not
 * go out is the caller's to count: it may retry.
 *
 * Context: RCU read-side critical section or RTNL held, in softirq or
 * process context. Does not sleep.
 * Return: as vipfo_tx_errno(): 0 when it went out; -ENOBUFS when a full
 * queue dropped it; -EBUSY when a queue dropped it or an earlier frame of
 * its flow; or another negative errno.
 */
int vipfo_arp_send_garp(struct vipfo_member *member, __be32 vip)
{
	int err;

	err = member_xmit(member, ARPOP_REQUEST, vip, vip, NULL, NULL, true);
	if (!err) {
		vipfo_stats_inc(member->stats, VIPFO_GARPS);
		vipfo_stats_inc(member->group->stats, VIPFO_GARPS);
	}
	return err;
}

/**
 * vipfo_arp_reply() - Answer an ARP request for a VIP from a member
 * @member: the member that answers, with its own MAC
 * @req: the request
 *
 * To the request's Ethernet source, in both headers, not to the sender MAC
 * it names: anyone can write another host's MAC there, but the switch
 * sends frames for the Ethernet source back where this request came from.
 *
 * Context: RCU read-side critical section (the ARP hook, in softirq).
 * Return: 0, or why it did not go out.
 */
int vipfo_arp_reply(struct vipfo_member *member,
		    const struct vipfo_request *req)
{
	return member_xmit(member, ARPOP_REPLY, req->sip, req->tip, req->src,
			   req->src, false);
}
