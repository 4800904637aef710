/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ARP_IN_H
#define _VIPFO_ARP_IN_H

#include <linux/types.h>

struct net;

/* The fields of a received request or reply that matter to the ARP path. */
struct vipfo_arp_frame {
	const u8 *src;		/* Ethernet source */
	const u8 *sha;
	__be32 sip;
	__be32 tip;
	bool request;
};

/* Seeds the hashes of the reply rotation and of the caches (seen.c). */
extern u32 vipfo_arp_seed;

int vipfo_arp_hook_register(struct net *net);
void vipfo_arp_hook_unregister(struct net *net);

#endif /* _VIPFO_ARP_IN_H */
