/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_RATELIMIT_H
#define _VIPFO_RATELIMIT_H

#include <linux/atomic.h>
#include <linux/types.h>

struct vipfo_group;

/*
 * A group's budget of frames sent in answer to received ones (the replies
 * of every member to a request, and the announcements that answer an
 * address conflict): a token bucket of reply_rate frames a second that
 * holds one second's worth, and never less than one request's worth (a
 * reply from every member). A request it cannot pay for is answered by
 * the receiving member alone. See vipfo_ratelimit_spend() for why it is one
 * atomic and not per CPU.
 */
struct vipfo_budget {
	atomic_long_t stamp;		/* jiffies of the last refill */
	atomic64_t credit;		/* in 1/HZ of a frame */
};

bool vipfo_ratelimit_spend(struct vipfo_group *group, unsigned int frames);
void vipfo_ratelimit_reset(struct vipfo_group *group);

#ifdef VIPFO_DEBUG
bool vipfo_ratelimit_selftest(void);
#endif

#endif /* _VIPFO_RATELIMIT_H */
