/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ROUND_H
#define _VIPFO_ROUND_H

#include <linux/in6.h>
#include <uapi/linux/vipfo.h>

struct vipfo_group;
struct vipfo_member;

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
 * Only the announcement's work uses it (a work item never runs twice at
 * once).
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

bool vipfo_round_small(struct vipfo_group *group, unsigned long members,
		       const struct vipfo_round_vip *from);
void vipfo_round_now(struct vipfo_group *group, unsigned long members,
		     const struct vipfo_round_vip *from, u64 upto);
bool vipfo_round_paced(struct vipfo_group *group, struct vipfo_round *r,
		       unsigned long members,
		       const struct vipfo_round_vip *from, u64 upto);
void vipfo_round_send_vip(struct vipfo_member **live, unsigned int n,
			  unsigned int seq, const struct in6_addr *addr);

#endif /* _VIPFO_ROUND_H */
