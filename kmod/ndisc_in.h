/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_NDISC_IN_H
#define _VIPFO_NDISC_IN_H

struct net;

int vipfo_ndisc_hook_register(struct net *net);
void vipfo_ndisc_hook_unregister(struct net *net);

#endif /* _VIPFO_NDISC_IN_H */
