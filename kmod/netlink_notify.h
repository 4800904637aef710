/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NETLINK_NOTIFY_H
#define _VIPFO_NETLINK_NOTIFY_H

#include <linux/types.h>
#include <uapi/linux/vipfo.h>

struct in6_addr;
struct net_device;
struct sk_buff;
struct vipfo_group;
struct vipfo_member;
struct vipfo_vip;

void vipfo_netlink_notify_failover(const struct vipfo_member *member,
				   enum vipfo_reason reason,
				   enum vipfo_detector detector, gfp_t gfp);
void vipfo_netlink_notify_recover(const struct vipfo_member *member,
				  enum vipfo_detector detector, gfp_t gfp);
void vipfo_netlink_notify_hold(const struct vipfo_member *member,
			       unsigned int held_ms,
			       enum vipfo_detector detector, gfp_t gfp);
void vipfo_netlink_notify_dev_removed(const struct vipfo_member *member,
				      enum vipfo_reason reason);
void vipfo_netlink_notify_conflict(const struct vipfo_member *member,
				   const struct vipfo_vip *vip, const u8 *mac);

/* A configuration change: devices and VIPs affected, VIPs if they fit. */
struct vipfo_nl_change_info {
	u8 cmd;
	int reason;			/* enum vipfo_reason, or -1: none */
	struct net_device **devs;
	unsigned int n_devs;
	const struct in6_addr *vips;	/* an array, or NULL: */
	const struct vipfo_group *vips_of; /* every VIP of this group */
	unsigned int n_vips;
};

struct sk_buff *
vipfo_nl_event_change_build(const struct vipfo_group *group,
			    const struct vipfo_nl_change_info *change,
			    void **hdr);
void vipfo_nl_event_change(const struct vipfo_group *group,
			   const struct vipfo_nl_change_info *change);

#endif /* _VIPFO_NETLINK_NOTIFY_H */
