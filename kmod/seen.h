/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_SEEN_H
#define _VIPFO_SEEN_H

#include <linux/atomic.h>
#include <linux/types.h>

struct vipfo_group;
struct vipfo_member;
struct vipfo_net;
struct vipfo_request;
struct vipfo_vip;

/*
 * When members share a segment, one broadcast request arrives once on each
 * of them, but the requester must get one reply per live adapter, not one
 * per copy. Each slot remembers a recent request (a hash of requester and
 * target), when it came and which members have seen it: a copy arriving
 * on a member that has not seen it yet is a sibling copy, a request
 * arriving again on a member that has is a new request. Lossy by design:
 * a collision costs at worst one extra round of replies.
 */
#define VIPFO_SEEN_SLOTS	256

struct vipfo_seen {
	atomic64_t slot[VIPFO_SEEN_SLOTS];
};

/*
 * Whether the sender MAC of a claim on a VIP is one of the host's own
 * devices takes a walk over every device of the namespace: a group walks
 * only for claims it would answer, at most VIPFO_CLAIM_CHECKS times a
 * second, and remembers each answer for a second, in a slot picked by the
 * MAC (lossy like the seen cache).
 */
#define VIPFO_CLAIM_SLOTS	16
#define VIPFO_CLAIM_CHECKS	16

struct vipfo_claims {
	atomic64_t slot[VIPFO_CLAIM_SLOTS];	/* see vipfo_claim_sender() */
	atomic_long_t window;		/* jiffies: start of this second */
	atomic_t checks;		/* walks in this second */
};

enum vipfo_claim_sender {
	VIPFO_SENDER_OURS,	/* a device of the namespace */
	VIPFO_SENDER_OTHER,	/* another host */
	VIPFO_SENDER_UNCHECKED,	/* no member's; not checked further */
};

bool vipfo_first_copy(struct vipfo_group *group,
		      const struct vipfo_member *member,
		      const struct vipfo_request *req);
enum vipfo_claim_sender vipfo_claim_sender(struct vipfo_net *vn,
					   struct vipfo_group *group,
					   const struct vipfo_vip *vip,
					   const u8 *mac);

#ifdef VIPFO_DEBUG
bool vipfo_seen_selftest(void);
#endif

#endif /* _VIPFO_SEEN_H */
