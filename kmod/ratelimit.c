// SPDX-License-Identifier: GPL-2.0
/*
 * A group's reply budget: the token bucket that pays for the frames sent
 * in answer to received ones (see struct vipfo_budget).
 */

#include <linux/atomic.h>
#include <linux/jiffies.h>

#include "group.h"
#include "ratelimit.h"

/* The most a group's budget holds, in 1/HZ of a frame: see below. */
static s64 budget_max(u32 rate)
{
	return (s64)max_t(u32, rate, VIPFO_MAX_MEMBERS) * HZ;
}

/* vipfo_ratelimit_spend() at @now: the self-tests set the clock. */
static bool ratelimit_spend(struct vipfo_group *group, unsigned int frames,
			    unsigned long now)
{
	struct vipfo_budget *b = &group->budget;
	u32 rate = READ_ONCE(group->reply_rate);
	long last = atomic_long_read(&b->stamp);
	s64 credit, cost, add, full, new;

	if (!rate || !frames)
		return true;
	credit = atomic64_read(&b->credit);
	/* Not @now read before another CPU refilled: that would refill all. */
	if (time_after(now, (unsigned long)last) &&
	    atomic_long_try_cmpxchg(&b->stamp, &last, now)) {
		/* Filling an empty budget takes 16 s at most (rate 1). */
		add = (s64)min_t(unsigned long, now - last,
				 VIPFO_MAX_MEMBERS * HZ) * rate;
		full = budget_max(rate);
		do {
			new = min(credit + add, full);
		} while (!atomic64_try_cmpxchg(&b->credit, &credit, new));
		credit = new;
	}
	cost = (s64)frames * HZ;
	do {
		if (credit < cost)
			return false;
	} while (!atomic64_try_cmpxchg(&b->credit, &credit, credit - cost));
	return true;
}

static void ratelimit_reset(struct vipfo_group *group, unsigned long now)
{
	atomic_long_set(&group->budget.stamp, now);
	atomic64_set(&group->budget.credit,
		     budget_max(READ_ONCE(group->reply_rate)));
}

/**
 * vipfo_ratelimit_spend() - Take frames from a group's reply budget
 * @group: the group
 * @frames: how many frames are to be sent
 *
 * The credit counts 1/HZ of a frame, so a jiffy adds exactly reply_rate
 * and a frame costs HZ: no rounding, however low the rate. The first CPU
 * to see a new jiffy refills it, picked by a cmpxchg on the stamp; every
 * call then takes its frames with one cmpxchg on the credit. No lock, and
 * one atomic per request that is answered: nothing next to the frames it
 * pays for.
 *
 * Per-CPU budgets would avoid sharing the line between CPUs, but would
 * either split the limit (a flood arriving on one receive queue, or on a
 * veth, gets rate / CPUs) or multiply it by the number of CPUs; one shared
 * bucket enforces what the administrator set.
 *
 * Context: Any context; lock-free (the ARP hook calls it in softirq).
 * Return: true when the budget paid for @frames (always with reply_rate
 * 0), false when it does not hold that many: nothing is taken then.
 */
bool vipfo_ratelimit_spend(struct vipfo_group *group, unsigned int frames)
{
	return ratelimit_spend(group, frames, jiffies);
}

/**
 * vipfo_ratelimit_reset() - Fill a group's reply budget
 * @group: the group, new or with a new reply_rate
 *
 * Context: RTNL held; the packet path may spend meanwhile.
 */
void vipfo_ratelimit_reset(struct vipfo_group *group)
{
	ratelimit_reset(group, jiffies);
}

#ifdef VIPFO_DEBUG
#include "selftest/ratelimit.c"
#endif
