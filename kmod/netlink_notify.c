// SPDX-License-Identifier: GPL-2.0
/*
 * Events to the "events" multicast group: failovers, recoveries,
 * hold-downs, conflicts and configuration changes. Built under RTNL, or
 * under RCU from the carrier poll and the ARP hook; a lost event is
 * counted by the socket.
 */

#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "group.h"
#include "net.h"
#include "netlink.h"
#include "netlink_fill.h"
#include "netlink_notify.h"
#include "vip.h"

static struct sk_buff *event_new_size(const struct vipfo_group *group,
				      u8 cmd, void **hdr, size_t size,
				      gfp_t gfp)
{
	struct sk_buff *skb = genlmsg_new(size, gfp);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &vipfo_family, 0, cmd);
	if (!*hdr || nla_put_string(skb, VIPFO_A_GROUP_NAME, group->name)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static struct sk_buff *event_new(const struct vipfo_group *group, u8 cmd,
				 void **hdr, gfp_t gfp)
{
	return event_new_size(group, cmd, hdr, NLMSG_GOODSIZE, gfp);
}

static void event_send(const struct vipfo_group *group, struct sk_buff *skb,
		       void *hdr, gfp_t gfp)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&vipfo_family, group->vn->net, skb, 0,
				VIPFO_NLGRP_EVENTS, gfp);
}

/**
 * vipfo_netlink_notify_failover() - Send a FAILOVER event
 * @member: the member that failed, or whose MAC changed
 * @reason: why
 * @detector: who saw it
 * @gfp: allocation flags
 *
 * Names the failed device and the active members that announce. An event
 * without memory is not sent.
 *
 * Context: RTNL held with GFP_KERNEL, or an RCU read-side critical section
 * in softirq with GFP_ATOMIC.
 */
void vipfo_netlink_notify_failover(const struct vipfo_member *member,
				   enum vipfo_reason reason,
				   enum vipfo_detector detector, gfp_t gfp)
{
	const struct vipfo_group *group = member->group;
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(group, VIPFO_CMD_FAILOVER_NTF, &hdr, gfp);
	if (!skb)
		return;
	if (vipfo_nl_put_dev(skb, VIPFO_A_FAILED_DEV, member->dev, NULL) ||
	    nla_put_u8(skb, VIPFO_A_REASON, reason) ||
	    nla_put_u8(skb, VIPFO_A_DETECTED_BY, detector) ||
	    vipfo_nl_put_members(skb, group, member, true) ||
	    nla_put_u32(skb, VIPFO_A_VIP_COUNT, READ_ONCE(group->n_vips)) ||
	    nla_put_u32(skb, VIPFO_A_GARP_COUNT,
			READ_ONCE(group->garp_count))) {
		nlmsg_free(skb);
		return;
	}
	event_send(group, skb, hdr, gfp);
}

/*
 * A member came back (RECOVER_NTF, state UP), or came back and is held
 * down (HOLD_NTF, state HELD_DOWN for @held_ms): the state it was put in,
 * not what it is by the time this is built (a new failure may have ended
 * the hold-down already, and has its own event).
 */
static void notify_member_back(const struct vipfo_member *member, u8 cmd,
			       enum vipfo_dev_state state,
			       unsigned int held_ms,
			       enum vipfo_detector detector, gfp_t gfp)
{
	struct sk_buff *skb;
	struct nlattr *nest;
	void *hdr;

	skb = event_new(member->group, cmd, &hdr, gfp);
	if (!skb)
		return;
	nest = nla_nest_start(skb, VIPFO_A_DEVS);
	if (!nest || vipfo_nl_put_dev_as(skb, VIPFO_A_DEV, member, state,
					 held_ms))
		goto err;
	nla_nest_end(skb, nest);
	if (nla_put_u8(skb, VIPFO_A_DETECTED_BY, detector))
		goto err;
	event_send(member->group, skb, hdr, gfp);
	return;
err:
	nlmsg_free(skb);
}

/**
 * vipfo_netlink_notify_recover() - Send a RECOVER event
 * @member: the member, active again
 * @detector: who saw it come back
 * @gfp: allocation flags
 *
 * Context: as vipfo_netlink_notify_failover(), or an RCU read-side
 * critical section in the hold-down timer with GFP_ATOMIC.
 */
void vipfo_netlink_notify_recover(const struct vipfo_member *member,
				  enum vipfo_detector detector, gfp_t gfp)
{
	notify_member_back(member, VIPFO_CMD_RECOVER_NTF, VIPFO_DEV_STATE_UP, 0,
			   detector, gfp);
}

/**
 * vipfo_netlink_notify_hold() - Send a HOLD event
 * @member: the member, back but held down
 * @held_ms: the hold-down it was given
 * @detector: who saw it come back
 * @gfp: allocation flags
 *
 * Context: as vipfo_netlink_notify_failover().
 */
void vipfo_netlink_notify_hold(const struct vipfo_member *member,
			       unsigned int held_ms,
			       enum vipfo_detector detector, gfp_t gfp)
{
	notify_member_back(member, VIPFO_CMD_HOLD_NTF,
			   VIPFO_DEV_STATE_HELD_DOWN, held_ms, detector, gfp);
}

/* Name, VIP, one device, a MAC: a few hundred bytes, in softirq. */
#define CONFLICT_NTF_SIZE	512

/**
 * vipfo_netlink_notify_conflict() - Send a CONFLICT event
 * @member: the member the claim arrived on
 * @vip: the claimed VIP
 * @mac: the claim's sender MAC
 *
 * Nothing is allocated while nobody listens.
 *
 * Context: RCU read-side critical section (the ARP hook, in softirq).
 */
void vipfo_netlink_notify_conflict(const struct vipfo_member *member,
				   const struct vipfo_vip *vip, const u8 *mac)
{
	const struct vipfo_group *group = member->group;
	struct nlattr *vips, *devs;
	struct sk_buff *skb;
	void *hdr;

	/* Not even the allocation when nobody listens. */
	if (!genl_has_listeners(&vipfo_family, group->vn->net,
				VIPFO_NLGRP_EVENTS))
		return;
	skb = event_new_size(group, VIPFO_CMD_CONFLICT_NTF, &hdr,
			     CONFLICT_NTF_SIZE, GFP_ATOMIC);
	if (!skb)
		return;
	vips = nla_nest_start(skb, VIPFO_A_VIPS);
	if (!vips || vipfo_nl_put_vip(skb, &vip->addr))
		goto err;
	nla_nest_end(skb, vips);
	devs = nla_nest_start(skb, VIPFO_A_DEVS);
	if (!devs || vipfo_nl_put_dev(skb, VIPFO_A_DEV, member->dev, NULL))
		goto err;
	nla_nest_end(skb, devs);
	if (nla_put(skb, VIPFO_A_PEER_MAC, ETH_ALEN, mac))
		goto err;
	event_send(group, skb, hdr, GFP_ATOMIC);
	return;
err:
	nlmsg_free(skb);
}

/**
 * vipfo_nl_event_change_build() - Build a CHANGE event without sending it
 * @group: the group
 * @change: what changed
 * @hdr: set to the message's header
 *
 * For a change whose event must be built before it is applied. The VIP
 * list is left out when it does not fit; the count is always there.
 *
 * Context: RTNL held; may sleep.
 * Return: the message, for the caller to end with genlmsg_end(@hdr) and
 * multicast, or NULL without memory.
 */
struct sk_buff *
vipfo_nl_event_change_build(const struct vipfo_group *group,
			    const struct vipfo_nl_change_info *change,
			    void **hdr)
{
	const struct vipfo_vip *vip;
	struct sk_buff *skb;
	struct nlattr *nest;
	unsigned int i;

	skb = event_new(group, VIPFO_CMD_CHANGE_NTF, hdr, GFP_KERNEL);
	if (!skb)
		return NULL;
	if (nla_put_u8(skb, VIPFO_A_CHANGE, change->cmd) ||
	    nla_put_u32(skb, VIPFO_A_VIP_COUNT, change->n_vips) ||
	    (change->reason >= 0 &&
	     nla_put_u8(skb, VIPFO_A_REASON, change->reason)))
		goto err;
	if (change->n_devs) {
		nest = nla_nest_start(skb, VIPFO_A_DEVS);
		if (!nest)
			goto err;
		for (i = 0; i < change->n_devs; i++)
			if (vipfo_nl_put_dev(skb, VIPFO_A_DEV, change->devs[i],
					     NULL))
				goto err;
		nla_nest_end(skb, nest);
	}
	if (!change->n_vips)
		return skb;

	/* The VIP list is best effort: the count is always there. */
	nest = nla_nest_start(skb, VIPFO_A_VIPS);
	if (!nest)
		return skb;
	if (change->vips) {
		for (i = 0; i < change->n_vips; i++)
			if (vipfo_nl_put_vip(skb, &change->vips[i]))
				goto no_list;
	} else {
		list_for_each_entry(vip, &change->vips_of->vips, group_node)
			if (vipfo_nl_put_vip(skb, &vip->addr))
				goto no_list;
	}
	nla_nest_end(skb, nest);
	return skb;

no_list:
	nla_nest_cancel(skb, nest);
	return skb;
err:
	nlmsg_free(skb);
	return NULL;
}

/**
 * vipfo_nl_event_change() - Send a CHANGE event
 * @group: the group
 * @change: what changed
 *
 * Context: RTNL held; may sleep.
 */
void vipfo_nl_event_change(const struct vipfo_group *group,
			   const struct vipfo_nl_change_info *change)
{
	struct sk_buff *skb;
	void *hdr;

	skb = vipfo_nl_event_change_build(group, change, &hdr);
	if (skb)
		event_send(group, skb, hdr, GFP_KERNEL);
}

/**
 * vipfo_netlink_notify_dev_removed() - Report a member the kernel removed
 * @member: the member, still with its device
 * @reason: why it left (unregistered, or unfit)
 *
 * A CHANGE event, as for VIPFO_CMD_DEV_DEL, with the reason.
 *
 * Context: RTNL held; may sleep.
 */
void vipfo_netlink_notify_dev_removed(const struct vipfo_member *member,
				      enum vipfo_reason reason)
{
	struct net_device *dev = member->dev;
	struct vipfo_nl_change_info change = {
		.cmd = VIPFO_CMD_DEV_DEL, .reason = reason, .devs = &dev,
		.n_devs = 1,
	};

	ASSERT_RTNL();
	vipfo_nl_event_change(member->group, &change);
}

