/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ANNOUNCE_H
#define _VIPFO_ANNOUNCE_H

#include <linux/in6.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <uapi/linux/vipfo.h>

#include "round.h"

struct vipfo_group;
struct vipfo_member;
struct vipfo_vip;

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
	spinlock_t lock;		/* protects the six fields below */
	struct vipfo_rounds cur;
	u64 upto;			/* cur's last VIP (seq); 0: not begun */
	struct vipfo_rounds next;	/* VIPs added after upto */
	u64 known;			/* the last VIP whose rounds were asked */
	bool restart;			/* a newer failover: start a fresh round */
	bool wake;			/* the work is due now: to be queued */
	struct vipfo_round round;	/* the work's own */
};

void vipfo_announce_init(struct vipfo_group *group);
void vipfo_announce_cancel(struct vipfo_group *group);
void vipfo_announce_start(struct vipfo_group *group, unsigned long members);
void vipfo_announce_wake(struct vipfo_group *group);
void vipfo_announce_added(struct vipfo_group *group, struct vipfo_vip *first);
void vipfo_announce_conflict(struct vipfo_member *member,
			     struct vipfo_vip *vip, const u8 *mac,
			     bool answered);

#endif /* _VIPFO_ANNOUNCE_H */
