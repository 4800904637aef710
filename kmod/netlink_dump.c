// SPDX-License-Identifier: GPL-2.0
/*
 * The dump of the groups (GROUP_GET with NLM_F_DUMP), over as many
 * messages as they take.
 */

#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "group.h"
#include "net.h"
#include "netlink.h"
#include "netlink_dump.h"
#include "netlink_fill.h"
#include "vip.h"

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
	if (!ctx->head_sent ? vipfo_nl_put_group(skb, group) :
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
		if (vipfo_nl_put_vip(skb, &vip->addr)) {
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

/**
 * vipfo_nl_group_dump() - VIPFO_CMD_GROUP_GET dump: the groups
 * @skb: the message to fill
 * @cb: the dump's state, its cursor in cb->ctx
 *
 * Every group, or the one VIPFO_A_GROUP_NAME names. A group with more VIPs
 * than a message holds continues in the next ones, which repeat only its
 * name. A dump that a change interrupted is flagged (NLM_F_DUMP_INTR).
 *
 * Context: Process context; takes RTNL.
 * Return: the length of @skb: 0 when the dump is done.
 */
int vipfo_nl_group_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vipfo_net *vn = vipfo_net(sock_net(skb->sk));
	const struct nlattr *name = vipfo_dumpit_attrs(info)[VIPFO_A_GROUP_NAME];
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

