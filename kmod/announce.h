/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ANNOUNCE_H
#define _VIPFO_ANNOUNCE_H

#include <linux/in6.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <uapi/linux/vipfo.h>

struct vipfo_group;
struct vipfo_member;
struct vipfo_vip;

/* Our frames a member's queues may hold at once in a paced round. */
#define VIPFO_ROUND_QUEUED	8
/* VIPs a paced round copies at a time, under RCU. */
#define VIPFO_ROUND_CHUNK	32

/*
 * A VIP as a round knows it. Also where rounds start in a group's VIP
 * list, which is in seq order: at the head (seq 0), or at the first of
 * the VIPs just added, found by its address (and seq, to tell it from one
 * deleted and added again since).
 */
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
	struct vipfo_round_vip from;	/* the round's first VIP */
	u64 last_seq;			/* of the last VIP of the round */
	bool copied_all;
	u8 queued_max[VIPFO_MAX_MEMBERS];	/* by member id */
	unsigned long stuck;		/* member ids: queues that do not drain */
};

/* Rounds still to come: how many, from which members, from which VIP. */
struct vipfo_rounds {
	unsigned int left;
	unsigned long members;		/* ids of the members to announce from */
	struct vipfo_round_vip from;	/* where the rounds start */
};

/*
 * A group's pending gratuitous ARP rounds. Those under way cover the VIPs
 * from their first to @upto, fixed when the first of them began: every
 * VIP for a failover, the VIPs whose rounds were asked for (@known) for
 * VIPs added, not those of an addition still going on; VIPs added after
 * it wait in @next for rounds of their own, so that each VIP is announced
 * garp_count times however its group was filled. A failover starts afresh
 * from the head, for every VIP, those waiting too.
 */
struct vipfo_announce {
	struct delayed_work work;
	spinlock_t lock;		/* protects the five fields below */
	struct vipfo_rounds cur;
	u64 upto;			/* cur's last VIP (seq); 0: not begun */
	struct vipfo_rounds next;	/* VIPs added after upto */
	u64 known;			/* the last VIP whose rounds were asked */
	bool restart;			/* a newer failover: start a fresh round */
	struct vipfo_round round;	/* the work's own */
};

void vipfo_announce_init(struct vipfo_group *group);
void vipfo_announce_cancel(struct vipfo_group *group);
bool vipfo_announce_at_once(struct vipfo_group *group, unsigned long members);
void vipfo_announce_start(struct vipfo_group *group, unsigned long members);
void vipfo_announce_added(struct vipfo_group *group, struct vipfo_vip *first);
unsigned int vipfo_live_members(struct vipfo_group *group,
				unsigned long members,
				struct vipfo_member **live);
void vipfo_announce_conflict(struct vipfo_member *member,
			     struct vipfo_vip *vip, const u8 *mac,
			     bool answered);

#endif /* _VIPFO_ANNOUNCE_H */
