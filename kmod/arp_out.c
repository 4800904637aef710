// SPDX-License-Identifier: GPL-2.0
/*
 * What vipfo sends: replies and gratuitous ARPs, each from a member with
 * its own MAC, through NF_ARP_OUT. A member's announcements are charged to
 * a socket of its own, so that the announcement work knows how many of
 * them the member's queues hold.
 */

#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/pkt_sched.h>
#include <net/arp.h>
#include <net/sock.h>

#include "arp_in.h"
#include "arp_out.h"
#include "group.h"

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
 * Return: 0 when it went out; -ENOBUFS when a full queue dropped it;
 * -EBUSY when a queue dropped it or an earlier frame of its flow; or
 * another negative errno.
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

/**
 * vipfo_arp_garps_queued() - A member's announcements not freed yet
 * @member: the member
 *
 * They may be in its qdisc, in its driver's ring, or on their way through
 * a veth peer's backlog and the bridge behind it.
 *
 * Context: Any context; @member held by RCU or RTNL.
 * Return: their number, estimated from the truesize of the last one.
 */
unsigned int vipfo_arp_garps_queued(const struct vipfo_member *member)
{
	unsigned int size = READ_ONCE(member->garp_truesize);

	return size ? DIV_ROUND_UP(sk_wmem_alloc_get(member->sk), size) : 0;
}

/**
 * vipfo_arp_member_init() - Give a new member the socket of its announcements
 * @member: the member
 * @net: the namespace of its device
 *
 * A kernel UDP socket that only counts the member's announcements in
 * flight: released at once, but held by the member, and by each frame
 * charged to it. Its code is the core's (sock_wfree() frees it with its
 * last frame), so frames may outlive the member and the module.
 *
 * Context: Process context; may sleep.
 * Return: 0, or a negative errno.
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

/**
 * vipfo_arp_member_uninit() - Drop a member's hold on its socket
 * @member: the member, being freed
 *
 * Context: After an RCU grace period (the member's RCU callback): nobody
 * charges frames to the socket any more.
 */
void vipfo_arp_member_uninit(struct vipfo_member *member)
{
	sock_put(member->sk);
}

/**
 * vipfo_arp_reply() - Answer an ARP request for a VIP from a member
 * @member: the member that answers, with its own MAC
 * @req: the request
 *
 * To the request's Ethernet source, in both headers, not to the sender MAC
 * it names: anyone can write another host's MAC there, but the switch
 * sends frames for the Ethernet source back where this request came from.
 * Counted as a reply, or as a transmit error.
 *
 * Context: RCU read-side critical section (the ARP hook, in softirq).
 */
void vipfo_arp_reply(struct vipfo_member *member,
		     const struct vipfo_arp_frame *req)
{
	enum vipfo_counter counter = VIPFO_REPLIES;

	if (member_xmit(member, ARPOP_REPLY, req->sip, req->tip, req->src,
			req->src, NULL))
		counter = VIPFO_TX_ERRORS;
	vipfo_stats_inc(member->stats, counter);
	vipfo_stats_inc(member->group->stats, counter);
}
