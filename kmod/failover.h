/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_FAILOVER_H
#define _VIPFO_FAILOVER_H

#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <uapi/linux/vipfo.h>

struct vipfo_group;
struct vipfo_limit_val;
struct vipfo_member;
struct vipfo_net;
struct vipfo_vip;

/* A group's pending gratuitous ARP rounds. */
struct vipfo_announce {
	struct delayed_work work;
	spinlock_t lock;		/* protects the three fields below */
	unsigned int rounds_left;
	unsigned long members;		/* ids of the members to announce from */
	bool restart;			/* a newer failover: start a fresh round */
};

/*
 * Flap damping of a member: when it comes back it is held down (neither
 * answers nor announces) for up_delay, doubled for each flap in a row.
 */
struct vipfo_hold {
	struct timer_list timer;	/* ends the hold-down */
	spinlock_t lock;		/* orders arming against unlinking */
	bool gone;			/* unlinked: never armed again */
	u8 flaps;			/* failures in a row: the doubling */
	enum vipfo_detector back_by;	/* who saw it come back */
	unsigned long until;		/* jiffies: end of the hold-down */
	unsigned long active_since;	/* jiffies: it last became active */
};

/* Set while a member that came back is held down (VIPFO_MEMBER_FAILED too). */
#define VIPFO_MEMBER_HELD	1
/* A hold-down doubles at most this many times: 32 x up_delay. */
#define VIPFO_HOLD_MAX_SHIFT	5
/* Active for this many up_delays without a failure: no longer flapping. */
#define VIPFO_FLAP_STABLE	10

void vipfo_announce_init(struct vipfo_group *group);
void vipfo_announce_cancel(struct vipfo_group *group);

void vipfo_carrier_poll_init(struct vipfo_net *vn);
const struct vipfo_limit_val *
vipfo_carrier_poll_floor(const struct vipfo_net *vn);
void vipfo_carrier_poll_update(struct vipfo_net *vn);
void vipfo_carrier_poll_sync(struct vipfo_net *vn);
void vipfo_carrier_poll_stop(struct vipfo_net *vn);

void vipfo_failover_member_added(struct vipfo_member *member);
void vipfo_failover_member_unlinked(struct vipfo_member *member);
unsigned int vipfo_failover_held_ms(const struct vipfo_member *member);
void vipfo_failover_member_left(struct vipfo_member *member,
				enum vipfo_reason reason);
void vipfo_failover_conflict(struct vipfo_member *member,
			     struct vipfo_vip *vip, const u8 *mac);

int vipfo_failover_init(void);
void vipfo_failover_uninit(void);

#endif /* _VIPFO_FAILOVER_H */
