/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NETLINK_H
#define _VIPFO_NETLINK_H

#include <linux/types.h>
#include <uapi/linux/vipfo.h>

struct vipfo_member;
struct vipfo_vip;

int vipfo_netlink_init(void);
void vipfo_netlink_uninit(void);

/* Events to the "events" multicast group, under RTNL (a failover or a
 * recovery also under RCU, from the carrier poll; a conflict under RCU,
 * from the ARP hook).
 */
void vipfo_netlink_notify_failover(const struct vipfo_member *member,
				   enum vipfo_reason reason,
				   enum vipfo_detector detector, gfp_t gfp);
void vipfo_netlink_notify_recover(const struct vipfo_member *member,
				  enum vipfo_detector detector, gfp_t gfp);
void vipfo_netlink_notify_hold(const struct vipfo_member *member,
			       enum vipfo_detector detector, gfp_t gfp);
void vipfo_netlink_notify_dev_removed(const struct vipfo_member *member,
				      enum vipfo_reason reason);
void vipfo_netlink_notify_conflict(const struct vipfo_member *member,
				   const struct vipfo_vip *vip, const u8 *mac);

#endif /* _VIPFO_NETLINK_H */
