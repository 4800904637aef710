/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_ARP_IN_H
#define _VIPFO_ARP_IN_H

struct net;

int vipfo_arp_hook_register(struct net *net);
void vipfo_arp_hook_unregister(struct net *net);

#endif /* _VIPFO_ARP_IN_H */
