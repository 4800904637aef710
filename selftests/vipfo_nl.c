// SPDX-License-Identifier: GPL-2.0
/* Raw netlink to the vipfo family for the C selftests (vipfo_nl.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/vipfo.h>

#include "vipfo_nl.h"

struct nlmsghdr *vipfo_nl_request(void *buf, uint16_t family, uint32_t seq,
				  uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = VIPFO_GENL_VERSION;
	return nlh;
}

void vipfo_nl_put_devs(struct nlmsghdr *nlh, const uint32_t *ifindex, int n)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, VIPFO_A_DEVS);
	int i;

	for (i = 0; i < n; i++) {
		struct nlattr *dev = mnl_attr_nest_start(nlh, VIPFO_A_DEV);

		mnl_attr_put_u32(nlh, VIPFO_DEV_A_IFINDEX, ifindex[i]);
		mnl_attr_nest_end(nlh, dev);
	}
	mnl_attr_nest_end(nlh, list);
}

void vipfo_nl_put_vip(struct nlmsghdr *nlh, uint16_t family, const void *addr,
		      size_t len)
{
	struct nlattr *vip = mnl_attr_nest_start(nlh, VIPFO_A_VIP);

	mnl_attr_put_u16(nlh, VIPFO_VIP_A_FAMILY, family);
	mnl_attr_put(nlh, VIPFO_VIP_A_ADDR, len, addr);
	mnl_attr_nest_end(nlh, vip);
}

void vipfo_nl_put_vips(struct nlmsghdr *nlh, const uint32_t *addr, int n)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, VIPFO_A_VIPS);
	int i;

	for (i = 0; i < n; i++) {
		uint32_t be = htonl(addr[i]);

		vipfo_nl_put_vip(nlh, AF_INET, &be, sizeof(be));
	}
	mnl_attr_nest_end(nlh, list);
}

static int ext_ack_cb(const struct nlattr *attr, void *data)
{
	struct vipfo_nl_ack *ack = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		/* Not trusted to end in a NUL. */
		ack->has_msg = true;
		snprintf(ack->msg, sizeof(ack->msg), "%.*s",
			 (int)mnl_attr_get_payload_len(attr),
			 (const char *)mnl_attr_get_payload(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			break;
		ack->has_offs = true;
		ack->offs = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			break;
		ack->has_miss = true;
		ack->miss_type = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

bool vipfo_nl_parse_ack(const struct nlmsghdr *nlh, struct vipfo_nl_ack *ack)
{
	size_t off;

	memset(ack, 0, sizeof(*ack));
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			return false;
		ack->err = e->error;
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	} else {
		ack->done = true;
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
			return false;
		memcpy(&ack->err, mnl_nlmsg_get_payload(nlh), sizeof(int));
		off = sizeof(int);
	}
	off = MNL_ALIGN(off);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    mnl_nlmsg_get_payload_len(nlh) > off)
		mnl_attr_parse(nlh, off, ext_ack_cb, ack);
	return true;
}

struct family_ids {
	uint16_t *id;
	uint32_t *mcgrp;
};

static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	struct family_ids *ids = data;
	const char *name = NULL;
	struct nlattr *a;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, VIPFO_MCGRP_EVENTS))
		*ids->mcgrp = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_ids *ids = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
		*ids->id = mnl_attr_get_u16(attr);
	else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
		mnl_attr_parse_nested(attr, mcgrp_cb, data);
	return MNL_CB_OK;
}

void vipfo_nl_parse_family(const struct nlmsghdr *nlh, uint16_t *id,
			   uint32_t *mcgrp)
{
	struct family_ids ids = { id, mcgrp };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, &ids);
}
