/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NET_H
#define _VIPFO_NET_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/rtnetlink.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

/*
 * Everything vipfo knows about one network namespace.
 *
 * Writers hold RTNL: configuration comes from netlink handlers that take
 * it, and device events arrive with it held. The packet path and the
 * announcement work only read, under RCU.
 */
struct vipfo_net {
	struct net *net;
	struct list_head groups;	/* struct vipfo_group.net_node */
	struct list_head members;	/* struct vipfo_member.net_node */
	struct rhashtable vips;		/* struct vipfo_vip by address */
	unsigned int n_groups;		/* the ARP hook is there while > 0 */
	unsigned int n_vips;		/* of every group */
	u32 generation;			/* bumped on every change, for dumps */
	/* carrier.c: one carrier poll for every member of the namespace */
	struct hrtimer carrier_timer;
	spinlock_t carrier_lock;	/* the interval, and re-arming the timer */
	u32 carrier_poll;		/* ms, 0: not polling */
	struct delayed_work carrier_report;	/* what the poll caught */
};

extern unsigned int vipfo_net_id;

static inline struct vipfo_net *vipfo_net(const struct net *net)
{
	return net_generic(net, vipfo_net_id);
}

static inline void vipfo_net_changed(struct vipfo_net *vn)
{
	ASSERT_RTNL();
	/* Never 0: a dump's cb->seq of 0 means "not checked". */
	if (++vn->generation == 0)
		vn->generation = 1;
}

int vipfo_net_init(void);
bool vipfo_net_unloading(void);
void vipfo_net_destroy_groups(void);
void vipfo_net_uninit(void);

#endif /* _VIPFO_NET_H */
