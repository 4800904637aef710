/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ARP_H
#define _VIPFO_ARP_H

#include <linux/atomic.h>
#include <linux/types.h>

struct net;
struct vipfo_member;

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
 * A group's budget of frames sent in answer to received ones (the replies
 * of every member to a request, and the announcements that answer an
 * address conflict): a token bucket of reply_rate frames a second that
 * holds one second's worth, and never less than one request's worth (a
 * reply from every member). A request it cannot pay for is answered by
 * the receiving member alone. See vipfo_arp_budget() for why it is one
 * atomic and not per CPU.
 */
struct vipfo_budget {
	atomic_long_t stamp;		/* jiffies of the last refill */
	atomic64_t credit;		/* in 1/HZ of a frame */
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
	atomic64_t slot[VIPFO_CLAIM_SLOTS];	/* see claim_sender() */
	atomic_long_t window;		/* jiffies: start of this second */
	atomic_t checks;		/* walks in this second */
};

struct vipfo_group;

int vipfo_arp_hook_register(struct net *net);
void vipfo_arp_hook_unregister(struct net *net);
int vipfo_arp_send_garp(struct vipfo_member *member, __be32 vip);
unsigned int vipfo_arp_garps_queued(const struct vipfo_member *member);
int vipfo_arp_member_init(struct vipfo_member *member, struct net *net);
void vipfo_arp_member_uninit(struct vipfo_member *member);
bool vipfo_arp_budget(struct vipfo_group *group, unsigned int frames);
void vipfo_arp_budget_reset(struct vipfo_group *group);

#endif /* _VIPFO_ARP_H */
