/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_GROUP_H
#define _VIPFO_GROUP_H

#include <linux/if_macvlan.h>
#include <linux/if_vlan.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <net/sch_generic.h>
#include <uapi/linux/vipfo.h>

#include "announce.h"
#include "failover.h"
#include "ndisc_join.h"
#include "ratelimit.h"
#include "seen.h"
#include "stats.h"

struct vipfo_net;

#define VIPFO_GARP_COUNT_DEFAULT	3
#define VIPFO_GARP_INTERVAL_DEFAULT	200	/* ms */
#define VIPFO_CARRIER_POLL_DEFAULT	5	/* ms; or carrier_poll_min, if more */
#define VIPFO_UP_DELAY_DEFAULT		1000	/* ms */
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
	struct vipfo_hold hold;		/* failover.c: flap damping */
	struct sock *sk;		/* tx.c: owns the announcements */
	unsigned int garp_truesize;	/* tx.c: of the last announcement */
	struct rcu_head rcu;
};

/*
 * Set while a member is failed, held down included: the first path to see
 * a failure sets it, and it is cleared when the member is active again.
 */
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
	u32 up_delay;			/* ms, 0: no hold-down; READ_ONCE() */
	u32 reply_rate;			/* frames/s, 0: no limit; READ_ONCE() */
	struct vipfo_stats __percpu *stats;
	struct vipfo_announce announce;
	struct vipfo_seen seen;
	struct vipfo_claims claims;
	struct vipfo_ndisc_joins joins;	/* ndisc_join.c; RTNL */
	/* Written by every answered request: away from what is read. */
	struct vipfo_budget budget ____cacheline_aligned_in_smp;
	struct rcu_head rcu;
};

/*
 * The device a VLAN or a macvlan member sends through, or NULL. Its
 * carrier reaches the member only through linkwatch, late on a physical
 * NIC, so a member is judged by its lower devices too.
 */
static inline struct net_device *vipfo_lower_dev(const struct net_device *dev)
{
	if (is_vlan_dev(dev))
		return vlan_dev_real_dev(dev);
	if (netif_is_macvlan(dev))
		return macvlan_dev_real_dev(dev);
	return NULL;
}

#define VIPFO_LOWER_DEPTH	MAX_NEST_DEV

/*
 * The first device of a member's chain (itself, then its lower devices)
 * without carrier, or NULL when they all have it.
 */
static inline struct net_device *
vipfo_member_no_carrier(const struct vipfo_member *m)
{
	struct net_device *dev = m->dev;
	int depth = 0;

	for (; dev && depth < VIPFO_LOWER_DEPTH; dev = vipfo_lower_dev(dev)) {
		if (!netif_carrier_ok(dev))
			return dev;
		depth++;
	}
	return NULL;
}

/*
 * Answers and announces: up, with carrier, and able to send, along its
 * whole chain of devices. A carrier loss detaches a device's qdiscs
 * (linkwatch's dev_deactivate); when the carrier is back they stay
 * detached until linkwatch's work has run, which is queued at once but
 * needs RTNL, and every frame sent meanwhile is dropped without an error.
 * So a carrier alone does not make a member live: the recovery is
 * reported, and its announcements sent, once linkwatch has attached the
 * qdiscs again (all queues at once, so the first one tells).
 * Read from the devices themselves so that the packet path never trusts a
 * stale copy.
 */
static inline bool vipfo_member_live(const struct vipfo_member *m)
{
	struct net_device *dev = m->dev;
	int depth = 0;

	for (; dev && depth < VIPFO_LOWER_DEPTH; dev = vipfo_lower_dev(dev)) {
		if (!netif_running(dev) || !netif_carrier_ok(dev) ||
		    rcu_access_pointer(netdev_get_tx_queue(dev, 0)->qdisc) ==
		    &noop_qdisc)
			return false;
		depth++;
	}
	return true;
}

/*
 * Answers ARP and announces: live, and neither failed nor held down after
 * coming back (the failover policy clears VIPFO_MEMBER_FAILED).
 */
static inline bool vipfo_member_active(const struct vipfo_member *m)
{
	return !test_bit(VIPFO_MEMBER_FAILED, &m->flags) &&
	       vipfo_member_live(m);
}

static inline enum vipfo_dev_state
vipfo_member_state(const struct vipfo_member *m)
{
	if (!netif_running(m->dev))
		return VIPFO_DEV_STATE_DOWN;
	if (vipfo_member_no_carrier(m))
		return VIPFO_DEV_STATE_NO_CARRIER;
	if (test_bit(VIPFO_MEMBER_HELD, &m->flags))
		return VIPFO_DEV_STATE_HELD_DOWN;
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
void vipfo_member_unlink(struct vipfo_member *member);
void vipfo_member_free(struct vipfo_member *member);
void vipfo_member_remove(struct vipfo_member *member);
const char *vipfo_member_dev_unfit(const struct net_device *dev);
unsigned int vipfo_live_members(struct vipfo_group *group,
				unsigned long members,
				struct vipfo_member **live);

#endif /* _VIPFO_GROUP_H */
