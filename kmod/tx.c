// SPDX-License-Identifier: GPL-2.0
/*
 * How a member's frames go out, for both families (arp_out.c,
 * ndisc_out.c): the drop codes a caller can act on, and the socket that
 * its announcements are charged to, so that the announcement work knows
 * how many of them the member's queues hold.
 */

#include <linux/netdevice.h>
#include <linux/pkt_sched.h>
#include <net/sock.h>

#include "group.h"
#include "tx.h"

/**
 * vipfo_tx_prepare() - Make a frame a member's
 * @member: the member that sends it
 * @skb: the frame, with its device set
 * @announcement: charge it to @member's socket until it is freed, and
 *                send it as network control (TC_PRIO_CONTROL: pfifo_fast's
 *                first band, sch_fq's unpaced internal flow)
 *
 * Context: Any context.
 */
void vipfo_tx_prepare(struct vipfo_member *member, struct sk_buff *skb,
		      bool announcement)
{
	if (!announcement)
		return;
	skb_set_owner_w(skb, member->sk);
	skb->priority = TC_PRIO_CONTROL;
	WRITE_ONCE(member->garp_truesize, skb->truesize);
}

/**
 * vipfo_tx_finish() - Send a frame, as a netfilter hook's okfn
 * @net: unused
 * @sk: unused
 * @skb: the frame
 *
 * Return: what dev_queue_xmit() returns.
 */
int vipfo_tx_finish(struct net *net, struct sock *sk, struct sk_buff *skb)
{
	return dev_queue_xmit(skb);
}

/**
 * vipfo_tx_errno() - Whether a frame went out
 * @ret: what dev_queue_xmit() (or a hook around it) returned
 *
 * net_xmit_errno() calls NET_XMIT_CN a success, but it means a queue
 * dropped this frame or an earlier one of its flow (fq_codel drops the
 * oldest frames of the fattest flow): the announcement work must know.
 *
 * Return: 0 when it went out; -ENOBUFS when a full queue dropped it;
 * -EBUSY for NET_XMIT_CN; or another negative errno.
 */
int vipfo_tx_errno(int ret)
{
	if (ret == NET_XMIT_CN)
		return -EBUSY;
	if (ret > 0)
		return net_xmit_errno(ret);
	return ret;
}

/**
 * vipfo_tx_queued() - A member's announcements not freed yet
 * @member: the member
 *
 * They may be in its qdisc, in its driver's ring, or on their way through
 * a veth peer's backlog and the bridge behind it.
 *
 * Context: Any context; @member held by RCU or RTNL.
 * Return: their number, estimated from the truesize of the last one.
 */
unsigned int vipfo_tx_queued(const struct vipfo_member *member)
{
	unsigned int size = READ_ONCE(member->garp_truesize);

	return size ? DIV_ROUND_UP(sk_wmem_alloc_get(member->sk), size) : 0;
}

/**
 * vipfo_tx_member_init() - Give a new member the socket of its announcements
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
int vipfo_tx_member_init(struct vipfo_member *member, struct net *net)
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
 * vipfo_tx_member_uninit() - Drop a member's hold on its socket
 * @member: the member, being freed
 *
 * Context: After an RCU grace period (the member's RCU callback): nobody
 * charges frames to the socket any more.
 */
void vipfo_tx_member_uninit(struct vipfo_member *member)
{
	sock_put(member->sk);
}
