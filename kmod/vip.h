/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_VIP_H
#define _VIPFO_VIP_H

#include <linux/in6.h>
#include <linux/rhashtable-types.h>
#include <net/ipv6.h>

struct vipfo_net;
struct vipfo_group;

/*
 * One virtual IP. Both families share one key: an IPv4 VIP is stored as
 * its IPv4-mapped IPv6 address (::ffff:a.b.c.d), which is never a valid
 * IPv6 VIP. 64 bytes, one cache line: no rcu_head (see struct
 * vipfo_vip_graveyard), so a million VIPs take under 96 bytes each with
 * the hash table's buckets and the memory cgroup's pointer.
 */
struct vipfo_vip {
	struct rhash_head node;		/* vipfo_net.vips */
	struct in6_addr addr;
	struct vipfo_group *group;
	struct list_head group_node;	/* vipfo_group.vips, insertion order */
	u64 seq;			/* the group's vip_seq: list order */
	unsigned long defended;		/* jiffies: last answer to a conflict */
};

/*
 * VIPs taken out of the table and their group's list, to be freed once
 * the RCU readers that may hold them are done: chained through
 * group_node.prev, which list_del_rcu() leaves to the writer (readers
 * only follow next). One grace period and one allocation per request,
 * however many VIPs it removes.
 */
struct vipfo_vip_graveyard {
	struct list_head *first;
};

static inline bool vipfo_vip_is_v4(const struct vipfo_vip *vip)
{
	return ipv6_addr_v4mapped(&vip->addr);
}

static inline __be32 vipfo_vip_v4(const struct vipfo_vip *vip)
{
	return vip->addr.s6_addr32[3];
}

int vipfo_vip_table_init(struct vipfo_net *vn);
void vipfo_vip_table_destroy(struct vipfo_net *vn);
struct vipfo_vip *vipfo_vip_lookup(struct vipfo_net *vn,
				   const struct in6_addr *addr);
struct vipfo_vip *vipfo_vip_lookup_v4(struct vipfo_net *vn, __be32 addr);
struct vipfo_vip *vipfo_vip_create(struct vipfo_group *group,
				   const struct in6_addr *addr);
void vipfo_vip_destroy(struct vipfo_vip *vip,
		       struct vipfo_vip_graveyard *graveyard);
void vipfo_vip_graveyard_free(struct vipfo_vip_graveyard *graveyard);

int vipfo_vip_cache_init(void);
void vipfo_vip_cache_uninit(void);

#ifdef VIPFO_DEBUG
bool vipfo_vip_selftest(void);
#endif

#endif /* _VIPFO_VIP_H */
