/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NETLINK_H
#define _VIPFO_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/vipfo.h>

int vipfo_netlink_init(void);
void vipfo_netlink_uninit(void);

/* Shared by the family's files. */
extern struct genl_family vipfo_family;

enum { VIPFO_NLGRP_EVENTS };

extern const struct nla_policy vipfo_nl_dev_policy[VIPFO_DEV_A_IFINDEX + 1];
extern const struct nla_policy vipfo_nl_vip_policy[VIPFO_VIP_A_MAX + 1];

#endif /* _VIPFO_NETLINK_H */
