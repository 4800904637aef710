/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NETLINK_CMD_H
#define _VIPFO_NETLINK_CMD_H

struct genl_info;
struct sk_buff;

int vipfo_nl_group_new(struct sk_buff *skb, struct genl_info *info);
int vipfo_nl_group_del(struct sk_buff *skb, struct genl_info *info);
int vipfo_nl_group_set(struct sk_buff *skb, struct genl_info *info);
int vipfo_nl_group_get(struct sk_buff *skb, struct genl_info *info);
int vipfo_nl_devs(struct sk_buff *skb, struct genl_info *info);
int vipfo_nl_vips(struct sk_buff *skb, struct genl_info *info);

#endif /* _VIPFO_NETLINK_CMD_H */
