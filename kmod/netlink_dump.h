/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NETLINK_DUMP_H
#define _VIPFO_NETLINK_DUMP_H

struct netlink_callback;
struct sk_buff;

int vipfo_nl_group_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _VIPFO_NETLINK_DUMP_H */
