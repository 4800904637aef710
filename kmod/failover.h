/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_FAILOVER_H
#define _VIPFO_FAILOVER_H

#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <uapi/linux/vipfo.h>

struct vipfo_group;
struct vipfo_member;
struct vipfo_vip;

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

void vipfo_failover_member_added(struct vipfo_member *member);
void vipfo_failover_member_unlinked(struct vipfo_member *member);
unsigned int vipfo_failover_held_ms(const struct vipfo_member *member);
void vipfo_failover_member_left(struct vipfo_member *member,
				enum vipfo_reason reason);
void vipfo_failover_member_failed(struct vipfo_member *member,
				  enum vipfo_reason reason,
				  enum vipfo_detector detector, gfp_t gfp);
void vipfo_failover_vips_added(struct vipfo_group *group,
			       struct vipfo_vip *first);
void vipfo_failover_member_recovered(struct vipfo_member *member,
				     enum vipfo_detector detector, gfp_t gfp);

int vipfo_failover_init(void);
void vipfo_failover_uninit(void);

#endif /* _VIPFO_FAILOVER_H */
