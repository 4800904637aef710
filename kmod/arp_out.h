/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ARP_OUT_H
#define _VIPFO_ARP_OUT_H

#include <linux/types.h>

struct vipfo_member;
struct vipfo_request;

int vipfo_arp_send_garp(struct vipfo_member *member, __be32 vip);
int vipfo_arp_reply(struct vipfo_member *member,
		    const struct vipfo_request *req);

#endif /* _VIPFO_ARP_OUT_H */
