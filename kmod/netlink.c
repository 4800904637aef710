// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "vipfo": configuration, dumps and events.
 *
 * Every changing request is parsed and checked completely, under RTNL,
 * before anything is applied; what can still fail while applying (memory)
 * is rolled back, so a request applies whole or not at all.
 */

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "carrier.h"
#include "failover.h"
#include "group.h"
#include "limits.h"
#include "net.h"
#include "netlink.h"
#include "ratelimit.h"
#include "vip.h"

static struct genl_family vipfo_family;

enum { MCGRP_EVENTS };

static const struct genl_multicast_group vipfo_mcgrps[] = {
	[MCGRP_EVENTS] = { .name = VIPFO_MCGRP_EVENTS },
};

/* Policies: strict, so that handlers need not check types or lengths. */

static const struct nla_policy dev_policy[VIPFO_DEV_A_IFINDEX + 1] = {
	[VIPFO_DEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy vip_policy[VIPFO_VIP_A_MAX + 1] = {
	[VIPFO_VIP_A_FAMILY] = { .type = NLA_U16 },
	[VIPFO_VIP_A_ADDR] = NLA_POLICY_RANGE(NLA_BINARY,
					      sizeof(struct in_addr),
					      sizeof(struct in6_addr)),
};

/* Each list nest holds one kind of entry only. */
static const struct nla_policy devs_policy[VIPFO_A_DEV + 1] = {
	[VIPFO_A_DEV] = NLA_POLICY_NESTED(dev_policy),
};

static const struct nla_policy vips_policy[VIPFO_A_VIP + 1] = {
	[VIPFO_A_VIP] = NLA_POLICY_NESTED(vip_policy),
};

#define NAME_POLICY { .type = NLA_NUL_STRING, .len = VIPFO_GROUP_NAME_SIZE - 1 }
/* 0: answer, never announce. */
#define GARP_COUNT_POLICY NLA_POLICY_RANGE(NLA_U32, 0, 100)
/* Policy ranges are s16: larger bounds need a range structure. */
static struct netlink_range_validation garp_interval_range = {
	.min = 10,
	.max = 60000,
};

#define GARP_INTERVAL_POLICY NLA_POLICY_FULL_RANGE(NLA_U32, &garp_interval_range)
#define CARRIER_POLL_POLICY NLA_POLICY_MAX(NLA_U32, 1000)

static struct netlink_range_validation reply_rate_range = {
	.max = VIPFO_REPLY_RATE_MAX,
};

#define REPLY_RATE_POLICY NLA_POLICY_FULL_RANGE(NLA_U32, &reply_rate_range)

static struct netlink_range_validation up_delay_range = {
	.max = VIPFO_UP_DELAY_MAX,
};

#define UP_DELAY_POLICY NLA_POLICY_FULL_RANGE(NLA_U32, &up_delay_range)

static const struct nla_policy group_new_policy[VIPFO_A_MAX + 1] = {
	[VIPFO_A_GROUP_NAME] = NAME_POLICY,
	[VIPFO_A_GARP_COUNT] = GARP_COUNT_POLICY,
	[VIPFO_A_GARP_INTERVAL] = GARP_INTERVAL_POLICY,
	[VIPFO_A_CARRIER_POLL] = CARRIER_POLL_POLICY,
	[VIPFO_A_REPLY_RATE] = REPLY_RATE_POLICY,
	[VIPFO_A_UP_DELAY] = UP_DELAY_POLICY,
	[VIPFO_A_DEVS] = NLA_POLICY_NESTED(devs_policy),
	[VIPFO_A_VIPS] = NLA_POLICY_NESTED(vips_policy),
};

static const struct nla_policy group_name_policy[VIPFO_A_MAX + 1] = {
	[VIPFO_A_GROUP_NAME] = NAME_POLICY,
};

static const struct nla_policy group_set_policy[VIPFO_A_MAX + 1] = {
	[VIPFO_A_GROUP_NAME] = NAME_POLICY,
	[VIPFO_A_GARP_COUNT] = GARP_COUNT_POLICY,
	[VIPFO_A_GARP_INTERVAL] = GARP_INTERVAL_POLICY,
	[VIPFO_A_CARRIER_POLL] = CARRIER_POLL_POLICY,
	[VIPFO_A_REPLY_RATE] = REPLY_RATE_POLICY,
	[VIPFO_A_UP_DELAY] = UP_DELAY_POLICY,
};

static const struct nla_policy devs_op_policy[VIPFO_A_MAX + 1] = {
	[VIPFO_A_GROUP_NAME] = NAME_POLICY,
	[VIPFO_A_DEVS] = NLA_POLICY_NESTED(devs_policy),
};

static const struct nla_policy vips_op_policy[VIPFO_A_MAX + 1] = {
	[VIPFO_A_GROUP_NAME] = NAME_POLICY,
	[VIPFO_A_VIPS] = NLA_POLICY_NESTED(vips_policy),
};

/* A required attribute: reported as missing, with a message. */
#define MISSING(info, type, msg) ({					\
	struct genl_info *__gi = (info);				\
	bool __missing = GENL_REQ_ATTR_CHECK(__gi, type);		\
									\
	if (__missing)							\
		GENL_SET_ERR_MSG(__gi, msg);				\
	__missing;							\
})

/* Message building, shared by replies, dumps and events. */

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

/* One VIPFO_A_DEV (or VIPFO_A_FAILED_DEV) nest. */
static int put_dev(struct sk_buff *skb, int type,
		   const struct net_device *dev,
		   const struct vipfo_member *member)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest ||
	    nla_put_u32(skb, VIPFO_DEV_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, VIPFO_DEV_A_IFNAME, dev->name) ||
	    nla_put(skb, VIPFO_DEV_A_MAC, ETH_ALEN, dev->dev_addr))
		return -EMSGSIZE;
	if (member &&
	    (nla_put_u8(skb, VIPFO_DEV_A_STATE, vipfo_member_state(member)) ||
	     (vipfo_member_state(member) == VIPFO_DEV_STATE_HELD_DOWN &&
	      nla_put_u32(skb, VIPFO_DEV_A_HELD_MS,
			  vipfo_failover_held_ms(member))) ||
	     put_stats(skb, VIPFO_DEV_A_STATS, member->stats)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Under RTNL or RCU. */
static int put_members(struct sk_buff *skb, const struct vipfo_group *group,
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
		if (put_dev(skb, VIPFO_A_DEV, member->dev,
			    live_only ? NULL : member))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_vip(struct sk_buff *skb, const struct in6_addr *addr)
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

/* Everything about a group but its VIP list. */
static int put_group(struct sk_buff *skb, const struct vipfo_group *group)
{
	if (nla_put_string(skb, VIPFO_A_GROUP_NAME, group->name) ||
	    nla_put_u32(skb, VIPFO_A_GARP_COUNT, group->garp_count) ||
	    nla_put_u32(skb, VIPFO_A_GARP_INTERVAL, group->garp_interval) ||
	    nla_put_u32(skb, VIPFO_A_CARRIER_POLL, group->carrier_poll) ||
	    nla_put_u32(skb, VIPFO_A_REPLY_RATE, group->reply_rate) ||
	    nla_put_u32(skb, VIPFO_A_UP_DELAY, group->up_delay) ||
	    nla_put_u32(skb, VIPFO_A_VIP_COUNT, group->n_vips) ||
	    put_stats(skb, VIPFO_A_STATS, group->stats) ||
	    put_members(skb, group, NULL, false))
		return -EMSGSIZE;
	return 0;
}

/*
 * Events. Built under RTNL, or under RCU from the carrier poll and the
 * ARP hook; a lost event is counted by the socket.
 */

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
				MCGRP_EVENTS, gfp);
}

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
	if (put_dev(skb, VIPFO_A_FAILED_DEV, member->dev, NULL) ||
	    nla_put_u8(skb, VIPFO_A_REASON, reason) ||
	    nla_put_u8(skb, VIPFO_A_DETECTED_BY, detector) ||
	    put_members(skb, group, member, true) ||
	    nla_put_u32(skb, VIPFO_A_VIP_COUNT, READ_ONCE(group->n_vips)) ||
	    nla_put_u32(skb, VIPFO_A_GARP_COUNT,
			READ_ONCE(group->garp_count))) {
		nlmsg_free(skb);
		return;
	}
	event_send(group, skb, hdr, gfp);
}

/* A member came back (RECOVER_NTF), or came back and is held down. */
static void notify_member_back(const struct vipfo_member *member, u8 cmd,
			       enum vipfo_detector detector, gfp_t gfp)
{
	struct sk_buff *skb;
	struct nlattr *nest;
	void *hdr;

	skb = event_new(member->group, cmd, &hdr, gfp);
	if (!skb)
		return;
	nest = nla_nest_start(skb, VIPFO_A_DEVS);
	if (!nest || put_dev(skb, VIPFO_A_DEV, member->dev, member))
		goto err;
	nla_nest_end(skb, nest);
	if (nla_put_u8(skb, VIPFO_A_DETECTED_BY, detector))
		goto err;
	event_send(member->group, skb, hdr, gfp);
	return;
err:
	nlmsg_free(skb);
}

void vipfo_netlink_notify_recover(const struct vipfo_member *member,
				  enum vipfo_detector detector, gfp_t gfp)
{
	notify_member_back(member, VIPFO_CMD_RECOVER_NTF, detector, gfp);
}

void vipfo_netlink_notify_hold(const struct vipfo_member *member,
			       enum vipfo_detector detector, gfp_t gfp)
{
	notify_member_back(member, VIPFO_CMD_HOLD_NTF, detector, gfp);
}

/* Name, VIP, one device, a MAC: a few hundred bytes, in softirq. */
#define CONFLICT_NTF_SIZE	512

void vipfo_netlink_notify_conflict(const struct vipfo_member *member,
				   const struct vipfo_vip *vip, const u8 *mac)
{
	const struct vipfo_group *group = member->group;
	struct nlattr *vips, *devs;
	struct sk_buff *skb;
	void *hdr;

	/* Not even the allocation when nobody listens. */
	if (!genl_has_listeners(&vipfo_family, group->vn->net, MCGRP_EVENTS))
		return;
	skb = event_new_size(group, VIPFO_CMD_CONFLICT_NTF, &hdr,
			     CONFLICT_NTF_SIZE, GFP_ATOMIC);
	if (!skb)
		return;
	vips = nla_nest_start(skb, VIPFO_A_VIPS);
	if (!vips || put_vip(skb, &vip->addr))
		goto err;
	nla_nest_end(skb, vips);
	devs = nla_nest_start(skb, VIPFO_A_DEVS);
	if (!devs || put_dev(skb, VIPFO_A_DEV, member->dev, NULL))
		goto err;
	nla_nest_end(skb, devs);
	if (nla_put(skb, VIPFO_A_PEER_MAC, ETH_ALEN, mac))
		goto err;
	event_send(group, skb, hdr, GFP_ATOMIC);
	return;
err:
	nlmsg_free(skb);
}

/* A configuration change: devices and VIPs affected, VIPs if they fit. */
struct change_info {
	u8 cmd;
	int reason;			/* enum vipfo_reason, or -1: none */
	struct net_device **devs;
	unsigned int n_devs;
	const struct in6_addr *vips;	/* an array, or NULL: */
	const struct vipfo_group *vips_of; /* every VIP of this group */
	unsigned int n_vips;
};

static struct sk_buff *event_change_build(const struct vipfo_group *group,
					  const struct change_info *change,
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
			if (put_dev(skb, VIPFO_A_DEV, change->devs[i], NULL))
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
			if (put_vip(skb, &change->vips[i]))
				goto no_list;
	} else {
		list_for_each_entry(vip, &change->vips_of->vips, group_node)
			if (put_vip(skb, &vip->addr))
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

static void event_change(const struct vipfo_group *group,
			 const struct change_info *change)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_change_build(group, change, &hdr);
	if (skb)
		event_send(group, skb, hdr, GFP_KERNEL);
}

void vipfo_netlink_notify_dev_removed(const struct vipfo_member *member,
				      enum vipfo_reason reason)
{
	struct net_device *dev = member->dev;
	struct change_info change = {
		.cmd = VIPFO_CMD_DEV_DEL, .reason = reason, .devs = &dev,
		.n_devs = 1,
	};

	ASSERT_RTNL();
	event_change(member->group, &change);
}

/* Request parsing: everything is checked before anything changes. */

/* Would @more on top of @have exceed @limit? Then refused, naming it. */
static bool over_limit(struct vipfo_limit *limit, unsigned int have,
		       unsigned int more, const struct nlattr *attr,
		       struct netlink_ext_ack *extack)
{
	const struct vipfo_limit_val *val = vipfo_limit(limit);

	if (more <= val->value && have <= val->value - more)
		return false;
	vipfo_limit_refuse(extack, attr, val);
	return true;
}

/*
 * Namespaces of other user namespaces poll no faster than carrier_poll_min
 * (0, off, is always allowed): their timers run on the host's CPUs.
 */
static bool carrier_poll_ok(struct vipfo_net *vn, const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	const struct vipfo_limit_val *floor = vipfo_carrier_poll_floor(vn);
	u32 ms;

	if (!attr || !floor)
		return true;
	ms = nla_get_u32(attr);
	if (!ms || ms >= floor->value)
		return true;
	vipfo_limit_refuse(extack, attr, floor);
	return false;
}

static bool group_name_ok(const struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	const char *p = nla_data(attr);

	if (!*p) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "empty group name");
		return false;
	}
	/* ASCII only: the kernel's isalnum() also takes Latin-1 letters. */
	for (; *p; p++) {
		if (!isascii(*p) ||
		    (!isalnum(*p) && *p != '_' && *p != '.' && *p != '-')) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "group name may only hold letters, digits, '_', '.' and '-'");
			return false;
		}
	}
	return true;
}

static struct vipfo_group *group_lookup(struct vipfo_net *vn,
					struct genl_info *info)
{
	struct nlattr *attr = info->attrs[VIPFO_A_GROUP_NAME];
	struct vipfo_group *group;

	group = vipfo_group_find(vn, nla_data(attr));
	if (!group)
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such group");
	return group;
}

struct dev_list {
	struct net_device *dev[VIPFO_MAX_MEMBERS];
	unsigned int n;
};

/* Resolve the devices to add to (group may be NULL: a new group) or to
 * remove from a group. Under RTNL the devices cannot go away.
 */
static int devs_parse(struct vipfo_net *vn, struct vipfo_group *group,
		      const struct nlattr *list, bool add,
		      struct dev_list *devs, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VIPFO_DEV_A_MAX + 1];
	unsigned int members = group ? group->n_members : 0;
	struct vipfo_member *member;
	struct net_device *dev;
	const struct nlattr *attr;
	const char *unfit;
	unsigned int i;
	int rem, err;

	devs->n = 0;
	if (!list)
		return 0;
	nla_for_each_nested(attr, list, rem) {
		err = nla_parse_nested(tb, VIPFO_DEV_A_MAX, attr, dev_policy,
				       extack);
		if (err)
			return err;
		if (NL_REQ_ATTR_CHECK(extack, attr, tb, VIPFO_DEV_A_IFINDEX)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "device without ifindex");
			return -EINVAL;
		}
		dev = __dev_get_by_index(vn->net, nla_get_u32(tb[VIPFO_DEV_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "no such device");
			return -ENODEV;
		}
		for (i = 0; i < devs->n; i++) {
			if (devs->dev[i] == dev) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "device given twice");
				return -EINVAL;
			}
		}
		member = vipfo_member_find(vn, dev);
		if (add) {
			if (member && member->group == group) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "device is already a member of this group");
				return -EEXIST;
			}
			if (member) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "device is a member of another group");
				return -EBUSY;
			}
			unfit = vipfo_member_dev_unfit(dev);
			if (unfit) {
				/* NL_SET_ERR_MSG_ATTR() takes literals only. */
				if (extack) {
					extack->_msg = unfit;
					extack->bad_attr = attr;
				}
				return -EINVAL;
			}
			if (members + devs->n >= VIPFO_MAX_MEMBERS) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "too many devices in the group");
				return -ENOSPC;
			}
		} else if (!member || member->group != group) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "device is not a member of this group");
			return -ENOENT;
		}
		devs->dev[devs->n++] = dev;
	}
	if (!devs->n) {
		NL_SET_ERR_MSG_ATTR(extack, list, "empty device list");
		return -EINVAL;
	}
	return 0;
}

struct vip_list {
	struct in6_addr *addr;
	const struct nlattr **attr;
	unsigned int n;
};

static void vips_free(struct vip_list *vips)
{
	kvfree(vips->addr);
	kvfree(vips->attr);
}

static bool vip_addr_ok(struct nlattr **tb, struct in6_addr *addr,
			struct netlink_ext_ack *extack, int *err)
{
	const struct nlattr *a = tb[VIPFO_VIP_A_ADDR];
	__be32 v4;

	*err = -EINVAL;
	switch (nla_get_u16(tb[VIPFO_VIP_A_FAMILY])) {
	case AF_INET:
		if (nla_len(a) != sizeof(v4)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "IPv4 address must be 4 bytes");
			return false;
		}
		v4 = nla_get_in_addr(a);
		if (ipv4_is_zeronet(v4) || ipv4_is_loopback(v4) ||
		    ipv4_is_multicast(v4) || ipv4_is_lbcast(v4)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "not a unicast IPv4 address");
			return false;
		}
		ipv6_addr_set_v4mapped(v4, addr);
		return true;
	case AF_INET6:
		if (nla_len(a) != sizeof(*addr)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "IPv6 address must be 16 bytes");
			return false;
		}
		*err = -EOPNOTSUPP;
		NL_SET_ERR_MSG_ATTR(extack, a, "IPv6 VIPs are not supported yet");
		return false;
	default:
		*err = -EAFNOSUPPORT;
		NL_SET_ERR_MSG_ATTR(extack, tb[VIPFO_VIP_A_FAMILY],
				    "unknown address family");
		return false;
	}
}

static int vip_cmp(const void *a, const void *b, const void *priv)
{
	const struct vip_list *vips = priv;

	return memcmp(&vips->addr[*(const u32 *)a], &vips->addr[*(const u32 *)b],
		      sizeof(struct in6_addr));
}

/* A request names each VIP once: sort indexes to find repeats in n log n. */
static int vips_check_repeats(struct vip_list *vips,
			      struct netlink_ext_ack *extack)
{
	unsigned int i;
	u32 *order;
	int err = 0;

	if (vips->n < 2)
		return 0;
	order = kvmalloc_array(vips->n, sizeof(*order), GFP_KERNEL_ACCOUNT);
	if (!order)
		return -ENOMEM;
	for (i = 0; i < vips->n; i++)
		order[i] = i;
	sort_r(order, vips->n, sizeof(*order), vip_cmp, NULL, vips);
	for (i = 1; i < vips->n; i++) {
		if (!vip_cmp(&order[i - 1], &order[i], vips)) {
			NL_SET_ERR_MSG_ATTR(extack,
					    vips->attr[max(order[i - 1], order[i])],
					    "VIP given twice");
			err = -EINVAL;
			break;
		}
	}
	kvfree(order);
	return err;
}

/* Parse the VIPs to add to or remove from a group. */
static int vips_parse(struct vipfo_net *vn, struct vipfo_group *group,
		      const struct nlattr *list, bool add,
		      struct vip_list *vips, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VIPFO_VIP_A_MAX + 1];
	const struct nlattr *attr;
	struct vipfo_vip *vip;
	unsigned int n = 0;
	int rem, err;

	memset(vips, 0, sizeof(*vips));
	if (!list)
		return 0;
	nla_for_each_nested(attr, list, rem)
		n++;
	if (!n) {
		NL_SET_ERR_MSG_ATTR(extack, list, "empty VIP list");
		return -EINVAL;
	}
	if (add && over_limit(&vipfo_max_vips, vn->n_vips, n, list, extack))
		return -ENOSPC;
	vips->addr = kvmalloc_array(n, sizeof(*vips->addr), GFP_KERNEL_ACCOUNT);
	vips->attr = kvmalloc_array(n, sizeof(*vips->attr), GFP_KERNEL_ACCOUNT);
	if (!vips->addr || !vips->attr) {
		err = -ENOMEM;
		goto err;
	}

	nla_for_each_nested(attr, list, rem) {
		struct in6_addr *addr = &vips->addr[vips->n];

		err = nla_parse_nested(tb, VIPFO_VIP_A_MAX, attr, vip_policy,
				       extack);
		if (err)
			goto err;
		if (NL_REQ_ATTR_CHECK(extack, attr, tb, VIPFO_VIP_A_FAMILY) ||
		    NL_REQ_ATTR_CHECK(extack, attr, tb, VIPFO_VIP_A_ADDR)) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "VIP needs a family and an address");
			err = -EINVAL;
			goto err;
		}
		if (!vip_addr_ok(tb, addr, extack, &err))
			goto err;

		vip = vipfo_vip_lookup(vn, addr);
		if (add && vip) {
			if (vip->group == group)
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "VIP is already in this group");
			else
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "VIP belongs to another group");
			err = -EEXIST;
			goto err;
		}
		if (!add && (!vip || vip->group != group)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "VIP is not in this group");
			err = -ENOENT;
			goto err;
		}
		vips->attr[vips->n++] = attr;
	}
	err = vips_check_repeats(vips, extack);
	if (err)
		goto err;
	return 0;

err:
	vips_free(vips);
	return err;
}

/* Applying: can only fail for memory, and then undoes itself. */

static int devs_apply(struct vipfo_group *group, const struct dev_list *devs)
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

static int vips_apply(struct vipfo_group *group, const struct vip_list *vips)
{
	struct vipfo_vip *vip;
	unsigned int i;

	for (i = 0; i < vips->n; i++) {
		vip = vipfo_vip_create(group, &vips->addr[i]);
		if (IS_ERR(vip)) {
			while (i--)
				vipfo_vip_destroy(vipfo_vip_lookup(group->vn,
								   &vips->addr[i]));
			return PTR_ERR(vip);
		}
	}
	return 0;
}

/* Handlers. */

static int reply_group(struct genl_info *info, const struct vipfo_group *group)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vipfo_family, 0,
				VIPFO_CMD_GROUP_GET);
	if (!hdr || put_group(msg, group)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int vipfo_nl_group_new(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct vipfo_group *group;
	struct dev_list devs;
	struct vip_list vips;
	int err;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name") ||
	    !group_name_ok(attrs[VIPFO_A_GROUP_NAME], extack))
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
	if (over_limit(&vipfo_max_groups, vn->n_groups, 1,
		       attrs[VIPFO_A_GROUP_NAME], extack)) {
		err = -ENOSPC;
		goto out;
	}
	if (!carrier_poll_ok(vn, attrs[VIPFO_A_CARRIER_POLL], extack)) {
		err = -ERANGE;
		goto out;
	}
	err = devs_parse(vn, NULL, attrs[VIPFO_A_DEVS], true, &devs, extack);
	if (err)
		goto out;
	err = vips_parse(vn, NULL, attrs[VIPFO_A_VIPS], true, &vips, extack);
	if (err)
		goto out;

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
		vipfo_arp_budget_reset(group);
	}
	if (attrs[VIPFO_A_UP_DELAY])
		group->up_delay = nla_get_u32(attrs[VIPFO_A_UP_DELAY]);
	err = devs_apply(group, &devs);
	if (!err)
		err = vips_apply(group, &vips);
	if (err) {
		vipfo_group_destroy(group);
		goto out_vips;
	}

	/* Applied: a reply that does not fit the socket is no failure. */
	reply_group(info, group);
	event_change(group, &(struct change_info){
		.reason = -1, .cmd = VIPFO_CMD_GROUP_NEW, .devs = devs.dev, .n_devs = devs.n,
		.vips = vips.addr, .n_vips = vips.n });
out_vips:
	vips_free(&vips);
out:
	rtnl_unlock();
	return err;
}

static int vipfo_nl_group_del(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	struct net_device *devs[VIPFO_MAX_MEMBERS];
	struct vipfo_member *member;
	struct vipfo_group *group;
	struct sk_buff *event;
	struct change_info change;
	void *hdr;
	int err = 0;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name"))
		return -EINVAL;

	rtnl_lock();
	group = group_lookup(vn, info);
	if (!group) {
		err = -ENOENT;
		goto out;
	}
	change = (struct change_info){
		.reason = -1, .cmd = VIPFO_CMD_GROUP_DEL, .devs = devs,
		.vips_of = group, .n_vips = group->n_vips };
	list_for_each_entry(member, &group->members, group_node)
		devs[change.n_devs++] = member->dev;
	/* Built first: the event lists what the group held. */
	event = event_change_build(group, &change, &hdr);
	vipfo_group_destroy(group);
	if (event) {
		genlmsg_end(event, hdr);
		genlmsg_multicast_netns(&vipfo_family, vn->net, event, 0,
					MCGRP_EVENTS, GFP_KERNEL);
	}
out:
	rtnl_unlock();
	return err;
}

static int vipfo_nl_group_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	struct vipfo_group *group;
	int err = 0;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name"))
		return -EINVAL;

	rtnl_lock();
	group = group_lookup(vn, info);
	if (!group) {
		err = -ENOENT;
		goto out;
	}
	if (!carrier_poll_ok(vn, info->attrs[VIPFO_A_CARRIER_POLL],
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
		vipfo_arp_budget_reset(group);
	}
	/* A hold-down in progress keeps the length it started with. */
	if (info->attrs[VIPFO_A_UP_DELAY])
		WRITE_ONCE(group->up_delay,
			   nla_get_u32(info->attrs[VIPFO_A_UP_DELAY]));
	vipfo_net_changed(vn);
	event_change(group, &(struct change_info){ .reason = -1, .cmd = VIPFO_CMD_GROUP_SET });
out:
	rtnl_unlock();
	return err;
}

static int vipfo_nl_group_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	struct vipfo_group *group;
	int err;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name"))
		return -EINVAL;

	rtnl_lock();
	group = group_lookup(vn, info);
	err = group ? reply_group(info, group) : -ENOENT;
	rtnl_unlock();
	return err;
}

static int vipfo_nl_devs(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	bool add = info->genlhdr->cmd == VIPFO_CMD_DEV_ADD;
	struct vipfo_member *member;
	struct vipfo_group *group;
	struct dev_list devs;
	unsigned int i;
	int err;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name") ||
	    MISSING(info, VIPFO_A_DEVS, "missing device list"))
		return -EINVAL;

	rtnl_lock();
	group = group_lookup(vn, info);
	if (!group) {
		err = -ENOENT;
		goto out;
	}
	err = devs_parse(vn, group, info->attrs[VIPFO_A_DEVS], add, &devs,
			 info->extack);
	if (err)
		goto out;
	if (add) {
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
	event_change(group, &(struct change_info){
		.reason = -1, .cmd = info->genlhdr->cmd, .devs = devs.dev, .n_devs = devs.n });
out:
	rtnl_unlock();
	return err;
}

static int vipfo_nl_vips(struct sk_buff *skb, struct genl_info *info)
{
	struct vipfo_net *vn = vipfo_net(genl_info_net(info));
	bool add = info->genlhdr->cmd == VIPFO_CMD_VIP_ADD;
	struct vipfo_group *group;
	struct vip_list vips;
	unsigned int i;
	int err;

	if (MISSING(info, VIPFO_A_GROUP_NAME, "missing group name") ||
	    MISSING(info, VIPFO_A_VIPS, "missing VIP list"))
		return -EINVAL;

	rtnl_lock();
	group = group_lookup(vn, info);
	if (!group) {
		err = -ENOENT;
		goto out;
	}
	err = vips_parse(vn, group, info->attrs[VIPFO_A_VIPS], add, &vips,
			 info->extack);
	if (err)
		goto out;
	if (add) {
		err = vips_apply(group, &vips);
		if (err)
			goto out_vips;
	} else {
		for (i = 0; i < vips.n; i++)
			vipfo_vip_destroy(vipfo_vip_lookup(vn, &vips.addr[i]));
	}
	event_change(group, &(struct change_info){
		.reason = -1, .cmd = info->genlhdr->cmd, .vips = vips.addr, .n_vips = vips.n });
out_vips:
	vips_free(&vips);
out:
	rtnl_unlock();
	return err;
}

/*
 * Dump cursor. A long VIP list resumes at the VIP that did not fit, found
 * again by its address: O(1), and only values are kept, so nothing a
 * message left behind can be freed under the next one. When that VIP is
 * gone, the list resumes after the VIP sent last, and when that is gone
 * too, after as many VIPs as were sent (the dump is flagged interrupted
 * then).
 */
struct dump_ctx {
	unsigned int groups_done;
	unsigned int vips_sent;		/* of the current group */
	bool head_sent;			/* its first message went out */
	bool have_next, have_last;
	struct in6_addr next;		/* the VIP that did not fit */
	struct in6_addr last;		/* the VIP sent last */
};

static_assert(sizeof(struct dump_ctx) <=
	      sizeof_field(struct netlink_callback, ctx));

static struct dump_ctx *dump_ctx(struct netlink_callback *cb)
{
	return (struct dump_ctx *)cb->ctx;
}

/* The VIP at @addr if it is still one of @group's. */
static struct vipfo_vip *dump_find_vip(struct vipfo_group *group,
				       const struct in6_addr *addr)
{
	struct vipfo_vip *vip = vipfo_vip_lookup(group->vn, addr);

	return vip && vip->group == group ? vip : NULL;
}

/* Where @group's list resumes: a VIP, or the list head when all are sent. */
static struct vipfo_vip *dump_resume_vip(const struct dump_ctx *ctx,
					 struct vipfo_group *group)
{
	unsigned int skip = ctx->vips_sent;
	struct vipfo_vip *vip;

	if (ctx->have_next) {
		vip = dump_find_vip(group, &ctx->next);
		if (vip)
			return vip;
	}
	if (ctx->have_last) {
		vip = dump_find_vip(group, &ctx->last);
		if (vip)
			return list_next_entry(vip, group_node);
	}
	list_for_each_entry(vip, &group->vips, group_node)
		if (!skip--)
			break;
	return vip;
}

/* 0 when the group is complete, -EMSGSIZE when the message is full. */
static int dump_group(struct sk_buff *skb, struct netlink_callback *cb,
		      struct vipfo_group *group)
{
	struct dump_ctx *ctx = dump_ctx(cb);
	struct vipfo_vip *vip, *sent = NULL;
	struct nlattr *nest;
	bool full = false;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vipfo_family, NLM_F_MULTI, VIPFO_CMD_GROUP_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (!ctx->head_sent ? put_group(skb, group) :
	    nla_put_string(skb, VIPFO_A_GROUP_NAME, group->name)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	ctx->head_sent = true;

	vip = dump_resume_vip(ctx, group);
	nest = nla_nest_start(skb, VIPFO_A_VIPS);
	if (!nest) {
		full = true;
		goto end;
	}
	list_for_each_entry_from(vip, &group->vips, group_node) {
		if (put_vip(skb, &vip->addr)) {
			full = true;
			break;
		}
		ctx->vips_sent++;
		sent = vip;
	}
	nla_nest_end(skb, nest);
end:
	if (sent) {
		ctx->last = sent->addr;
		ctx->have_last = true;
	}
	ctx->have_next = full && !list_entry_is_head(vip, &group->vips,
						     group_node);
	if (ctx->have_next)
		ctx->next = vip->addr;
	genlmsg_end(skb, hdr);
	return full ? -EMSGSIZE : 0;
}

static int vipfo_nl_group_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vipfo_net *vn = vipfo_net(sock_net(skb->sk));
	const struct nlattr *name = info->attrs[VIPFO_A_GROUP_NAME];
	struct dump_ctx *ctx = dump_ctx(cb);
	struct vipfo_group *group;
	unsigned int idx = 0;

	rtnl_lock();
	cb->seq = vn->generation;
	list_for_each_entry(group, &vn->groups, net_node) {
		if (idx < ctx->groups_done) {
			idx++;
			continue;
		}
		if ((!name || !nla_strcmp(name, group->name)) &&
		    dump_group(skb, cb, group))
			break;
		idx++;
		*ctx = (struct dump_ctx){ .groups_done = idx };
	}
	ctx->groups_done = idx;
	rtnl_unlock();
	return skb->len;
}

/*
 * Changing operations need CAP_NET_ADMIN in the user namespace owning the
 * network namespace: root of a user namespace configures the network
 * namespaces it owns, and nothing else. This is GENL_UNS_ADMIN_PERM's
 * check, made here instead of by the genetlink core so that a refusal
 * says why: the core returns -EPERM without a message. (6.1's
 * genl_family_rcv_msg_doit() parses the request against the op's policy
 * and then calls pre_doit before every doit; a malformed request is
 * therefore refused for its policy before its permission. Dumps never
 * call pre_doit, so no dump may be an admin op: vipfo_netlink_init()
 * checks.)
 */
#define ADMIN_OP	BIT(0)	/* genl_ops.internal_flags */

static int vipfo_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			     struct genl_info *info)
{
	struct net *net = genl_info_net(info);

	if ((ops->internal_flags & ADMIN_OP) &&
	    !netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		GENL_SET_ERR_MSG(info,
				 "needs CAP_NET_ADMIN in the user namespace owning the network namespace");
		return -EPERM;
	}
	return 0;
}

static const struct genl_ops vipfo_ops[] = {
	{
		.cmd = VIPFO_CMD_GROUP_NEW,
		.doit = vipfo_nl_group_new,
		.policy = group_new_policy,
		.maxattr = VIPFO_A_MAX,
		.internal_flags = ADMIN_OP,
	}, {
		.cmd = VIPFO_CMD_GROUP_DEL,
		.doit = vipfo_nl_group_del,
		.policy = group_name_policy,
		.maxattr = VIPFO_A_MAX,
		.internal_flags = ADMIN_OP,
	}, {
		.cmd = VIPFO_CMD_GROUP_SET,
		.doit = vipfo_nl_group_set,
		.policy = group_set_policy,
		.maxattr = VIPFO_A_MAX,
		.internal_flags = ADMIN_OP,
	}, {
		.cmd = VIPFO_CMD_GROUP_GET,
		.doit = vipfo_nl_group_get,
		.dumpit = vipfo_nl_group_dump,
		.policy = group_name_policy,
		.maxattr = VIPFO_A_MAX,
	}, {
		.cmd = VIPFO_CMD_DEV_ADD,
		.doit = vipfo_nl_devs,
		.policy = devs_op_policy,
		.maxattr = VIPFO_A_MAX,
		.internal_flags = ADMIN_OP,
	}, {
		.cmd = VIPFO_CMD_DEV_DEL,
		.doit = vipfo_nl_devs,
		.policy = devs_op_policy,
		.maxattr = VIPFO_A_MAX,
		.internal_flags = ADMIN_OP,
	}, {
		.cmd = VIPFO_CMD_VIP_ADD,
		.doit = vipfo_nl_vips,
		.policy = vips_op_policy,
		.maxattr = VIPFO_A_MAX,
		.internal_flags = ADMIN_OP,
	}, {
		.cmd = VIPFO_CMD_VIP_DEL,
		.doit = vipfo_nl_vips,
		.policy = vips_op_policy,
		.maxattr = VIPFO_A_MAX,
		.internal_flags = ADMIN_OP,
	},
};

static struct genl_family vipfo_family __ro_after_init = {
	.name = VIPFO_GENL_NAME,
	.version = VIPFO_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.pre_doit = vipfo_nl_pre_doit,
	.ops = vipfo_ops,
	.n_ops = ARRAY_SIZE(vipfo_ops),
	.mcgrps = vipfo_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vipfo_mcgrps),
};

int __init vipfo_netlink_init(void)
{
	unsigned int i;

	/* pre_doit is the only permission check, and dumps skip it. */
	for (i = 0; i < ARRAY_SIZE(vipfo_ops); i++)
		if (WARN_ON((vipfo_ops[i].internal_flags & ADMIN_OP) &&
			    vipfo_ops[i].dumpit))
			return -EINVAL;
	return genl_register_family(&vipfo_family);
}

void vipfo_netlink_uninit(void)
{
	genl_unregister_family(&vipfo_family);
}
