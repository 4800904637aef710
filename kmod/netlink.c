// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "vipfo": its multicast group, the policies of
 * its operations, who may use them, and its registration. A command goes
 * from the ops table to its handler (netlink_cmd.c), which checks the
 * request (netlink_parse.c) before it applies it; the dump is in
 * netlink_dump.c, events leave from netlink_notify.c, and netlink_fill.c
 * writes groups, members and VIPs into messages for all of them.
 */

#include <linux/capability.h>
#include <net/genetlink.h>

#include "compat.h"
#include "group.h"
#include "netlink.h"
#include "netlink_cmd.h"
#include "netlink_dump.h"

static const struct genl_multicast_group vipfo_mcgrps[] = {
	[VIPFO_NLGRP_EVENTS] = { .name = VIPFO_MCGRP_EVENTS },
};

/* Policies: strict, so that handlers need not check types or lengths. */

const struct nla_policy vipfo_nl_dev_policy[VIPFO_DEV_A_IFINDEX + 1] = {
	[VIPFO_DEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy vipfo_nl_vip_policy[VIPFO_VIP_A_MAX + 1] = {
	[VIPFO_VIP_A_FAMILY] = { .type = NLA_U16 },
	[VIPFO_VIP_A_ADDR] = NLA_POLICY_RANGE(NLA_BINARY,
					      sizeof(struct in_addr),
					      sizeof(struct in6_addr)),
};

/* Each list nest holds one kind of entry only. */
static const struct nla_policy devs_policy[VIPFO_A_DEV + 1] = {
	[VIPFO_A_DEV] = NLA_POLICY_NESTED(vipfo_nl_dev_policy),
};

static const struct nla_policy vips_policy[VIPFO_A_VIP + 1] = {
	[VIPFO_A_VIP] = NLA_POLICY_NESTED(vipfo_nl_vip_policy),
};

#define NAME_POLICY { .type = NLA_NUL_STRING, .len = VIPFO_GROUP_NAME_SIZE - 1 }
/* 0: answer, never announce. */
#define GARP_COUNT_POLICY NLA_POLICY_RANGE(NLA_U32, 0, VIPFO_GARP_COUNT_MAX)
/* Policy ranges are s16: larger bounds need a range structure. */
static struct netlink_range_validation garp_interval_range = {
	.min = VIPFO_GARP_INTERVAL_MIN,
	.max = VIPFO_GARP_INTERVAL_MAX,
};

#define GARP_INTERVAL_POLICY NLA_POLICY_FULL_RANGE(NLA_U32, &garp_interval_range)
#define CARRIER_POLL_POLICY NLA_POLICY_MAX(NLA_U32, VIPFO_CARRIER_POLL_MAX)

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

static int vipfo_nl_pre_doit(const struct vipfo_genl_doit_ops *ops,
			     struct sk_buff *skb, struct genl_info *info)
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

struct genl_family vipfo_family __ro_after_init = {
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

/**
 * vipfo_netlink_init() - Register the generic netlink family
 *
 * Description: Refuses an ops table in which a dump is an admin op: dumps
 * skip the permission check of pre_doit.
 *
 * Context: Process context (module load).
 * Return: 0, -EINVAL for such an ops table, or the family's registration
 * error.
 */
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

/**
 * vipfo_netlink_uninit() - Unregister the generic netlink family
 *
 * Context: Process context (module unload), after every group is gone.
 */
void vipfo_netlink_uninit(void)
{
	genl_unregister_family(&vipfo_family);
}
