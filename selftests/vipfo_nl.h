/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw netlink to the vipfo family for the C selftests (netlink_api.c and
 * nl_fuzz/): requests built with libmnl, acks and the family's id parsed.
 * Each test keeps its own receive loop: what it checks differs.
 */
#ifndef VIPFO_NL_H
#define VIPFO_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/* What an NLMSG_ERROR or NLMSG_DONE said. */
struct vipfo_nl_ack {
	bool done;		/* NLMSG_DONE: the end of a dump */
	int err;		/* 0 or -errno */
	bool has_msg;
	char msg[256];		/* NLMSGERR_ATTR_MSG */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
};

/* A request of family (GENL_ID_CTRL, or vipfo's id) in buf. */
struct nlmsghdr *vipfo_nl_request(void *buf, uint16_t family, uint32_t seq,
				  uint8_t cmd, uint16_t flags);
/* VIPFO_A_DEVS with a VIPFO_A_DEV for each ifindex. */
void vipfo_nl_put_devs(struct nlmsghdr *nlh, const uint32_t *ifindex, int n);
/* One VIPFO_A_VIP, of any family and address length. */
void vipfo_nl_put_vip(struct nlmsghdr *nlh, uint16_t family, const void *addr,
		      size_t len);
/* VIPFO_A_VIPS with the IPv4 addresses (host byte order). */
void vipfo_nl_put_vips(struct nlmsghdr *nlh, const uint32_t *addr, int n);

/* An NLMSG_ERROR or NLMSG_DONE into *ack; false if it is too short. */
bool vipfo_nl_parse_ack(const struct nlmsghdr *nlh, struct vipfo_nl_ack *ack);
/*
 * A reply to CTRL_CMD_GETFAMILY for VIPFO_GENL_NAME: the family's id and
 * the id of its "events" multicast group (left alone when absent).
 */
void vipfo_nl_parse_family(const struct nlmsghdr *nlh, uint16_t *id,
			   uint32_t *mcgrp);

#endif
