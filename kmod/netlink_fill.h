/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NETLINK_FILL_H
#define _VIPFO_NETLINK_FILL_H

#include <linux/types.h>
#include <uapi/linux/vipfo.h>

struct in6_addr;
struct net_device;
struct sk_buff;
struct vipfo_group;
struct vipfo_member;

int vipfo_nl_put_dev(struct sk_buff *skb, int type,
		     const struct net_device *dev,
		     const struct vipfo_member *member);
int vipfo_nl_put_dev_as(struct sk_buff *skb, int type,
			const struct vipfo_member *member,
			enum vipfo_dev_state state, unsigned int held_ms);
int vipfo_nl_put_members(struct sk_buff *skb, const struct vipfo_group *group,
			 const struct vipfo_member *except, bool live_only);
int vipfo_nl_put_vip(struct sk_buff *skb, const struct in6_addr *addr);
int vipfo_nl_put_group(struct sk_buff *skb, const struct vipfo_group *group);

#endif /* _VIPFO_NETLINK_FILL_H */
