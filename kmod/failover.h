/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VIPFO_FAILOVER_H
#define _VIPFO_FAILOVER_H

#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <uapi/linux/vipfo.h>

struct vipfo_group;
struct vipfo_limit_val;
struct vipfo_member;
struct vipfo_net;
struct vipfo_vip;

/* A group's pending gratuitous ARP rounds. */
struct vipfo_announce {
	struct delayed_work work;
	spinlock_t lock;		/* protects the three fields below */
	unsigned int rounds_left;
	unsigned long members;		/* ids of the members to announce from */
	bool restart;			/* a newer failover: start a fresh round */
};

void vipfo_announce_init(struct vipfo_group *group);
void vipfo_announce_cancel(struct vipfo_group *group);

void vipfo_carrier_poll_init(struct vipfo_net *vn);
const struct vipfo_limit_val *
vipfo_carrier_poll_floor(const struct vipfo_net *vn);
void vipfo_carrier_poll_update(struct vipfo_net *vn);
void vipfo_carrier_poll_sync(struct vipfo_net *vn);
void vipfo_carrier_poll_stop(struct vipfo_net *vn);

void vipfo_failover_member_added(struct vipfo_member *member);
void vipfo_failover_conflict(struct vipfo_member *member,
			     struct vipfo_vip *vip, const u8 *mac);

int vipfo_failover_init(void);
void vipfo_failover_uninit(void);

#endif /* _VIPFO_FAILOVER_H */
