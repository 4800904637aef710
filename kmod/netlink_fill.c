// SPDX-License-Identifier: GPL-2.0
/*
 * Message building, shared by replies, dumps and events.
 */

#include <linux/etherdevice.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "failover.h"
#include "group.h"
#include "netlink_fill.h"

static int put_stats(struct sk_buff *skb, int type,
		     struct vipfo_stats __percpu *stats)
{
	u64 sum[VIPFO_NR_COUNTERS];
	struct nlattr *nest;
	int i;

	vipfo_stats_read(stats, sum);
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < VIPFO_NR_COUNTERS; i++)
		if (nla_put_u64_64bit(skb, VIPFO_STATS_A_REQUESTS + i, sum[i],
				      VIPFO_STATS_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * vipfo_nl_put_dev_as() - Put a device nest with a given state
 * @skb: the message
 * @type: VIPFO_A_DEV or VIPFO_A_FAILED_DEV
 * @member: the member, for its device and counters
 * @state: the state to report
 * @held_ms: with VIPFO_DEV_STATE_HELD_DOWN, the hold-down left
 *
 * For an event that reports a state the member was put in, which may have
 * changed again by the time the event is built.
 *
 * Context: RTNL held or RCU read-side critical section.
 * Return: 0, or -EMSGSIZE with the nest left open: the caller cancels or
 * drops the message.
 */
int vipfo_nl_put_dev_as(struct sk_buff *skb, int type,
			const struct vipfo_member *member,
			enum vipfo_dev_state state, unsigned int held_ms)
{
	const struct net_device *dev = member->dev;
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u32(skb, VIPFO_DEV_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, VIPFO_DEV_A_IFNAME, dev->name) ||
	    nla_put(skb, VIPFO_DEV_A_MAC, ETH_ALEN, dev->dev_addr) ||
	    nla_put_u8(skb, VIPFO_DEV_A_STATE, state) ||
	    (state == VIPFO_DEV_STATE_HELD_DOWN &&
	     nla_put_u32(skb, VIPFO_DEV_A_HELD_MS, held_ms)) ||
	    put_stats(skb, VIPFO_DEV_A_STATS, member->stats))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * vipfo_nl_put_dev() - Put a device nest
 * @skb: the message
 * @type: VIPFO_A_DEV or VIPFO_A_FAILED_DEV
 * @dev: the device
 * @member: its member, for its state and counters; NULL: the device only
 *
 * Context: RTNL held or RCU read-side critical section.
 * Return: 0, or -EMSGSIZE with the nest left open: the caller cancels or
 * drops the message.
 */
int vipfo_nl_put_dev(struct sk_buff *skb, int type,
		     const struct net_device *dev,
		     const struct vipfo_member *member)
{
	struct nlattr *nest;

	if (member)
		return vipfo_nl_put_dev_as(skb, type, member,
					   vipfo_member_state(member),
					   vipfo_failover_held_ms(member));
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    nla_put_u32(skb, VIPFO_DEV_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, VIPFO_DEV_A_IFNAME, dev->name) ||
	    nla_put(skb, VIPFO_DEV_A_MAC, ETH_ALEN, dev->dev_addr))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * vipfo_nl_put_members() - Put a group's members as a VIPFO_A_DEVS nest
 * @skb: the message
 * @group: the group
 * @except: a member to leave out, or NULL
 * @live_only: only the active members, without their state and counters
 *
 * Context: RTNL held or RCU read-side critical section.
 * Return: 0, or -EMSGSIZE with the nest left open: the caller cancels or
 * drops the message.
 */
int vipfo_nl_put_members(struct sk_buff *skb, const struct vipfo_group *group,
			 const struct vipfo_member *except, bool live_only)
{
	const struct vipfo_member *member;
	struct nlattr *nest = nla_nest_start(skb, VIPFO_A_DEVS);

	if (!nest)
		return -EMSGSIZE;
	list_for_each_entry_rcu(member, &group->members, group_node,
				lockdep_rtnl_is_held()) {
		if (member == except ||
		    (live_only && !vipfo_member_active(member)))
			continue;
		if (vipfo_nl_put_dev(skb, VIPFO_A_DEV, member->dev,
				     live_only ? NULL : member))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * vipfo_nl_put_vip() - Put a VIP nest
 * @skb: the message
 * @addr: the VIP's address; an IPv4 one in its IPv4-mapped form
 *
 * Context: Any context.
 * Return: 0, or -EMSGSIZE with nothing of it in @skb: a dump resumes at
 * this VIP in its next message.
 */
int vipfo_nl_put_vip(struct sk_buff *skb, const struct in6_addr *addr)
{
	struct nlattr *nest = nla_nest_start(skb, VIPFO_A_VIP);
	int err;

	if (!nest)
		return -EMSGSIZE;
	if (ipv6_addr_v4mapped(addr))
		err = nla_put_u16(skb, VIPFO_VIP_A_FAMILY, AF_INET) ||
		      nla_put_in_addr(skb, VIPFO_VIP_A_ADDR, addr->s6_addr32[3]);
	else
		err = nla_put_u16(skb, VIPFO_VIP_A_FAMILY, AF_INET6) ||
		      nla_put_in6_addr(skb, VIPFO_VIP_A_ADDR, addr);
	if (err) {
		/* A dump resumes here in the next message. */
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * vipfo_nl_put_group() - Put everything about a group but its VIP list
 * @skb: the message
 * @group: the group
 *
 * Context: RTNL held.
 * Return: 0, or -EMSGSIZE: the caller cancels or drops the message.
 */
int vipfo_nl_put_group(struct sk_buff *skb, const struct vipfo_group *group)
{
	if (nla_put_string(skb, VIPFO_A_GROUP_NAME, group->name) ||
	    nla_put_u32(skb, VIPFO_A_GARP_COUNT, group->garp_count) ||
	    nla_put_u32(skb, VIPFO_A_GARP_INTERVAL, group->garp_interval) ||
	    nla_put_u32(skb, VIPFO_A_CARRIER_POLL, group->carrier_poll) ||
	    nla_put_u32(skb, VIPFO_A_REPLY_RATE, group->reply_rate) ||
	    nla_put_u32(skb, VIPFO_A_UP_DELAY, group->up_delay) ||
	    nla_put_u32(skb, VIPFO_A_VIP_COUNT, group->n_vips) ||
	    put_stats(skb, VIPFO_A_STATS, group->stats) ||
	    vipfo_nl_put_members(skb, group, NULL, false))
		return -EMSGSIZE;
	return 0;
}

