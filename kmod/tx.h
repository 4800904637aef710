/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_TX_H
#define _VIPFO_TX_H

#include <linux/types.h>

struct net;
struct sk_buff;
struct sock;
struct vipfo_member;

void vipfo_tx_prepare(struct vipfo_member *member, struct sk_buff *skb,
		      bool announcement);
int vipfo_tx_finish(struct net *net, struct sock *sk, struct sk_buff *skb);
int vipfo_tx_errno(int ret);
unsigned int vipfo_tx_queued(const struct vipfo_member *member);
int vipfo_tx_member_init(struct vipfo_member *member, struct net *net);
void vipfo_tx_member_uninit(struct vipfo_member *member);

#endif /* _VIPFO_TX_H */
