// SPDX-License-Identifier: GPL-2.0
/*
 * The handlers of the family's commands.
 *
 * Every changing request is parsed and checked completely, under RTNL,
 * before anything is applied; what can still fail while applying (memory)
 * is rolled back, so a request applies whole or not at all.
 */

#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "carrier.h"
#include "failover.h"
#include "group.h"
#include "limits.h"
#include "net.h"
#include "netlink.h"
#include "netlink_cmd.h"
#include "netlink_fill.h"
#include "netlink_notify.h"
#include "netlink_parse.h"
#include "ratelimit.h"
#include "vip.h"

/* A required attribute: reported as missing, with a message. */
#define MISSING(info, type, msg) ({					\
	struct genl_info *__gi = (info);				\
	bool __missing = GENL_REQ_ATTR_CHECK(__gi, type);		\
									\
	if (__missing)							\
		GENL_SET_ERR_MSG(__gi, msg);				\
	__missing;							\
})

/* Applying: can only fail for memory, and then undoes itself. */

static int devs_apply(struct vipfo_group *group,
		      const struct vipfo_nl_dev_list *devs)
{
	struct vipfo_member *added[VIPFO_MAX_MEMBERS];
	unsigned int i;

	for (i = 0; i < devs->n; i++) {
		added[i] = vipfo_member_add(group, devs->dev[i]);
		if (IS_ERR(added[i])) {
			int err = PTR_ERR(added[i]);

			while (i--)
				vipfo_member_remove(added[i]);
			return err;
		}
	}
	return 0;
}

/* The first VIP added is in *first (NULL when none is). */
static int vips_apply(struct vipfo_group *group,
		      const struct vipfo_nl_vip_list *vips,
		      struct vipfo_vip **first)
{
	struct vipfo_vip_graveyard graveyard = { };
	struct vipfo_vip *vip;
	unsigned int i;

	*first = NULL;
	for (i = 0; i < vips->n; i++) {
		vip = vipfo_vip_create(group, &vips->addr[i]);
		if (IS_ERR(vip)) {
			while (i--)
				vipfo_vip_destroy(vipfo_vip_lookup(group->vn,
								   &vips->addr[i]),
						  &graveyard);
			vipfo_vip_graveyard_free(&graveyard);
			*first = NULL;
			return PTR_ERR(vip);
		}
		if (!i)
			*first = vip;
	}
	return 0;
}

/*
 * A change that applied may still deserve a word, which the ack carries
 * as a warning (iproute2 prints it so): the group's VIPs are answered by
 * no member, or a device just added does not answer yet.
 */
static void warn_unanswered(struct genl_info *info, struct vipfo_group *group,
			    const struct vipfo_nl_dev_list *added)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];
	struct vipfo_net *vn = group->vn;
	unsigned int i;

	if (group->n_vips && !vipfo_live_members(group, ~0UL, live)) {
		GENL_SET_ERR_MSG(info, "no member is up: nothing answers for the VIPs");
		return;
	}
	for (i = 0; added && i < added->n; i++) {
		if (!vipfo_member_active(vipfo_member_find(vn, added->dev[i]))) {
			GENL_SET_ERR_MSG(info, "a device added is not up: it answers once it is");
			return;
		}
	}
}

static int reply_group(struct genl_info *info, const struct vipfo_group *group)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vipfo_family, 0,
				VIPFO_CMD_GROUP_GET);
	if (!hdr || vipfo_nl_put_group(msg, group)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * vipfo_nl_group_new() - VIPFO_CMD_GROUP_NEW: create a group
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * With its settings, devices and VIPs, all or nothing. Replies with the
 * group as GROUP_GET does, and sends a CHANGE event.
 *
 * Context: Process context; takes RTNL.
 * Return: 0, or a negative errno with a message in the extack.
 */
int vipfo_nl_group_new(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct vipfo_vip *first;
	struct vipfo_group *group;
	struct vipfo_nl_dev_list devs;
	struct vipfo_nl_vip_list vips;
	int err;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name") ||
	    !vipfo_nl_group_name_ok(attrs[VIPFO_A_GROUP_NAME], extack))
		return -EINVAL;

	rtnl_lock();
	/* Unloading destroys every group for good. (The other changes
	 * need a group: they fail by themselves.)
	 */
	if (vipfo_net_unloading()) {
		GENL_SET_ERR_MSG(info, "the module is being unloaded");
		err = -ESHUTDOWN;
		goto out;
	}
	if (vipfo_group_find(vn, nla_data(attrs[VIPFO_A_GROUP_NAME]))) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[VIPFO_A_GROUP_NAME],
				    "group already exists");
		err = -EEXIST;
		goto out;
	}
	if (vipfo_nl_over_limit(&vipfo_max_groups, vn->n_groups, 1,
				attrs[VIPFO_A_GROUP_NAME], extack)) {
		err = -ENOSPC;
		goto out;
	}
	if (!vipfo_nl_carrier_poll_ok(vn, attrs[VIPFO_A_CARRIER_POLL],
				      extack)) {
		err = -ERANGE;
		goto out;
	}
	err = vipfo_nl_devs_parse(vn, NULL, attrs[VIPFO_A_DEVS], true, &devs,
				  extack);
	if (err)
		goto out;
	err = vipfo_nl_vips_parse(vn, NULL, attrs[VIPFO_A_VIPS], true, &vips,
				  extack);
	if (err)
		goto out;
	err = vipfo_nl_ipv6_check(NULL, &devs, &vips, extack);
	if (err)
		goto out_vips;

	group = vipfo_group_create(vn, nla_data(attrs[VIPFO_A_GROUP_NAME]));
	if (IS_ERR(group)) {
		err = PTR_ERR(group);
		goto out_vips;
	}
	if (attrs[VIPFO_A_GARP_COUNT])
		group->garp_count = nla_get_u32(attrs[VIPFO_A_GARP_COUNT]);
	if (attrs[VIPFO_A_GARP_INTERVAL])
		group->garp_interval = nla_get_u32(attrs[VIPFO_A_GARP_INTERVAL]);
	if (attrs[VIPFO_A_CARRIER_POLL])
		group->carrier_poll = nla_get_u32(attrs[VIPFO_A_CARRIER_POLL]);
	if (attrs[VIPFO_A_REPLY_RATE]) {
		group->reply_rate = nla_get_u32(attrs[VIPFO_A_REPLY_RATE]);
		vipfo_ratelimit_reset(group);
	}
	if (attrs[VIPFO_A_UP_DELAY])
		group->up_delay = nla_get_u32(attrs[VIPFO_A_UP_DELAY]);
	err = devs_apply(group, &devs);
	if (!err)
		err = vips_apply(group, &vips, &first);
	if (err) {
		vipfo_group_destroy(group);
		goto out_vips;
	}
	if (first)
		vipfo_failover_vips_added(group, first);

	/* Applied: a reply that does not fit the socket is no failure. */
	reply_group(info, group);
	warn_unanswered(info, group, &devs);
	vipfo_nl_event_change(group, &(struct vipfo_nl_change_info){
		.reason = -1, .cmd = VIPFO_CMD_GROUP_NEW, .devs = devs.dev, .n_devs = devs.n,
		.vips = vips.addr, .n_vips = vips.n });
out_vips:
	vipfo_nl_vips_free(&vips);
out:
	rtnl_unlock();
	return err;
}

/**
 * vipfo_nl_group_del() - VIPFO_CMD_GROUP_DEL: destroy a group
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * The CHANGE event lists the devices and VIPs the group held.
 *
 * Context: Process context; takes RTNL.
 * Return: 0, or a negative errno with a message in the extack.
 */
int vipfo_nl_group_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	struct net_device *devs[VIPFO_MAX_MEMBERS];
	struct vipfo_member *member;
	struct vipfo_group *group;
	struct sk_buff *event;
	struct vipfo_nl_change_info change;
	void *hdr;
	int err = 0;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name"))
		return -EINVAL;

	rtnl_lock();
	group = vipfo_nl_group_lookup(vn, info);
	if (!group) {
		err = -ENOENT;
		goto out;
	}
	change = (struct vipfo_nl_change_info){
		.reason = -1, .cmd = VIPFO_CMD_GROUP_DEL, .devs = devs,
		.vips_of = group, .n_vips = group->n_vips };
	list_for_each_entry(member, &group->members, group_node)
		devs[change.n_devs++] = member->dev;
	/* Built first: the event lists what the group held. */
	event = vipfo_nl_event_change_build(group, &change, &hdr);
	vipfo_group_destroy(group);
	if (event) {
		genlmsg_end(event, hdr);
		genlmsg_multicast_netns(&vipfo_family, vn->net, event, 0,
					VIPFO_NLGRP_EVENTS, GFP_KERNEL);
	}
out:
	rtnl_unlock();
	return err;
}

/**
 * vipfo_nl_group_set() - VIPFO_CMD_GROUP_SET: change a group's settings
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * A new reply_rate refills the budget; a hold-down in progress keeps the
 * length it started with.
 *
 * Context: Process context; takes RTNL.
 * Return: 0, or a negative errno with a message in the extack.
 */
int vipfo_nl_group_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	struct vipfo_group *group;
	int err = 0;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name"))
		return -EINVAL;

	rtnl_lock();
	group = vipfo_nl_group_lookup(vn, info);
	if (!group) {
		err = -ENOENT;
		goto out;
	}
	if (!vipfo_nl_carrier_poll_ok(vn, info->attrs[VIPFO_A_CARRIER_POLL],
				      info->extack)) {
		err = -ERANGE;
		goto out;
	}
	if (info->attrs[VIPFO_A_GARP_COUNT])
		WRITE_ONCE(group->garp_count,
			   nla_get_u32(info->attrs[VIPFO_A_GARP_COUNT]));
	if (info->attrs[VIPFO_A_GARP_INTERVAL])
		WRITE_ONCE(group->garp_interval,
			   nla_get_u32(info->attrs[VIPFO_A_GARP_INTERVAL]));
	if (info->attrs[VIPFO_A_CARRIER_POLL]) {
		WRITE_ONCE(group->carrier_poll,
			   nla_get_u32(info->attrs[VIPFO_A_CARRIER_POLL]));
		vipfo_carrier_poll_update(vn);
	}
	if (info->attrs[VIPFO_A_REPLY_RATE]) {
		WRITE_ONCE(group->reply_rate,
			   nla_get_u32(info->attrs[VIPFO_A_REPLY_RATE]));
		vipfo_ratelimit_reset(group);
	}
	/* A hold-down in progress keeps the length it started with. */
	if (info->attrs[VIPFO_A_UP_DELAY])
		WRITE_ONCE(group->up_delay,
			   nla_get_u32(info->attrs[VIPFO_A_UP_DELAY]));
	vipfo_net_changed(vn);
	vipfo_nl_event_change(group, &(struct vipfo_nl_change_info){
		.reason = -1, .cmd = VIPFO_CMD_GROUP_SET });
out:
	rtnl_unlock();
	return err;
}

/**
 * vipfo_nl_group_get() - VIPFO_CMD_GROUP_GET: reply with one group
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * Everything but its VIP list, which only the dump sends.
 *
 * Context: Process context; takes RTNL.
 * Return: 0, or a negative errno.
 */
int vipfo_nl_group_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	struct vipfo_group *group;
	int err;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name"))
		return -EINVAL;

	rtnl_lock();
	group = vipfo_nl_group_lookup(vn, info);
	err = group ? reply_group(info, group) : -ENOENT;
	rtnl_unlock();
	return err;
}

/**
 * vipfo_nl_devs() - VIPFO_CMD_DEV_ADD and _DEL: add or remove members
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * All or nothing. A live member taken out is a failure to the peers that
 * chose it: the others announce, as after one.
 *
 * Context: Process context; takes RTNL.
 * Return: 0, or a negative errno with a message in the extack.
 */
int vipfo_nl_devs(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	bool add = info->genlhdr->cmd == VIPFO_CMD_DEV_ADD;
	struct vipfo_member *member;
	struct vipfo_group *group;
	struct vipfo_nl_dev_list devs;
	unsigned int i;
	int err;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name") ||
	    MISSING(info, VIPFO_A_DEVS, "missing device list"))
		return -EINVAL;

	rtnl_lock();
	group = vipfo_nl_group_lookup(vn, info);
	if (!group) {
		err = -ENOENT;
		goto out;
	}
	err = vipfo_nl_devs_parse(vn, group, info->attrs[VIPFO_A_DEVS], add,
				  &devs, info->extack);
	if (err)
		goto out;
	if (add) {
		err = vipfo_nl_ipv6_check(group, &devs, NULL, info->extack);
		if (!err)
			err = devs_apply(group, &devs);
		if (err)
			goto out;
	} else {
		/* A live member taken out is a failure to the peers
		 * that chose it: the others announce, as after one.
		 */
		for (i = 0; i < devs.n; i++) {
			member = vipfo_member_find(vn, devs.dev[i]);
			vipfo_member_unlink(member);
			vipfo_failover_member_left(member,
						   VIPFO_REASON_REMOVED);
			vipfo_member_free(member);
		}
	}
	vipfo_nl_event_change(group, &(struct vipfo_nl_change_info){
		.reason = -1, .cmd = info->genlhdr->cmd, .devs = devs.dev, .n_devs = devs.n });
	warn_unanswered(info, group, add ? &devs : NULL);
out:
	rtnl_unlock();
	return err;
}

/**
 * vipfo_nl_vips() - VIPFO_CMD_VIP_ADD and _DEL: add or remove VIPs
 * @skb: the request
 * @info: the request's attributes and extack
 *
 * All or nothing. The live members announce the VIPs added.
 *
 * Context: Process context; takes RTNL.
 * Return: 0, or a negative errno with a message in the extack.
 */
int vipfo_nl_vips(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	bool add = info->genlhdr->cmd == VIPFO_CMD_VIP_ADD;
	struct vipfo_vip_graveyard graveyard = { };
	struct vipfo_vip *first;
	struct vipfo_group *group;
	struct vipfo_nl_vip_list vips;
	unsigned int i;
	int err;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name") ||
	    MISSING(info, VIPFO_A_VIPS, "missing VIP list"))
		return -EINVAL;

	rtnl_lock();
	group = vipfo_nl_group_lookup(vn, info);
	if (!group) {
		err = -ENOENT;
		goto out;
	}
	err = vipfo_nl_vips_parse(vn, group, info->attrs[VIPFO_A_VIPS], add,
				  &vips, info->extack);
	if (err)
		goto out;
	if (add) {
		err = vipfo_nl_ipv6_check(group, NULL, &vips, info->extack);
		if (!err)
			err = vips_apply(group, &vips, &first);
		if (err)
			goto out_vips;
		if (first)
			vipfo_failover_vips_added(group, first);
	} else {
		for (i = 0; i < vips.n; i++)
			vipfo_vip_destroy(vipfo_vip_lookup(vn, &vips.addr[i]),
					  &graveyard);
		vipfo_vip_graveyard_free(&graveyard);
	}
	vipfo_nl_event_change(group, &(struct vipfo_nl_change_info){
		.reason = -1, .cmd = info->genlhdr->cmd, .vips = vips.addr, .n_vips = vips.n });
	if (add)
		warn_unanswered(info, group, NULL);
out_vips:
	vipfo_nl_vips_free(&vips);
out:
	rtnl_unlock();
	return err;
}

