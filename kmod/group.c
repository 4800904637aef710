// SPDX-License-Identifier: GPL-2.0
/*
 * Groups and their member adapters. All changes happen under RTNL; the
 * packet path and the announcement work find members and groups under
 * RCU, so everything is unlinked first and freed after a grace period.
 */

#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "announce.h"
#include "arp_in.h"
#include "carrier.h"
#include "failover.h"
#include "group.h"
#include "limits.h"
#include "ndisc_in.h"
#include "ndisc_join.h"
#include "net.h"
#include "ratelimit.h"
#include "tx.h"
#include "vip.h"

/**
 * vipfo_group_find() - Find a group by name
 * @vn: the namespace's state
 * @name: the group's name
 *
 * Context: RTNL held.
 * Return: the group, or NULL.
 */
struct vipfo_group *vipfo_group_find(struct vipfo_net *vn, const char *name)
{
	struct vipfo_group *group;

	ASSERT_RTNL();
	list_for_each_entry(group, &vn->groups, net_node)
		if (!strcmp(group->name, name))
			return group;
	return NULL;
}

/**
 * vipfo_group_create() - Create an empty group with the default settings
 * @vn: the namespace's state
 * @name: a name no group of @vn has
 *
 * The caller has checked the name and the namespace's limit. The first
 * group of a namespace registers its ARP and IPv6 hooks.
 *
 * Context: RTNL held; may sleep.
 * Return: the group, linked into @vn, or an ERR_PTR(): -ENOMEM, or why the
 * hook could not be registered.
 */
struct vipfo_group *vipfo_group_create(struct vipfo_net *vn, const char *name)
{
	const struct vipfo_limit_val *floor;
	struct vipfo_group *group;
	int err;

	ASSERT_RTNL();
	group = kzalloc(sizeof(*group), GFP_KERNEL_ACCOUNT);
	if (!group)
		return ERR_PTR(-ENOMEM);
	group->stats = vipfo_stats_alloc();
	if (!group->stats) {
		err = -ENOMEM;
		goto err_free;
	}
	/* The receive paths cost nothing in a namespace without groups. */
	if (!vn->n_groups) {
		err = vipfo_arp_hook_register(vn->net);
		if (err)
			goto err_stats;
		err = vipfo_ndisc_hook_register(vn->net);
		if (err)
			goto err_arp;
	}

	group->vn = vn;
	strscpy(group->name, name, sizeof(group->name));
	INIT_LIST_HEAD(&group->members);
	INIT_LIST_HEAD(&group->vips);
	group->garp_count = VIPFO_GARP_COUNT_DEFAULT;
	group->garp_interval = VIPFO_GARP_INTERVAL_DEFAULT;
	floor = vipfo_carrier_poll_floor(vn);
	group->carrier_poll = max_t(u32, VIPFO_CARRIER_POLL_DEFAULT,
				    floor ? floor->value : 0);
	group->reply_rate = VIPFO_REPLY_RATE_DEFAULT;
	group->up_delay = VIPFO_UP_DELAY_DEFAULT;
	vipfo_ratelimit_reset(group);
	vipfo_announce_init(group);
	vipfo_ndisc_joins_init(group);

	list_add_tail_rcu(&group->net_node, &vn->groups);
	vn->n_groups++;
	vipfo_net_changed(vn);
	return group;

err_arp:
	vipfo_arp_hook_unregister(vn->net);
err_stats:
	free_percpu(group->stats);
err_free:
	kfree(group);
	return ERR_PTR(err);
}

static void group_free_rcu(struct rcu_head *head)
{
	struct vipfo_group *group = container_of(head, struct vipfo_group, rcu);

	free_percpu(group->stats);
	kfree(group);
}

/**
 * vipfo_group_destroy() - Remove a group with its members and VIPs
 * @group: the group
 *
 * Waits for the carrier poll and the announcement work, which may still
 * use the group; the last group of a namespace takes the ARP and IPv6
 * hooks with it. RCU readers may still hold @group: it is freed after a
 * grace period.
 *
 * Context: RTNL held; sleeps (neither the poll nor the work takes RTNL).
 */
void vipfo_group_destroy(struct vipfo_group *group)
{
	struct vipfo_vip_graveyard graveyard = { };
	struct vipfo_net *vn = group->vn;
	struct vipfo_member *member, *mtmp;
	struct vipfo_vip *vip, *vtmp;

	ASSERT_RTNL();
	list_del_rcu(&group->net_node);
	list_for_each_entry_safe(member, mtmp, &group->members, group_node)
		vipfo_member_remove(member);
	list_for_each_entry_safe(vip, vtmp, &group->vips, group_node)
		vipfo_vip_destroy(vip, &graveyard);
	vipfo_vip_graveyard_free(&graveyard);
	/* The poll may start announcements: wait for it first. Neither
	 * takes RTNL, so waiting for them here is safe.
	 */
	vipfo_carrier_poll_sync(vn);
	vipfo_announce_cancel(group);

	if (!--vn->n_groups) {
		vipfo_ndisc_hook_unregister(vn->net);
		vipfo_arp_hook_unregister(vn->net);
	}
	vipfo_net_changed(vn);
	call_rcu(&group->rcu, group_free_rcu);
}

/**
 * vipfo_group_destroy_all() - Remove every group of a namespace
 * @vn: the namespace's state
 *
 * Context: RTNL held; sleeps, as vipfo_group_destroy() does.
 */
void vipfo_group_destroy_all(struct vipfo_net *vn)
{
	struct vipfo_group *group, *tmp;

	ASSERT_RTNL();
	list_for_each_entry_safe(group, tmp, &vn->groups, net_node)
		vipfo_group_destroy(group);
}

/**
 * vipfo_member_find() - Find the member a device is
 * @vn: the namespace's state
 * @dev: a device of the namespace
 *
 * Context: RTNL held.
 * Return: the member, of whichever group, or NULL.
 */
struct vipfo_member *vipfo_member_find(struct vipfo_net *vn,
				       const struct net_device *dev)
{
	struct vipfo_member *member;

	ASSERT_RTNL();
	list_for_each_entry(member, &vn->members, net_node)
		if (member->dev == dev)
			return member;
	return NULL;
}

/**
 * vipfo_member_find_rcu() - Find the member a device is, on the packet path
 * @vn: the namespace's state
 * @dev: the device a frame arrived on
 *
 * A linear walk: a namespace has a handful of members at most.
 *
 * Context: RCU read-side critical section.
 * Return: the member, valid until rcu_read_unlock(), or NULL.
 */
struct vipfo_member *vipfo_member_find_rcu(struct vipfo_net *vn,
					   const struct net_device *dev)
{
	struct vipfo_member *member;

	list_for_each_entry_rcu(member, &vn->members, net_node)
		if (member->dev == dev)
			return member;
	return NULL;
}

/**
 * vipfo_member_dev_unfit() - Why a device cannot be a member
 * @dev: the device
 *
 * A member answers ARP with a MAC of its own, so it must be Ethernet and
 * use ARP, and it must see the requests that arrive on it: a port of a
 * bridge, a bond, a team or Open vSwitch hands them to its master instead.
 * VLANs and macvlans are fine: they see their own frames, and a device
 * with macvlans or ipvlans on top still sees its broadcasts.
 *
 * Context: RTNL held, so that the answer holds while it is.
 * Return: a static message fit for an extack, or NULL when it can be one.
 */
const char *vipfo_member_dev_unfit(const struct net_device *dev)
{
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN ||
	    (dev->flags & IFF_LOOPBACK))
		return "not an Ethernet device";
	if (dev->flags & IFF_NOARP)
		return "device does not use ARP (arp off)";
	if (netif_is_bridge_port(dev))
		return "device is a bridge port: its frames go to the bridge";
	if (netif_is_lag_port(dev))
		return "device is a bond or team port: its frames go to its master";
	if (netif_is_ovs_port(dev))
		return "device is an Open vSwitch port: its frames go to the datapath";
	if (netif_is_failover_slave(dev))
		return "device is a failover slave: its frames go to its master";
	return NULL;
}

/**
 * vipfo_member_add() - Make a device a member of a group
 * @group: the group
 * @dev: a device that vipfo_member_dev_unfit() accepts and that is no
 *       member yet
 *
 * The member holds a reference on @dev until it is freed. A device added
 * while it is not live starts as a failed member: its recovery is
 * reported, not a failure.
 *
 * Context: RTNL held; may sleep.
 * Return: the member, or an ERR_PTR(): -ENOSPC when the group has
 * VIPFO_MAX_MEMBERS already, -ENOMEM, why its socket could not be
 * created, or why it could not join the solicited-node groups of the
 * group's VIPv6s (ndisc_join.c).
 */
struct vipfo_member *vipfo_member_add(struct vipfo_group *group,
				      struct net_device *dev)
{
	struct vipfo_member *member;
	unsigned int id;
	int err;

	ASSERT_RTNL();
	id = find_first_zero_bit(&group->member_ids, VIPFO_MAX_MEMBERS);
	if (id >= VIPFO_MAX_MEMBERS)
		return ERR_PTR(-ENOSPC);
	member = kzalloc(sizeof(*member), GFP_KERNEL_ACCOUNT);
	if (!member)
		return ERR_PTR(-ENOMEM);
	member->stats = vipfo_stats_alloc();
	err = -ENOMEM;
	if (!member->stats)
		goto err_free;
	err = vipfo_tx_member_init(member, dev_net(dev));
	if (err)
		goto err_stats;
	member->dev = dev;
	member->group = group;
	err = vipfo_ndisc_join_member(member);
	if (err)
		goto err_tx;

	netdev_hold(dev, &member->dev_tracker, GFP_KERNEL_ACCOUNT);
	member->id = id;
	__set_bit(id, &group->member_ids);
	vipfo_failover_member_added(member);

	list_add_tail_rcu(&member->group_node, &group->members);
	list_add_tail_rcu(&member->net_node, &group->vn->members);
	WRITE_ONCE(group->n_members, group->n_members + 1);
	vipfo_net_changed(group->vn);
	vipfo_carrier_poll_update(group->vn);
	return member;

err_tx:
	vipfo_tx_member_uninit(member);
err_stats:
	free_percpu(member->stats);
err_free:
	kfree(member);
	return ERR_PTR(err);
}

static void member_free_rcu(struct rcu_head *head)
{
	struct vipfo_member *member =
		container_of(head, struct vipfo_member, rcu);

	netdev_put(member->dev, &member->dev_tracker);
	vipfo_tx_member_uninit(member);
	free_percpu(member->stats);
	kfree(member);
}

/**
 * vipfo_member_unlink() - Take a member out of its group and namespace
 * @member: the member
 *
 * New readers no longer find it, and it sends nothing the failover policy
 * starts from now on. The caller may still use it until
 * vipfo_member_free().
 *
 * Context: RTNL held; sleeps (ends its hold-down timer).
 */
void vipfo_member_unlink(struct vipfo_member *member)
{
	struct vipfo_group *group = member->group;

	ASSERT_RTNL();
	list_del_rcu(&member->group_node);
	list_del_rcu(&member->net_node);
	vipfo_ndisc_leave_member(member);
	vipfo_failover_member_unlinked(member);
	__clear_bit(member->id, &group->member_ids);
	WRITE_ONCE(group->n_members, group->n_members - 1);
	vipfo_net_changed(group->vn);
	vipfo_carrier_poll_update(group->vn);
}

/**
 * vipfo_member_free() - Free an unlinked member
 * @member: a member vipfo_member_unlink() took out
 *
 * Freed, and its device reference dropped, once the RCU readers are done.
 *
 * Context: RTNL held.
 */
void vipfo_member_free(struct vipfo_member *member)
{
	ASSERT_RTNL();
	call_rcu(&member->rcu, member_free_rcu);
}

/**
 * vipfo_member_remove() - Unlink and free a member
 * @member: the member
 *
 * Context: RTNL held; sleeps, as vipfo_member_unlink() does.
 */
void vipfo_member_remove(struct vipfo_member *member)
{
	vipfo_member_unlink(member);
	vipfo_member_free(member);
}

/**
 * vipfo_live_members() - Collect a group's active members among a mask
 * @group: the group
 * @members: a mask of member ids
 * @live: filled with the active members among @members, in list order;
 *        room for VIPFO_MAX_MEMBERS
 *
 * Context: RCU read-side critical section, or RTNL held: the members in
 * @live are valid as long as it lasts.
 * Return: how many members @live holds.
 */
unsigned int vipfo_live_members(struct vipfo_group *group,
				unsigned long members,
				struct vipfo_member **live)
{
	struct vipfo_member *member;
	unsigned int n = 0;

	list_for_each_entry_rcu(member, &group->members, group_node,
				lockdep_rtnl_is_held())
		if ((members & BIT(member->id)) && vipfo_member_active(member))
			live[n++] = member;
	return n;
}
