/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_GROUP_H
#define _VIPFO_GROUP_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <net/sch_generic.h>
#include <uapi/linux/vipfo.h>

#include "arp.h"
#include "failover.h"
#include "stats.h"

struct vipfo_net;

#define VIPFO_GARP_COUNT_DEFAULT	3
#define VIPFO_GARP_INTERVAL_DEFAULT	200	/* ms */
#define VIPFO_CARRIER_POLL_DEFAULT	5	/* ms */
/*
 * Frames a second a group may send in answer to received ones. A Linux
 * peer asks for a VIP about once per reachable time (30 s, randomised
 * 15-45 s) while it talks to it, and every live member answers: 100,000 a
 * second is 6,250 requests a second even with 16 members, a request every
 * 30 s from each of 187,500 peers, and one second's burst lets that many
 * peers ask at the same moment (a switch reboot). A flood is held to
 * 100,000 minimum-size frames a second, under 70 Mbit/s on the wire:
 * bounded, and far from filling the adapters.
 */
#define VIPFO_REPLY_RATE_DEFAULT	100000
#define VIPFO_REPLY_RATE_MAX		10000000

/* A member adapter. Freed after an RCU grace period, which drops the
 * device reference: readers never see a member whose device is gone.
 */
struct vipfo_member {
	struct list_head group_node;	/* vipfo_group.members */
	struct list_head net_node;	/* vipfo_net.members */
	struct vipfo_group *group;
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	unsigned int id;		/* < VIPFO_MAX_MEMBERS, unique in group */
	unsigned long flags;		/* VIPFO_MEMBER_* bits */
	struct vipfo_stats __percpu *stats;
	struct sock *sk;		/* arp.c: owns the announcements */
	unsigned int garp_truesize;	/* arp.c: of the last announcement */
	struct rcu_head rcu;
};

/* Set while a member is failed; the first path to see a failure sets it. */
#define VIPFO_MEMBER_FAILED	0

struct vipfo_group {
	struct list_head net_node;	/* vipfo_net.groups */
	struct vipfo_net *vn;
	char name[VIPFO_GROUP_NAME_SIZE];
	struct list_head members;
	unsigned int n_members;		/* READ_ONCE() outside RTNL */
	unsigned long member_ids;	/* vipfo_member.id values in use */
	struct list_head vips;		/* struct vipfo_vip.group_node */
	unsigned int n_vips;		/* READ_ONCE() outside RTNL */
	u64 vip_seq;			/* of the newest VIP; READ_ONCE() */
	u32 garp_count;			/* READ_ONCE() outside RTNL */
	u32 garp_interval;		/* ms, READ_ONCE() outside RTNL */
	u32 carrier_poll;		/* ms, 0: off; READ_ONCE() outside RTNL */
	u32 reply_rate;			/* frames/s, 0: no limit; READ_ONCE() */
	struct vipfo_stats __percpu *stats;
	struct vipfo_announce announce;
	struct hrtimer carrier_timer;	/* failover.c: the carrier poll */
	struct delayed_work carrier_report;	/* and what it caught */
	struct vipfo_seen seen;
	/* Written by every answered request: away from what is read. */
	struct vipfo_budget budget ____cacheline_aligned_in_smp;
	struct rcu_head rcu;
};

/*
 * Answers and announces: up, with carrier, and able to send. A carrier
 * loss detaches the device's qdiscs (linkwatch's dev_deactivate); when the
 * carrier is back they stay detached until linkwatch's work has run, which
 * is queued at once but needs RTNL, and every frame sent meanwhile is
 * dropped without an error. So a carrier alone does not make a member
 * live: the recovery is reported, and its announcements sent, once
 * linkwatch has attached the qdiscs again (all queues at once, so the
 * first one tells).
 * Read from the device itself so that the packet path never trusts a stale
 * copy.
 */
static inline bool vipfo_member_live(const struct vipfo_member *m)
{
	return netif_running(m->dev) && netif_carrier_ok(m->dev) &&
	       rcu_access_pointer(netdev_get_tx_queue(m->dev, 0)->qdisc) !=
	       &noop_qdisc;
}

static inline enum vipfo_dev_state
vipfo_member_state(const struct vipfo_member *m)
{
	if (!netif_running(m->dev))
		return VIPFO_DEV_STATE_DOWN;
	if (!netif_carrier_ok(m->dev))
		return VIPFO_DEV_STATE_NO_CARRIER;
	return VIPFO_DEV_STATE_UP;
}

struct vipfo_group *vipfo_group_find(struct vipfo_net *vn, const char *name);
struct vipfo_group *vipfo_group_create(struct vipfo_net *vn, const char *name);
void vipfo_group_destroy(struct vipfo_group *group);
void vipfo_group_destroy_all(struct vipfo_net *vn);

struct vipfo_member *vipfo_member_find(struct vipfo_net *vn,
				       const struct net_device *dev);
struct vipfo_member *vipfo_member_find_rcu(struct vipfo_net *vn,
					   const struct net_device *dev);
struct vipfo_member *vipfo_member_add(struct vipfo_group *group,
				      struct net_device *dev);
void vipfo_member_remove(struct vipfo_member *member);
bool vipfo_member_dev_ok(const struct net_device *dev);

#endif /* _VIPFO_GROUP_H */
