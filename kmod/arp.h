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

int vipfo_arp_hook_register(struct net *net);
void vipfo_arp_hook_unregister(struct net *net);
int vipfo_arp_send_garp(struct vipfo_member *member, __be32 vip);

#endif /* _VIPFO_ARP_H */
