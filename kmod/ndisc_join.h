/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NDISC_JOIN_H
#define _VIPFO_NDISC_JOIN_H

#include <linux/hashtable.h>
#include <linux/in6.h>

struct net_device;
struct vipfo_group;
struct vipfo_member;

/*
 * The solicited-node multicast groups (ff02::1:ffXX:XXXX, RFC 4291) a
 * group's members join for its VIPv6s: one per distinct low 24 bits, with
 * the number of VIPs that need it. Beyond VIPFO_NDISC_JOIN_MAX groups the
 * members receive all multicast instead. Changed under RTNL only.
 */
#define VIPFO_NDISC_JOIN_MAX	1024

struct vipfo_ndisc_joins {
	DECLARE_HASHTABLE(keys, 6);	/* struct vipfo_ndisc_key */
	unsigned int n_keys;
	unsigned int overflow;		/* VIPs of no joined group */
};

void vipfo_ndisc_joins_init(struct vipfo_group *group);
bool vipfo_ndisc_dev_ready(const struct net_device *dev);
bool vipfo_ndisc_joining(const struct vipfo_group *group);
int vipfo_ndisc_join_vip(struct vipfo_group *group,
			 const struct in6_addr *addr);
void vipfo_ndisc_leave_vip(struct vipfo_group *group,
			   const struct in6_addr *addr);
int vipfo_ndisc_join_member(struct vipfo_member *member);
void vipfo_ndisc_leave_member(struct vipfo_member *member);

#endif /* _VIPFO_NDISC_JOIN_H */
