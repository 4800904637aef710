/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_LIMITS_H
#define _VIPFO_LIMITS_H

#include <linux/list.h>
#include <net/netlink.h>

/*
 * What one network namespace may hold, set by the initial namespace's
 * admin through module parameters (/sys/module/vipfo/parameters/, root
 * only): root of any user namespace configures its own network namespace.
 */

/* A limit's value and the refusal that names it, never changed. */
struct vipfo_limit_val {
	struct list_head node;		/* vipfo_limit.vals */
	unsigned int value;
	char msg[];			/* the extack message */
};

struct vipfo_limit {
	const char *name;		/* the module parameter */
	const char *what;		/* what a refused request exceeds */
	const char *unit;
	unsigned int def, max;
	struct vipfo_limit_val *cur;	/* smp_load_acquire() */
	struct list_head vals;		/* every value it had, freed at unload */
};

extern struct vipfo_limit vipfo_max_groups;
extern struct vipfo_limit vipfo_max_vips;
extern struct vipfo_limit vipfo_carrier_poll_min;

/* The value now, with its message: both from one read. */
static inline const struct vipfo_limit_val *
vipfo_limit(struct vipfo_limit *limit)
{
	/* Pairs with limit_publish(): the message is complete. */
	return smp_load_acquire(&limit->cur);
}

void vipfo_limit_refuse(struct netlink_ext_ack *extack,
			const struct nlattr *attr,
			const struct vipfo_limit_val *val);

int vipfo_limits_init(void);

#endif /* _VIPFO_LIMITS_H */
