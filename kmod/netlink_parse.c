// SPDX-License-Identifier: GPL-2.0
/*
 * Request parsing: everything is checked before anything changes.
 */

#include <linux/ctype.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/genetlink.h>

#include "carrier.h"
#include "group.h"
#include "limits.h"
#include "ndisc_join.h"
#include "net.h"
#include "netlink.h"
#include "netlink_parse.h"
#include "vip.h"

/**
 * vipfo_nl_over_limit() - Whether a request exceeds a limit
 * @limit: the limit
 * @have: how many the namespace has
 * @more: how many the request adds
 * @attr: the attribute to blame
 * @extack: the request's extack
 *
 * Context: RTNL held, so that @have stays true.
 * Return: true when @have + @more exceeds @limit: refused then, with a
 * message naming the limit.
 */
bool vipfo_nl_over_limit(struct vipfo_limit *limit, unsigned int have,
			 unsigned int more, const struct nlattr *attr,
			 struct netlink_ext_ack *extack)
{
	const struct vipfo_limit_val *val = vipfo_limit(limit);

	if (more <= val->value && have <= val->value - more)
		return false;
	vipfo_limit_refuse(extack, attr, val);
	return true;
}

/**
 * vipfo_nl_carrier_poll_ok() - Whether a namespace may poll that fast
 * @vn: the namespace's state
 * @attr: VIPFO_A_CARRIER_POLL, or NULL
 * @extack: the request's extack
 *
 * Namespaces of other user namespaces poll no faster than
 * carrier_poll_min (0, off, is always allowed): their timers run on the
 * host's CPUs.
 *
 * Context: Any context.
 * Return: true when allowed; false with a message naming the limit.
 */
bool vipfo_nl_carrier_poll_ok(struct vipfo_net *vn, const struct nlattr *attr,
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

/**
 * vipfo_nl_group_name_ok() - Whether a group name is valid
 * @attr: VIPFO_A_GROUP_NAME, NUL-terminated by its policy
 * @extack: the request's extack
 *
 * Context: Any context.
 * Return: true for a name of ASCII letters, digits, '_', '.' and '-';
 * false with a message.
 */
bool vipfo_nl_group_name_ok(const struct nlattr *attr,
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

/**
 * vipfo_nl_group_lookup() - Find the group a request names
 * @vn: the namespace's state
 * @info: the request, with VIPFO_A_GROUP_NAME
 *
 * Context: RTNL held.
 * Return: the group, or NULL with a message.
 */
struct vipfo_group *vipfo_nl_group_lookup(struct vipfo_net *vn,
					  struct genl_info *info)
{
	struct nlattr *attr = info->attrs[VIPFO_A_GROUP_NAME];
	struct vipfo_group *group;

	group = vipfo_group_find(vn, nla_data(attr));
	if (!group)
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such group");
	return group;
}

/**
 * vipfo_nl_devs_parse() - Resolve the devices a request adds or removes
 * @vn: the namespace's state
 * @group: the group, or NULL for a new group
 * @list: the VIPFO_A_DEVS nest, or NULL
 * @add: adding (each device must be fit and no member), or removing (each
 *       must be a member of @group)
 * @devs: filled with the devices
 * @extack: the request's extack
 *
 * No reference is taken: under RTNL the devices cannot go away.
 *
 * Context: RTNL held.
 * Return: 0, with @devs empty when @list is NULL; or a negative errno with
 * a message.
 */
int vipfo_nl_devs_parse(struct vipfo_net *vn, struct vipfo_group *group,
			const struct nlattr *list, bool add,
			struct vipfo_nl_dev_list *devs,
			struct netlink_ext_ack *extack)
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
		err = nla_parse_nested(tb, VIPFO_DEV_A_MAX, attr,
				       vipfo_nl_dev_policy, extack);
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
		devs->attr[devs->n] = attr;
		devs->dev[devs->n++] = dev;
	}
	if (!devs->n) {
		NL_SET_ERR_MSG_ATTR(extack, list, "empty device list");
		return -EINVAL;
	}
	return 0;
}

/**
 * vipfo_nl_ipv6_check() - Whether every member can listen for the VIPv6s
 * @group: the group, or NULL for a new group
 * @devs: the devices the request adds, or NULL
 * @vips: the VIPs the request adds, or NULL
 * @extack: the request's extack
 *
 * A member of a group with VIPv6s joins their solicited-node groups
 * (ndisc_join.c), which needs the device's IPv6 state: said here, rather
 * than as the bare error joining would return.
 *
 * Context: RTNL held.
 * Return: 0, or -EINVAL with a message.
 */
int vipfo_nl_ipv6_check(const struct vipfo_group *group,
			const struct vipfo_nl_dev_list *devs,
			const struct vipfo_nl_vip_list *vips,
			struct netlink_ext_ack *extack)
{
	const struct nlattr *vip6 = NULL;
	const struct vipfo_member *member;
	unsigned int i;

	for (i = 0; vips && i < vips->n && !vip6; i++)
		if (!ipv6_addr_v4mapped(&vips->addr[i]))
			vip6 = vips->attr[i];
	if (!vip6 && !(group && vipfo_ndisc_joining(group)))
		return 0;
	for (i = 0; devs && i < devs->n; i++) {
		if (!vipfo_ndisc_dev_ready(devs->dev[i])) {
			NL_SET_ERR_MSG_ATTR(extack, devs->attr[i],
					    "device has no IPv6 (MTU below 1280) and the group has IPv6 VIPs");
			return -EINVAL;
		}
	}
	if (!vip6 || !group)
		return 0;
	list_for_each_entry(member, &group->members, group_node) {
		if (!vipfo_ndisc_dev_ready(member->dev)) {
			NL_SET_ERR_MSG_ATTR(extack, vip6,
					    "IPv6 VIP, but a member has no IPv6 (MTU below 1280)");
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * vipfo_nl_vips_free() - Free a parsed VIP list
 * @vips: what vipfo_nl_vips_parse() filled
 *
 * Context: Process context.
 */
void vipfo_nl_vips_free(struct vipfo_nl_vip_list *vips)
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
		*addr = nla_get_in6_addr(a);
		/* A global or unique local unicast address: what a peer
		 * reaches through a router or on the link, and never an
		 * IPv4 VIP's key (::ffff:0:0/96), nor in ::/96 (::, ::1,
		 * the deprecated IPv4-compatible ::a.b.c.d).
		 */
		if ((!addr->s6_addr32[0] && !addr->s6_addr32[1] &&
		     !addr->s6_addr32[2]) ||
		    ipv6_addr_type(addr) & (IPV6_ADDR_MULTICAST |
					    IPV6_ADDR_LINKLOCAL |
					    IPV6_ADDR_MAPPED) ||
		    !(ipv6_addr_type(addr) & IPV6_ADDR_UNICAST)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "not a global unicast IPv6 address");
			return false;
		}
		return true;
	default:
		*err = -EAFNOSUPPORT;
		NL_SET_ERR_MSG_ATTR(extack, tb[VIPFO_VIP_A_FAMILY],
				    "unknown address family");
		return false;
	}
}

static int vip_cmp(const void *a, const void *b, const void *priv)
{
	const struct vipfo_nl_vip_list *vips = priv;

	return memcmp(&vips->addr[*(const u32 *)a], &vips->addr[*(const u32 *)b],
		      sizeof(struct in6_addr));
}

/* A request names each VIP once: sort indexes to find repeats in n log n. */
static int vips_check_repeats(struct vipfo_nl_vip_list *vips,
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

/**
 * vipfo_nl_vips_parse() - Parse the VIPs a request adds or removes
 * @vn: the namespace's state
 * @group: the group, or NULL for a new group
 * @list: the VIPFO_A_VIPS nest, or NULL
 * @add: adding (each VIP must be free, and max_vips not exceeded), or
 *       removing (each must be in @group)
 * @vips: filled with the VIPs
 * @extack: the request's extack
 *
 * Context: RTNL held; may sleep.
 * Return: 0, with @vips for the caller to free with vipfo_nl_vips_free()
 * (empty when @list is NULL); or a negative errno with a message, nothing
 * to free.
 */
int vipfo_nl_vips_parse(struct vipfo_net *vn, struct vipfo_group *group,
			const struct nlattr *list, bool add,
			struct vipfo_nl_vip_list *vips,
			struct netlink_ext_ack *extack)
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
	if (add && vipfo_nl_over_limit(&vipfo_max_vips, vn->n_vips, n, list,
				       extack))
		return -ENOSPC;
	vips->addr = kvmalloc_array(n, sizeof(*vips->addr), GFP_KERNEL_ACCOUNT);
	vips->attr = kvmalloc_array(n, sizeof(*vips->attr), GFP_KERNEL_ACCOUNT);
	if (!vips->addr || !vips->attr) {
		err = -ENOMEM;
		goto err;
	}

	nla_for_each_nested(attr, list, rem) {
		struct in6_addr *addr = &vips->addr[vips->n];

		err = nla_parse_nested(tb, VIPFO_VIP_A_MAX, attr,
				       vipfo_nl_vip_policy, extack);
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
	vipfo_nl_vips_free(vips);
	return err;
}

