/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NETLINK_H
#define _VIPFO_NETLINK_H

#include <uapi/linux/vipfo.h>

struct vipfo_member;

int vipfo_netlink_init(void);
void vipfo_netlink_uninit(void);

/* Events to the "events" multicast group, under RTNL. */
void vipfo_netlink_notify_failover(const struct vipfo_member *member,
				   enum vipfo_reason reason,
				   enum vipfo_detector detector);
void vipfo_netlink_notify_recover(const struct vipfo_member *member);
void vipfo_netlink_notify_dev_removed(const struct vipfo_member *member);

#endif /* _VIPFO_NETLINK_H */
