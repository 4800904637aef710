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

/* Every member joins @key, or none does. */
static int members_join(struct vipfo_group *group, u32 key)
{
	struct vipfo_member *member, *failed;
	int err = 0;

	list_for_each_entry(member, &group->members, group_node) {
		err = dev_join(member->dev, key);
		if (err)
			break;
	}
	if (!err)
		return 0;
	failed = member;
	list_for_each_entry(member, &group->members, group_node) {
		if (member == failed)
			break;
		dev_leave(member->dev, key);
	}
	return err;
}

/* Every member goes all-multicast (@inc 1), or none does; or leaves it. */
static int members_allmulti(struct vipfo_group *group, int inc)
{
	struct vipfo_member *member, *failed;
	int err = 0;

	list_for_each_entry(member, &group->members, group_node) {
		err = dev_set_allmulti(member->dev, inc);
		if (err)
			break;
	}
	if (!err)
		return 0;
	failed = member;
	list_for_each_entry(member, &group->members, group_node) {
		if (member == failed)
			break;
		dev_set_allmulti(member->dev, -inc);
	}
	return err;
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
			err = members_allmulti(group, 1);
			if (err)
				return err;
		}
		j->overflow++;
		return 0;
	}
	k = kmalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!k)
		return -ENOMEM;
	err = members_join(group, key);
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
			members_allmulti(group, -1);
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
		err = dev_set_allmulti(member->dev, 1);
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
		dev_set_allmulti(member->dev, -1);
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
		dev_set_allmulti(member->dev, -1);
}
