// SPDX-License-Identifier: GPL-2.0
/*
 * The solicited-node multicast groups of a group's VIPv6s, joined on each
 * member while it is one. A neighbour solicitation for a VIP goes to its
 * solicited-node group: a NIC's multicast filter drops it unless the
 * device listens, and a switch or bridge that snoops MLD forwards it only
 * to ports that joined. Joining sends MLD reports, as the kernel does for
 * its own addresses (ipv6_dev_mc_inc()).
 *
 * VIPs whose addresses end in the same 24 bits share a group: it is joined
 * once, and left with the last of them. The kernel keeps a device's groups
 * in a list, walked on every join, so a group with more distinct
 * solicited-node groups than VIPFO_NDISC_JOIN_MAX puts its members in
 * all-multicast mode instead (dev_set_allmulti()): the NIC then passes
 * every solicitation, which is what the hook at PRE_ROUTING needs; a
 * snooping switch still forwards only the joined groups, so the README
 * says to keep a group within the limit there.
 *
 * The overflow is exact without remembering per VIP where it counts: a
 * key gets an entry only while no VIP overflows, so all VIPs of one key
 * count either in its entry or in the overflow, never some in each.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/addrconf.h>

#include "group.h"
#include "ndisc_join.h"

struct vipfo_ndisc_key {
	struct hlist_node node;
	u32 key;		/* the low 24 bits of the VIPs */
	u32 vips;		/* that have them */
};

static u32 addr_key(const struct in6_addr *addr)
{
	return ntohl(addr->s6_addr32[3]) & 0xffffff;
}

/* ff02::1:ffXX:XXXX */
static void key_group(u32 key, struct in6_addr *maddr)
{
	ipv6_addr_set(maddr, htonl(0xff020000), 0, htonl(1),
		      htonl(0xff000000 | key));
}

static struct vipfo_ndisc_key *key_find(struct vipfo_ndisc_joins *j, u32 key)
{
	struct vipfo_ndisc_key *k;

	hash_for_each_possible(j->keys, k, node, key)
		if (k->key == key)
			return k;
	return NULL;
}

static int dev_join(struct net_device *dev, u32 key)
{
	struct in6_addr maddr;

	key_group(key, &maddr);
	return ipv6_dev_mc_inc(dev, &maddr);
}

/* Nothing to do when the device lost its IPv6 state and the group with it. */
static void dev_leave(struct net_device *dev, u32 key)
{
	struct in6_addr maddr;

	key_group(key, &maddr);
	ipv6_dev_mc_dec(dev, &maddr);
}

/**
 * vipfo_ndisc_joins_init() - Set up a new group's joins, empty
 * @group: the group
 */
void vipfo_ndisc_joins_init(struct vipfo_group *group)
{
	hash_init(group->joins.keys);
}

static int dev_allmulti_on(struct net_device *dev, u32 unused)
{
	return dev_set_allmulti(dev, 1);
}

static void dev_allmulti_off(struct net_device *dev, u32 unused)
{
	dev_set_allmulti(dev, -1);
}

/* @op(dev, @arg) on every member, or on none: @undo takes back the others. */
static int members_do(struct vipfo_group *group,
		      int (*op)(struct net_device *dev, u32 arg),
		      void (*undo)(struct net_device *dev, u32 arg), u32 arg)
{
	struct vipfo_member *member, *failed;
	int err = 0;

	list_for_each_entry(member, &group->members, group_node) {
		err = op(member->dev, arg);
		if (err)
			break;
	}
	if (!err)
		return 0;
	failed = member;
	list_for_each_entry(member, &group->members, group_node) {
		if (member == failed)
			break;
		undo(member->dev, arg);
	}
	return err;
}

/**
 * vipfo_ndisc_dev_ready() - Whether a device can listen for VIPv6s
 * @dev: the device
 *
 * It needs the kernel's IPv6 state, which a device has not while its MTU
 * is below the 1280 bytes IPv6 needs.
 *
 * Context: RTNL held.
 * Return: true when it has.
 */
bool vipfo_ndisc_dev_ready(const struct net_device *dev)
{
	ASSERT_RTNL();
	return rtnl_dereference(dev->ip6_ptr);
}

/**
 * vipfo_ndisc_joining() - Whether a group has VIPv6s to listen for
 * @group: the group
 *
 * Context: RTNL held.
 * Return: true when it has.
 */
bool vipfo_ndisc_joining(const struct vipfo_group *group)
{
	ASSERT_RTNL();
	return group->joins.n_keys || group->joins.overflow;
}

/**
 * vipfo_ndisc_join_vip() - Have the members listen for a new VIP
 * @group: the group
 * @addr: the VIP, of either family (nothing to do for IPv4)
 *
 * Context: RTNL held; may sleep.
 * Return: 0; or -ENOMEM, or why a member could not join (its device has
 * no IPv6: an MTU below 1280), with nothing changed.
 */
int vipfo_ndisc_join_vip(struct vipfo_group *group,
			 const struct in6_addr *addr)
{
	struct vipfo_ndisc_joins *j = &group->joins;
	struct vipfo_ndisc_key *k;
	u32 key = addr_key(addr);
	int err;

	ASSERT_RTNL();
	if (ipv6_addr_v4mapped(addr))
		return 0;
	k = key_find(j, key);
	if (k) {
		k->vips++;
		return 0;
	}
	if (j->overflow || j->n_keys >= VIPFO_NDISC_JOIN_MAX) {
		if (!j->overflow) {
			err = members_do(group, dev_allmulti_on,
					 dev_allmulti_off, 0);
			if (err)
				return err;
		}
		j->overflow++;
		return 0;
	}
	k = kmalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!k)
		return -ENOMEM;
	err = members_do(group, dev_join, dev_leave, key);
	if (err) {
		kfree(k);
		return err;
	}
	k->key = key;
	k->vips = 1;
	hash_add(j->keys, &k->node, key);
	j->n_keys++;
	return 0;
}

/**
 * vipfo_ndisc_leave_vip() - A VIP joined for is gone
 * @group: the group
 * @addr: the VIP, of either family (nothing to do for IPv4)
 *
 * Context: RTNL held; may sleep.
 */
void vipfo_ndisc_leave_vip(struct vipfo_group *group,
			   const struct in6_addr *addr)
{
	struct vipfo_ndisc_joins *j = &group->joins;
	struct vipfo_member *member;
	struct vipfo_ndisc_key *k;

	ASSERT_RTNL();
	if (ipv6_addr_v4mapped(addr))
		return;
	k = key_find(j, addr_key(addr));
	if (!k) {
		if (!WARN_ON(!j->overflow) && !--j->overflow)
			list_for_each_entry(member, &group->members, group_node)
				dev_allmulti_off(member->dev, 0);
		return;
	}
	if (--k->vips)
		return;
	list_for_each_entry(member, &group->members, group_node)
		dev_leave(member->dev, k->key);
	hash_del(&k->node);
	j->n_keys--;
	kfree(k);
}

/**
 * vipfo_ndisc_join_member() - Have a new member listen for the group's VIPs
 * @member: the member, not linked into its group yet
 *
 * Context: RTNL held; may sleep.
 * Return: 0, or why it could not join, with nothing changed.
 */
int vipfo_ndisc_join_member(struct vipfo_member *member)
{
	struct vipfo_ndisc_joins *j = &member->group->joins;
	struct vipfo_ndisc_key *k, *failed;
	int err, bkt;

	ASSERT_RTNL();
	if (j->overflow) {
		err = dev_allmulti_on(member->dev, 0);
		if (err)
			return err;
	}
	hash_for_each(j->keys, bkt, k, node) {
		err = dev_join(member->dev, k->key);
		if (err)
			goto rollback;
	}
	return 0;

rollback:
	/* hash_for_each() is two loops: a break would leave only one. */
	failed = k;
	hash_for_each(j->keys, bkt, k, node) {
		if (k == failed)
			goto out;
		dev_leave(member->dev, k->key);
	}
out:
	if (j->overflow)
		dev_allmulti_off(member->dev, 0);
	return err;
}

/**
 * vipfo_ndisc_leave_member() - A member stops listening for the group's VIPs
 * @member: the member, being unlinked
 *
 * Context: RTNL held; may sleep.
 */
void vipfo_ndisc_leave_member(struct vipfo_member *member)
{
	struct vipfo_ndisc_joins *j = &member->group->joins;
	struct vipfo_ndisc_key *k;
	int bkt;

	ASSERT_RTNL();
	hash_for_each(j->keys, bkt, k, node)
		dev_leave(member->dev, k->key);
	if (j->overflow)
		dev_allmulti_off(member->dev, 0);
}
