/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_FAILOVER_H
#define _VIPFO_FAILOVER_H

#include <linux/in6.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <uapi/linux/vipfo.h>

struct vipfo_group;
struct vipfo_limit_val;
struct vipfo_member;
struct vipfo_net;
struct vipfo_vip;

/* Our frames a member's queues may hold at once in a paced round. */
#define VIPFO_ROUND_QUEUED	8
/* VIPs a paced round copies at a time, under RCU. */
#define VIPFO_ROUND_CHUNK	32

struct vipfo_round_vip {
	struct in6_addr addr;
	u64 seq;			/* struct vipfo_vip.seq */
};

/*
 * Where a paced round is: a window of the group's VIP list, the last
 * VIPFO_ROUND_QUEUED sent ones kept in front of it to be sent again when a
 * queue may have dropped them, and how many frames each member may queue.
 * Only the work uses it (a work item never runs twice at once).
 */
struct vipfo_round {
	struct vipfo_round_vip vips[VIPFO_ROUND_QUEUED + VIPFO_ROUND_CHUNK];
	unsigned int first;		/* the oldest VIP still in vips[] */
	unsigned int next;		/* the next VIP to send */
	unsigned int end;		/* after the last VIP copied */
	u64 last_seq;			/* of the last VIP of the round */
	bool copied_all;
	u8 queued_max[VIPFO_MAX_MEMBERS];	/* by member id */
	unsigned long stuck;		/* member ids: queues that do not drain */
};

/* A group's pending gratuitous ARP rounds. */
struct vipfo_announce {
	struct delayed_work work;
	spinlock_t lock;		/* protects the three fields below */
	unsigned int rounds_left;
	unsigned long members;		/* ids of the members to announce from */
	bool restart;			/* a newer failover: start a fresh round */
	struct vipfo_round round;	/* the work's own */
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
	bool returned;			/* active again after a failure */
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
