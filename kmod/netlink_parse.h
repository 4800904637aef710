/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NETLINK_PARSE_H
#define _VIPFO_NETLINK_PARSE_H

#include <linux/in6.h>
#include <uapi/linux/vipfo.h>

struct genl_info;
struct net_device;
struct netlink_ext_ack;
struct nlattr;
struct vipfo_group;
struct vipfo_limit;
struct vipfo_net;

struct vipfo_nl_dev_list {
	struct net_device *dev[VIPFO_MAX_MEMBERS];
	const struct nlattr *attr[VIPFO_MAX_MEMBERS];	/* naming each */
	unsigned int n;
};

struct vipfo_nl_vip_list {
	struct in6_addr *addr;
	const struct nlattr **attr;
	unsigned int n;
};

bool vipfo_nl_over_limit(struct vipfo_limit *limit, unsigned int have,
			 unsigned int more, const struct nlattr *attr,
			 struct netlink_ext_ack *extack);
bool vipfo_nl_carrier_poll_ok(struct vipfo_net *vn, const struct nlattr *attr,
			      struct netlink_ext_ack *extack);
bool vipfo_nl_group_name_ok(const struct nlattr *attr,
			    struct netlink_ext_ack *extack);
struct vipfo_group *vipfo_nl_group_lookup(struct vipfo_net *vn,
					  struct genl_info *info);
int vipfo_nl_devs_parse(struct vipfo_net *vn, struct vipfo_group *group,
			const struct nlattr *list, bool add,
			struct vipfo_nl_dev_list *devs,
			struct netlink_ext_ack *extack);
int vipfo_nl_vips_parse(struct vipfo_net *vn, struct vipfo_group *group,
			const struct nlattr *list, bool add,
			struct vipfo_nl_vip_list *vips,
			struct netlink_ext_ack *extack);
void vipfo_nl_vips_free(struct vipfo_nl_vip_list *vips);
int vipfo_nl_ipv6_check(const struct vipfo_group *group,
			const struct vipfo_nl_dev_list *devs,
			const struct vipfo_nl_vip_list *vips,
			struct netlink_ext_ack *extack);

#endif /* _VIPFO_NETLINK_PARSE_H */
