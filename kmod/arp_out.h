/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ARP_OUT_H
#define _VIPFO_ARP_OUT_H

#include <linux/types.h>

struct net;
struct vipfo_arp_frame;
struct vipfo_member;

int vipfo_arp_send_garp(struct vipfo_member *member, __be32 vip);
unsigned int vipfo_arp_garps_queued(const struct vipfo_member *member);
int vipfo_arp_member_init(struct vipfo_member *member, struct net *net);
void vipfo_arp_member_uninit(struct vipfo_member *member);
void vipfo_arp_reply(struct vipfo_member *member,
		     const struct vipfo_arp_frame *req);

#endif /* _VIPFO_ARP_OUT_H */
