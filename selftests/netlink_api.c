// SPDX-License-Identifier: GPL-2.0
/*
 * The vipfo generic netlink API, driven with raw netlink (libmnl only builds
 * and parses messages): every test runs in a fresh network namespace with
 * veth devices, checks the error code and the extended ack of rejected
 * requests, and that a rejected request changed nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vipfo.h>

#include "kselftest_harness.h"
#include "vipfo_nl.h"

#define BUF_SIZE	(1 << 20)
#define NDEV		4

struct nl {
	int fd;
	uint16_t family;
	uint32_t mcgrp;		/* id of the "events" group, 0 if none */
	uint32_t seq;
	char *buf;
	/* Outcome of the last request. */
	int err;		/* 0 or -errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
	int replies;		/* messages of the family received */
	bool intr;		/* a reply carried NLM_F_DUMP_INTR */
};

/* A group as GET/dump returns it (VIPs only from dumps). */
struct group {
	char name[VIPFO_GROUP_NAME_SIZE];
	uint32_t garp_count, garp_interval, vip_count;
	bool has_reply_rate;
	uint32_t reply_rate;
	bool has_up_delay;
	uint32_t up_delay;
	int ndev;
	uint32_t ifindex[VIPFO_MAX_MEMBERS + 4];
	bool dev_has_name_mac_state;
	bool has_stats;
	int nvip;
	uint32_t *vips;		/* host byte order; caller-provided array */
	int vips_max;
	int bad_vips;		/* VIPs that were not well-formed IPv4 */
	int wrong_name;		/* messages that named another group */
};

typedef void (*reply_cb)(const struct nlmsghdr *nlh, void *data);

/* ------------------------------------------------------------ messages */

static struct nlmsghdr *msg_new(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	return vipfo_nl_request(nl->buf, nl->family, ++nl->seq, cmd, flags);
}

static void put_name(struct nlmsghdr *nlh, const char *name)
{
	mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, name);
}

/* VIPFO_A_VIPS with n consecutive IPv4 addresses from first. */
static void put_vips(struct nlmsghdr *nlh, uint32_t first, int n)
{
	uint32_t *addr = calloc(n + 1, sizeof(*addr));
	int i;

	if (!addr)
		abort();
	for (i = 0; i < n; i++)
		addr[i] = first + i;
	vipfo_nl_put_vips(nlh, addr, n);
	free(addr);
}

/* ------------------------------------------------------------ transport */

/* The error code and extended ack of an NLMSG_ERROR or NLMSG_DONE. */
static void parse_status(struct nl *nl, const struct nlmsghdr *nlh)
{
	struct vipfo_nl_ack ack;

	vipfo_nl_parse_ack(nlh, &ack);
	nl->err = ack.err;
	snprintf(nl->msg, sizeof(nl->msg), "%s", ack.msg);
	nl->has_offs = ack.has_offs;
	nl->offs = ack.offs;
	nl->has_miss = ack.has_miss;
	nl->miss_type = ack.miss_type;
}

/*
 * Send a request and read everything up to its ACK (or the end of the
 * dump), handing every message of the family to cb. Returns nl->err.
 */
static int nl_talk(struct nl *nl, struct nlmsghdr *req, reply_cb cb,
		   void *data)
{
	uint32_t seq = req->nlmsg_seq;
	bool done = false;
	char *rx;

	nl->err = 0;
	nl->msg[0] = '\0';
	nl->has_offs = nl->has_miss = false;
	nl->replies = 0;
	nl->intr = false;
	if (!(req->nlmsg_flags & NLM_F_DUMP))
		req->nlmsg_flags |= NLM_F_ACK;

	if (send(nl->fd, req, req->nlmsg_len, 0) < 0)
		return nl->err = -errno;

	rx = malloc(BUF_SIZE);
	if (!rx)
		return nl->err = -ENOMEM;
	while (!done) {
		int len = recv(nl->fd, rx, BUF_SIZE, 0);
		struct nlmsghdr *nlh = (struct nlmsghdr *)rx;

		if (len < 0) {
			nl->err = -errno;
			break;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* a notification */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				nl->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				parse_status(nl, nlh);
				done = true;
				break;
			}
			if (nlh->nlmsg_type == nl->family) {
				nl->replies++;
				if (cb)
					cb(nlh, data);
			}
		}
	}
	free(rx);
	return nl->err;
}

struct family_info {
	uint16_t id;
	uint32_t mcgrp;
};

static void family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *fi = data;

	vipfo_nl_parse_family(nlh, &fi->id, &fi->mcgrp);
}

static int resolve_family(struct nl *nl)
{
	struct family_info fi = {};
	struct nlmsghdr *nlh;
	uint16_t saved = nl->family;

	nl->family = GENL_ID_CTRL;
	nlh = msg_new(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VIPFO_GENL_NAME);
	if (nl_talk(nl, nlh, family_cb, &fi) || !fi.id) {
		nl->family = saved;
		return -1;
	}
	nl->family = fi.id;
	nl->mcgrp = fi.mcgrp;
	return 0;
}

static int nl_open(struct nl *nl)
{
	int one = 1, bufsz = 4 << 20;

	nl->buf = calloc(1, BUF_SIZE);
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (!nl->buf || nl->fd < 0)
		return -1;
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz));
	setsockopt(nl->fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz, sizeof(bufsz));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Keep ACKs of big requests small; offsets still refer to them. */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (resolve_family(nl)) {
		/* The module autoloads on first use of the family. */
		if (system("modprobe -q vipfo 2>/dev/null") || resolve_family(nl))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ parsing */

static int parse_dev(const struct nlattr *attr, void *data)
{
	struct group *g = data;
	struct nlattr *a;
	bool name = false, mac = false, state = false;
	uint32_t ifindex = 0;

	mnl_attr_for_each_nested(a, attr) {
		switch (mnl_attr_get_type(a)) {
		case VIPFO_DEV_A_IFINDEX:
			ifindex = mnl_attr_get_u32(a);
			break;
		case VIPFO_DEV_A_IFNAME:
			name = true;
			break;
		case VIPFO_DEV_A_MAC:
			mac = mnl_attr_get_payload_len(a) == 6;
			break;
		case VIPFO_DEV_A_STATE:
			state = true;
			break;
		}
	}
	if (g->ndev == 0)
		g->dev_has_name_mac_state = true;
	g->dev_has_name_mac_state &= name && mac && state;
	if (g->ndev < (int)(sizeof(g->ifindex) / sizeof(g->ifindex[0])))
		g->ifindex[g->ndev++] = ifindex;
	return MNL_CB_OK;
}

static int parse_vip(const struct nlattr *attr, void *data)
{
	struct group *g = data;
	struct nlattr *a;
	uint16_t family = 0;
	uint32_t addr = 0;
	bool have_addr = false;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == VIPFO_VIP_A_FAMILY) {
			family = mnl_attr_get_u16(a);
		} else if (mnl_attr_get_type(a) == VIPFO_VIP_A_ADDR &&
			   mnl_attr_get_payload_len(a) == 4) {
			memcpy(&addr, mnl_attr_get_payload(a), 4);
			have_addr = true;
		}
	}
	if (family != AF_INET || !have_addr) {
		g->bad_vips++;
		return MNL_CB_OK;
	}
	if (g->vips && g->nvip < g->vips_max)
		g->vips[g->nvip] = ntohl(addr);
	g->nvip++;
	return MNL_CB_OK;
}

static int parse_group_attr(const struct nlattr *attr, void *data)
{
	struct group *g = data;

	switch (mnl_attr_get_type(attr)) {
	case VIPFO_A_GROUP_NAME:
		if (g->name[0] && strcmp(g->name, mnl_attr_get_str(attr)))
			g->wrong_name++;
		else
			snprintf(g->name, sizeof(g->name), "%s",
				 mnl_attr_get_str(attr));
		break;
	case VIPFO_A_GARP_COUNT:
		g->garp_count = mnl_attr_get_u32(attr);
		break;
	case VIPFO_A_GARP_INTERVAL:
		g->garp_interval = mnl_attr_get_u32(attr);
		break;
	case VIPFO_A_VIP_COUNT:
		g->vip_count = mnl_attr_get_u32(attr);
		break;
	case VIPFO_A_REPLY_RATE:
		g->has_reply_rate = true;
		g->reply_rate = mnl_attr_get_u32(attr);
		break;
	case VIPFO_A_UP_DELAY:
		g->has_up_delay = true;
		g->up_delay = mnl_attr_get_u32(attr);
		break;
	case VIPFO_A_STATS:
		g->has_stats = true;
		break;
	case VIPFO_A_DEVS:
		mnl_attr_parse_nested(attr, parse_dev, g);
		break;
	case VIPFO_A_VIPS:
		mnl_attr_parse_nested(attr, parse_vip, g);
		break;
	}
	return MNL_CB_OK;
}

static void group_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_group_attr, data);
}

/* ------------------------------------------------------------ requests */

static int group_new(struct nl *nl, const char *name, const uint32_t *devs,
		     int ndev, uint32_t vip, int nvip)
{
	struct nlmsghdr *nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);

	put_name(nlh, name);
	if (ndev)
		vipfo_nl_put_devs(nlh, devs, ndev);
	if (nvip)
		put_vips(nlh, vip, nvip);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int group_get(struct nl *nl, const char *name, struct group *g)
{
	struct nlmsghdr *nlh = msg_new(nl, VIPFO_CMD_GROUP_GET, 0);

	memset(g, 0, sizeof(*g));
	put_name(nlh, name);
	return nl_talk(nl, nlh, group_cb, g);
}

/* Dump one group (VIPs into vips[max]). */
static int group_dump(struct nl *nl, const char *name, struct group *g,
		      uint32_t *vips, int max)
{
	struct nlmsghdr *nlh = msg_new(nl, VIPFO_CMD_GROUP_GET, NLM_F_DUMP);

	memset(g, 0, sizeof(*g));
	g->vips = vips;
	g->vips_max = max;
	if (name)
		put_name(nlh, name);
	return nl_talk(nl, nlh, group_cb, g);
}

static int simple(struct nl *nl, uint8_t cmd, const char *name)
{
	struct nlmsghdr *nlh = msg_new(nl, cmd, 0);

	if (name)
		put_name(nlh, name);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int vips_cmd(struct nl *nl, uint8_t cmd, const char *name,
		    uint32_t first, int n)
{
	struct nlmsghdr *nlh = msg_new(nl, cmd, 0);

	put_name(nlh, name);
	put_vips(nlh, first, n);
	return nl_talk(nl, nlh, NULL, NULL);
}

static int devs_cmd(struct nl *nl, uint8_t cmd, const char *name,
		    const uint32_t *devs, int n)
{
	struct nlmsghdr *nlh = msg_new(nl, cmd, 0);

	put_name(nlh, name);
	vipfo_nl_put_devs(nlh, devs, n);
	return nl_talk(nl, nlh, NULL, NULL);
}

/* Offset of attribute a inside the request nlh, as NLMSGERR_ATTR_OFFS. */
static uint32_t offset_of(const struct nlmsghdr *nlh, const struct nlattr *a)
{
	return (const char *)a - (const char *)nlh;
}

/* ------------------------------------------------------------ fixture */

#define VIP_A	0xc0000264	/* 192.0.2.100 */

/* What a loop in a test is at, for the failure message. */
static char ctx[128];

/* The request failed with err and said why. */
#define ASSERT_REJECTED(nl, expect) do {				\
	ASSERT_EQ(expect, (nl)->err)					\
		TH_LOG("%s: extack \"%s\"", ctx, (nl)->msg);		\
	ASSERT_NE(0, (nl)->msg[0]) TH_LOG("%s: no extack message", ctx); \
} while (0)

/* In the test VM the module is installed: its absence is a failure. */
#define REQUIRE_VIPFO() do {						\
	ASSERT_TRUE(self->ok || !getenv("VIPFO_IN_VM"))			\
		TH_LOG("no vipfo generic netlink family in the test VM"); \
	if (!self->ok)							\
		SKIP(return, "vipfo generic netlink family not available"); \
} while (0)

FIXTURE(vipfo) {
	struct nl nl;
	uint32_t dev[NDEV];
	bool ok;
};

FIXTURE_SETUP(vipfo)
{
	char cmd[128];
	int i;

	ctx[0] = '\0';
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %m");
	ASSERT_EQ(0, system("ip link set lo up"));
	for (i = 0; i < NDEV; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add d%d type veth peer name e%d && "
			 "ip link set d%d up", i, i, i);
		ASSERT_EQ(0, system(cmd));
		snprintf(cmd, sizeof(cmd), "d%d", i);
		self->dev[i] = if_nametoindex(cmd);
		ASSERT_NE(0, self->dev[i]);
	}
	self->ok = nl_open(&self->nl) == 0;
}

FIXTURE_TEARDOWN(vipfo)
{
	if (self->nl.fd > 0)
		close(self->nl.fd);
	free(self->nl.buf);
}

TEST_F(vipfo, group_create_get_delete)
{
	struct nl *nl = &self->nl;
	struct nlmsghdr *nlh;
	struct group g;

	REQUIRE_VIPFO();
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_name(nlh, "web");
	mnl_attr_put_u32(nlh, VIPFO_A_GARP_COUNT, 5);
	mnl_attr_put_u32(nlh, VIPFO_A_GARP_INTERVAL, 100);
	vipfo_nl_put_devs(nlh, self->dev, 2);
	put_vips(nlh, VIP_A, 3);
	memset(&g, 0, sizeof(g));
	ASSERT_EQ(0, nl_talk(nl, nlh, group_cb, &g)) TH_LOG("%s", nl->msg);
	/* NEW replies with what it created. */
	ASSERT_EQ(1, nl->replies);
	ASSERT_STREQ("web", g.name);

	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_STREQ("web", g.name);
	ASSERT_EQ(5, g.garp_count);
	ASSERT_EQ(100, g.garp_interval);
	ASSERT_EQ(3, g.vip_count);
	ASSERT_EQ(2, g.ndev);
	ASSERT_TRUE(g.dev_has_name_mac_state);
	ASSERT_TRUE(g.has_stats);
	ASSERT_TRUE((g.ifindex[0] == self->dev[0] && g.ifindex[1] == self->dev[1]) ||
		    (g.ifindex[0] == self->dev[1] && g.ifindex[1] == self->dev[0]));

	ASSERT_EQ(0, simple(nl, VIPFO_CMD_GROUP_DEL, "web"));
	ASSERT_EQ(-ENOENT, group_get(nl, "web", &g));
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message for unknown group");
	/* The VIPs and devices are free again. */
	ASSERT_EQ(0, group_new(nl, "db", self->dev, 2, VIP_A, 3))
		TH_LOG("%s", nl->msg);
}

TEST_F(vipfo, defaults_and_set)
{
	struct nl *nl = &self->nl;
	struct nlmsghdr *nlh;
	struct group g;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "web", NULL, 0, 0, 0));
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(3, g.garp_count);
	ASSERT_EQ(200, g.garp_interval);
	ASSERT_TRUE(g.has_reply_rate);
	ASSERT_EQ(100000, g.reply_rate);
	ASSERT_TRUE(g.has_up_delay);
	ASSERT_EQ(1000, g.up_delay);
	ASSERT_EQ(0, g.vip_count);
	ASSERT_EQ(0, g.ndev);

	/* The hold-down: 0 (none) is a value; past its maximum is refused. */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_SET, 0);
	put_name(nlh, "web");
	mnl_attr_put_u32(nlh, VIPFO_A_UP_DELAY, 0);
	ASSERT_EQ(0, nl_talk(nl, nlh, NULL, NULL)) TH_LOG("%s", nl->msg);
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_TRUE(g.has_up_delay);
	ASSERT_EQ(0, g.up_delay);
	nlh = msg_new(nl, VIPFO_CMD_GROUP_SET, 0);
	put_name(nlh, "web");
	mnl_attr_put_u32(nlh, VIPFO_A_UP_DELAY, VIPFO_UP_DELAY_MAX + 1);
	ASSERT_EQ(-ERANGE, nl_talk(nl, nlh, NULL, NULL));
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message for up_delay %u",
					VIPFO_UP_DELAY_MAX + 1);

	/* The reply rate: set, and 0 (no limit) is a value, not "unset". */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_SET, 0);
	put_name(nlh, "web");
	mnl_attr_put_u32(nlh, VIPFO_A_REPLY_RATE, 50);
	ASSERT_EQ(0, nl_talk(nl, nlh, NULL, NULL)) TH_LOG("%s", nl->msg);
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(50, g.reply_rate);
	ASSERT_EQ(3, g.garp_count);
	nlh = msg_new(nl, VIPFO_CMD_GROUP_SET, 0);
	put_name(nlh, "web");
	mnl_attr_put_u32(nlh, VIPFO_A_REPLY_RATE, 0);
	ASSERT_EQ(0, nl_talk(nl, nlh, NULL, NULL)) TH_LOG("%s", nl->msg);
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_TRUE(g.has_reply_rate);
	ASSERT_EQ(0, g.reply_rate);

	nlh = msg_new(nl, VIPFO_CMD_GROUP_SET, 0);
	put_name(nlh, "web");
	mnl_attr_put_u32(nlh, VIPFO_A_GARP_COUNT, 7);
	ASSERT_EQ(0, nl_talk(nl, nlh, NULL, NULL)) TH_LOG("%s", nl->msg);
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(7, g.garp_count);
	ASSERT_EQ(200, g.garp_interval);

	nlh = msg_new(nl, VIPFO_CMD_GROUP_SET, 0);
	put_name(nlh, "nosuch");
	mnl_attr_put_u32(nlh, VIPFO_A_GARP_COUNT, 7);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -ENOENT);
}

TEST_F(vipfo, duplicate_group)
{
	struct nl *nl = &self->nl;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "web", NULL, 0, 0, 0));
	group_new(nl, "web", NULL, 0, 0, 0);
	ASSERT_REJECTED(nl, -EEXIST);
}

TEST_F(vipfo, missing_required_attribute)
{
	static const uint8_t cmds[] = {
		VIPFO_CMD_GROUP_NEW, VIPFO_CMD_GROUP_DEL, VIPFO_CMD_GROUP_SET,
		VIPFO_CMD_GROUP_GET, VIPFO_CMD_DEV_ADD, VIPFO_CMD_DEV_DEL,
		VIPFO_CMD_VIP_ADD, VIPFO_CMD_VIP_DEL,
	};
	struct nl *nl = &self->nl;
	unsigned int i;

	REQUIRE_VIPFO();
	for (i = 0; i < sizeof(cmds); i++) {
		simple(nl, cmds[i], NULL);
		snprintf(ctx, sizeof(ctx), "command %d without a name",
			 cmds[i]);
		ASSERT_REJECTED(nl, -EINVAL);
		if (nl->has_miss) {
			ASSERT_EQ(VIPFO_A_GROUP_NAME, nl->miss_type);
		} else {
			TH_LOG("command %d: no NLMSGERR_ATTR_MISS_TYPE", cmds[i]);
		}
	}

	/* The lists are required where they are the point of the command. */
	ASSERT_EQ(0, group_new(nl, "web", NULL, 0, 0, 0));
	simple(nl, VIPFO_CMD_DEV_ADD, "web");
	ASSERT_REJECTED(nl, -EINVAL);
	if (nl->has_miss) {
		ASSERT_EQ(VIPFO_A_DEVS, nl->miss_type);
	}
	simple(nl, VIPFO_CMD_VIP_ADD, "web");
	ASSERT_REJECTED(nl, -EINVAL);
	if (nl->has_miss) {
		ASSERT_EQ(VIPFO_A_VIPS, nl->miss_type);
	}

	/* A VIP without its address. */
	{
		struct nlmsghdr *nlh = msg_new(nl, VIPFO_CMD_VIP_ADD, 0);
		struct nlattr *list, *vip;

		put_name(nlh, "web");
		list = mnl_attr_nest_start(nlh, VIPFO_A_VIPS);
		vip = mnl_attr_nest_start(nlh, VIPFO_A_VIP);
		mnl_attr_put_u16(nlh, VIPFO_VIP_A_FAMILY, AF_INET);
		mnl_attr_nest_end(nlh, vip);
		mnl_attr_nest_end(nlh, list);
		nl_talk(nl, nlh, NULL, NULL);
		ASSERT_REJECTED(nl, -EINVAL);
	}
}

TEST_F(vipfo, out_of_range)
{
	static const struct { int attr; uint32_t val; int ok; } cases[] = {
		{ VIPFO_A_GARP_COUNT, VIPFO_GARP_COUNT_MAX + 1, 0 },
		{ VIPFO_A_GARP_COUNT, 0xffffffff, 0 },
		{ VIPFO_A_GARP_COUNT, 0, 1 },	/* answer, never announce */
		{ VIPFO_A_GARP_COUNT, 1, 1 },
		{ VIPFO_A_GARP_COUNT, VIPFO_GARP_COUNT_MAX, 1 },
		{ VIPFO_A_GARP_INTERVAL, VIPFO_GARP_INTERVAL_MIN - 1, 0 },
		{ VIPFO_A_GARP_INTERVAL, VIPFO_GARP_INTERVAL_MAX + 1, 0 },
		{ VIPFO_A_GARP_INTERVAL, VIPFO_GARP_INTERVAL_MIN, 1 },
		{ VIPFO_A_GARP_INTERVAL, VIPFO_GARP_INTERVAL_MAX, 1 },
		{ VIPFO_A_REPLY_RATE, VIPFO_REPLY_RATE_MAX + 1, 0 },
		{ VIPFO_A_REPLY_RATE, 0xffffffff, 0 },
		{ VIPFO_A_REPLY_RATE, 0, 1 },
		{ VIPFO_A_REPLY_RATE, 1, 1 },
		{ VIPFO_A_REPLY_RATE, VIPFO_REPLY_RATE_MAX, 1 },
	};
	struct nl *nl = &self->nl;
	unsigned int i;

	REQUIRE_VIPFO();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nlmsghdr *nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
		struct nlattr *bad;
		char name[16];

		snprintf(name, sizeof(name), "g%u", i);
		put_name(nlh, name);
		bad = mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put_u32(nlh, cases[i].attr, cases[i].val);
		nl_talk(nl, nlh, NULL, NULL);
		if (cases[i].ok) {
			struct group g;

			ASSERT_EQ(0, nl->err) TH_LOG("attr %d = %u: %s",
				cases[i].attr, cases[i].val, nl->msg);
			ASSERT_EQ(0, group_get(nl, name, &g));
			if (cases[i].attr == VIPFO_A_GARP_COUNT)
				ASSERT_EQ(cases[i].val, g.garp_count);
			if (cases[i].attr == VIPFO_A_GARP_INTERVAL)
				ASSERT_EQ(cases[i].val, g.garp_interval);
			continue;
		}
		snprintf(ctx, sizeof(ctx), "attr %d = %u", cases[i].attr,
			 cases[i].val);
		/* The policy's own range check answers ERANGE. */
		if (nl->err == -EINVAL)
			nl->err = -ERANGE;
		ASSERT_REJECTED(nl, -ERANGE);
		ASSERT_TRUE(nl->has_offs) TH_LOG("no NLMSGERR_ATTR_OFFS");
		ASSERT_EQ(offset_of(nlh, bad), nl->offs);
		ASSERT_EQ(-ENOENT, group_get(nl, name, &(struct group){}));
	}
}

TEST_F(vipfo, wrong_attribute_length)
{
	struct nl *nl = &self->nl;
	struct nlmsghdr *nlh;
	struct nlattr *bad, *list, *nest;
	uint8_t five[5] = { 192, 0, 2, 100, 1 };
	struct group g;

	REQUIRE_VIPFO();
	/* A u32 sent as u16. */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_name(nlh, "web");
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u16(nlh, VIPFO_A_GARP_COUNT, 3);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EINVAL);
	if (nl->has_offs) {
		ASSERT_EQ(offset_of(nlh, bad), nl->offs);
	}

	/* The reply rate as u16, and as u64. */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_name(nlh, "web");
	bad = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u16(nlh, VIPFO_A_REPLY_RATE, 50);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EINVAL);
	if (nl->has_offs) {
		ASSERT_EQ(offset_of(nlh, bad), nl->offs);
	}
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_name(nlh, "web");
	mnl_attr_put_u64(nlh, VIPFO_A_REPLY_RATE, 50);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EINVAL);

	/* A notification's attribute is no request attribute. */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_name(nlh, "web");
	mnl_attr_put(nlh, VIPFO_A_PEER_MAC, 6, "\x02\0\0\0\0\1");
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EINVAL);

	/* An IPv4 VIP of 5 bytes. */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_name(nlh, "web");
	list = mnl_attr_nest_start(nlh, VIPFO_A_VIPS);
	vipfo_nl_put_vip(nlh, AF_INET, five, sizeof(five));
	mnl_attr_nest_end(nlh, list);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EINVAL);

	/* An ifindex of one byte. */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_name(nlh, "web");
	list = mnl_attr_nest_start(nlh, VIPFO_A_DEVS);
	nest = mnl_attr_nest_start(nlh, VIPFO_A_DEV);
	mnl_attr_put_u8(nlh, VIPFO_DEV_A_IFINDEX, self->dev[0]);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, list);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EINVAL);

	/* An attribute type the family does not have (strict validation). */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_name(nlh, "web");
	mnl_attr_put_u32(nlh, VIPFO_A_MAX + 5, 1);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EINVAL);

	ASSERT_EQ(-ENOENT, group_get(nl, "web", &g));
}

/* Names one character too long, and just long enough. */
#define NAME_TOO_LONG	"0123456789abcdef0123456789abcdef"
#define NAME_LONGEST	"web-1.a_B0123456789abcdef012345"
_Static_assert(sizeof(NAME_TOO_LONG) == VIPFO_GROUP_NAME_SIZE + 1, "too long");
_Static_assert(sizeof(NAME_LONGEST) == VIPFO_GROUP_NAME_SIZE, "longest");

TEST_F(vipfo, bad_group_names)
{
	static const char * const names[] = {
		"", "a b", "web/1", NAME_TOO_LONG,
		"caf\xe9",	/* a Latin-1 letter: isalnum() in the kernel */
	};
	struct nl *nl = &self->nl;
	unsigned int i;

	REQUIRE_VIPFO();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		group_new(nl, names[i], NULL, 0, 0, 0);
		snprintf(ctx, sizeof(ctx), "name \"%s\"", names[i]);
		ASSERT_REJECTED(nl, -EINVAL);
	}
	/* The longest name, of every allowed kind of character, is fine. */
	ASSERT_EQ(0, group_new(nl, NAME_LONGEST, NULL, 0, 0, 0))
		TH_LOG("%s", nl->msg);
}

TEST_F(vipfo, vip_in_two_groups)
{
	struct nl *nl = &self->nl;
	struct group g;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "web", NULL, 0, VIP_A, 1));
	group_new(nl, "db", NULL, 0, VIP_A, 1);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");
	ASSERT_EQ(-ENOENT, group_get(nl, "db", &g));

	ASSERT_EQ(0, group_new(nl, "db", NULL, 0, 0, 0));
	vips_cmd(nl, VIPFO_CMD_VIP_ADD, "db", VIP_A, 1);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");
	ASSERT_EQ(0, group_get(nl, "db", &g));
	ASSERT_EQ(0, g.vip_count);
	/* The owner keeps it. */
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(1, g.vip_count);
}

TEST_F(vipfo, dev_in_two_groups)
{
	struct nl *nl = &self->nl;
	struct group g;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "web", self->dev, 1, 0, 0));
	group_new(nl, "db", self->dev, 1, 0, 0);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");
	ASSERT_EQ(-ENOENT, group_get(nl, "db", &g));

	ASSERT_EQ(0, group_new(nl, "db", NULL, 0, 0, 0));
	devs_cmd(nl, VIPFO_CMD_DEV_ADD, "db", self->dev, 1);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");
	ASSERT_EQ(0, group_get(nl, "db", &g));
	ASSERT_EQ(0, g.ndev);
}

TEST_F(vipfo, bad_devices)
{
	struct nl *nl = &self->nl;
	uint32_t lo = if_nametoindex("lo");
	uint32_t devs[2] = { self->dev[1], 0 };
	struct group g;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "web", self->dev, 1, 0, 0));

	/* No such ifindex: nothing of the request is applied. */
	devs[1] = 999999;
	devs_cmd(nl, VIPFO_CMD_DEV_ADD, "web", devs, 2);
	ASSERT_REJECTED(nl, -ENODEV);
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(1, g.ndev);

	/* Not an Ethernet device. */
	devs[1] = lo;
	devs_cmd(nl, VIPFO_CMD_DEV_ADD, "web", devs, 2);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(1, g.ndev);

	/* Removing a device that is no member. */
	devs_cmd(nl, VIPFO_CMD_DEV_DEL, "web", &self->dev[2], 1);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");

	/* And a good one works. */
	ASSERT_EQ(0, devs_cmd(nl, VIPFO_CMD_DEV_ADD, "web", &self->dev[1], 1));
	ASSERT_EQ(0, devs_cmd(nl, VIPFO_CMD_DEV_DEL, "web", &self->dev[0], 1));
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(1, g.ndev);
	ASSERT_EQ(self->dev[1], g.ifindex[0]);
}

/* Network namespaces are separate: an ifindex that names a device only in
 * another namespace names none here.
 */
TEST_F(vipfo, device_of_another_netns)
{
	struct nl *nl = &self->nl;
	uint32_t there = 4242;	/* the device's ifindex in the other netns */
	char name[IF_NAMESIZE], cmd[160];
	struct group g;
	pid_t child;
	int sync[2];

	REQUIRE_VIPFO();
	ASSERT_EQ(NULL, if_indextoname(there, name));
	/* The other namespace: a child's, gone with it. */
	ASSERT_EQ(0, pipe(sync));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET))
			_exit(1);
		close(sync[0]);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	ASSERT_EQ(1, read(sync[0], name, 1));
	snprintf(cmd, sizeof(cmd),
		 "ip link add vz index %u netns %d type veth peer name vy netns %d",
		 there, child, child);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(NULL, if_indextoname(there, name));

	group_new(nl, "web", &there, 1, 0, 0);
	snprintf(ctx, sizeof(ctx), "GROUP_NEW with ifindex %u of another netns", there);
	ASSERT_REJECTED(nl, -ENODEV);
	ASSERT_EQ(-ENOENT, group_get(nl, "web", &g));

	ASSERT_EQ(0, group_new(nl, "web", self->dev, 1, 0, 0));
	devs_cmd(nl, VIPFO_CMD_DEV_ADD, "web", &there, 1);
	snprintf(ctx, sizeof(ctx), "DEV_ADD with ifindex %u of another netns", there);
	ASSERT_REJECTED(nl, -ENODEV);
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(1, g.ndev);
	ASSERT_EQ(self->dev[0], g.ifindex[0]);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/*
 * 17 veth pairs take 15 s to create under the debug kernel of check-debug
 * (KASAN and lockdep in TCG), and as long to delete at teardown: more than
 * the harness's default 30 s.
 */
TEST_F_TIMEOUT(vipfo, member_limit, 180)
{
	struct nl *nl = &self->nl;
	uint32_t devs[VIPFO_MAX_MEMBERS + 1];
	char cmd[128];
	struct group g;
	int i;

	REQUIRE_VIPFO();
	for (i = 0; i <= VIPFO_MAX_MEMBERS; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip link add m%d type veth peer name n%d", i, i);
		ASSERT_EQ(0, system(cmd));
		snprintf(cmd, sizeof(cmd), "m%d", i);
		devs[i] = if_nametoindex(cmd);
	}
	group_new(nl, "web", devs, VIPFO_MAX_MEMBERS + 1, 0, 0);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");
	ASSERT_EQ(0, group_new(nl, "web", devs, VIPFO_MAX_MEMBERS, 0, 0))
		TH_LOG("%s", nl->msg);
	devs_cmd(nl, VIPFO_CMD_DEV_ADD, "web", &devs[VIPFO_MAX_MEMBERS], 1);
	ASSERT_NE(0, nl->err);
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(VIPFO_MAX_MEMBERS, g.ndev);
}

TEST_F(vipfo, atomic_vip_add)
{
	struct nl *nl = &self->nl;
	struct nlmsghdr *nlh;
	struct nlattr *list;
	uint32_t vips[16], a;
	uint8_t v6[16] = { 0xfe, 0x80, [15] = 1 };	/* never a VIP */
	struct group g;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "web", NULL, 0, VIP_A, 1));
	ASSERT_EQ(0, group_new(nl, "db", NULL, 0, VIP_A + 1, 1));

	/* Good, good, taken by db, good. */
	nlh = msg_new(nl, VIPFO_CMD_VIP_ADD, 0);
	put_name(nlh, "web");
	list = mnl_attr_nest_start(nlh, VIPFO_A_VIPS);
	for (a = VIP_A + 2; a < VIP_A + 4; a++) {
		uint32_t be = htonl(a);

		vipfo_nl_put_vip(nlh, AF_INET, &be, 4);
	}
	a = htonl(VIP_A + 1);
	vipfo_nl_put_vip(nlh, AF_INET, &a, 4);
	a = htonl(VIP_A + 5);
	vipfo_nl_put_vip(nlh, AF_INET, &a, 4);
	mnl_attr_nest_end(nlh, list);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");

	/* Good, then a link-local IPv6 one. */
	nlh = msg_new(nl, VIPFO_CMD_VIP_ADD, 0);
	put_name(nlh, "web");
	list = mnl_attr_nest_start(nlh, VIPFO_A_VIPS);
	a = htonl(VIP_A + 6);
	vipfo_nl_put_vip(nlh, AF_INET, &a, 4);
	vipfo_nl_put_vip(nlh, AF_INET6, v6, 16);
	mnl_attr_nest_end(nlh, list);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_NE(0, nl->err);

	ASSERT_EQ(0, group_dump(nl, "web", &g, vips, 16));
	ASSERT_EQ(1, g.vip_count);
	ASSERT_EQ(1, g.nvip);
	ASSERT_EQ(VIP_A, vips[0]);

	/* VIP_DEL of one present and one absent VIP removes neither. */
	vips_cmd(nl, VIPFO_CMD_VIP_DEL, "web", VIP_A, 2);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(1, g.vip_count);
	ASSERT_EQ(0, vips_cmd(nl, VIPFO_CMD_VIP_DEL, "web", VIP_A, 1));
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(0, g.vip_count);
}

TEST_F(vipfo, atomic_group_new)
{
	struct nl *nl = &self->nl;
	struct group g;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "web", NULL, 0, VIP_A + 3, 1));
	/* Device d2 and VIPs A..A+3, the last one taken: nothing is created. */
	group_new(nl, "db", &self->dev[2], 1, VIP_A, 4);
	ASSERT_NE(0, nl->err);
	ASSERT_NE(0, nl->msg[0]) TH_LOG("no extack message");
	ASSERT_EQ(-ENOENT, group_get(nl, "db", &g));
	/* d2 and A..A+2 were not left claimed. */
	ASSERT_EQ(0, group_new(nl, "app", &self->dev[2], 1, VIP_A, 3))
		TH_LOG("%s", nl->msg);
}

#define BIG_VIPS	20000
#define BIG_FIRST	0xc6120001	/* 198.18.0.1 */
#define BIG_BATCH	2000	/* a nest holds at most 64 KiB: 3276 VIPs */

TEST_F_TIMEOUT(vipfo, dump_large_group, 300)
{
	struct nl *nl = &self->nl;
	uint32_t *vips;
	unsigned char *seen;
	struct group g;
	int i, dup = 0, out = 0;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "big", self->dev, 2, 0, 0));
	ASSERT_EQ(0, group_new(nl, "small", &self->dev[2], 1, VIP_A, 2));
	for (i = 0; i < BIG_VIPS; i += BIG_BATCH)
		ASSERT_EQ(0, vips_cmd(nl, VIPFO_CMD_VIP_ADD, "big",
				      BIG_FIRST + i, BIG_BATCH))
			TH_LOG("batch at %d: %s", i, nl->msg);

	/* GET without dump: counts, no VIP list. */
	ASSERT_EQ(0, group_get(nl, "big", &g));
	ASSERT_EQ(BIG_VIPS, g.vip_count);
	ASSERT_EQ(1, nl->replies);

	vips = calloc(BIG_VIPS + 16, sizeof(*vips));
	seen = calloc(BIG_VIPS, 1);
	ASSERT_TRUE(vips && seen);
	ASSERT_EQ(0, group_dump(nl, "big", &g, vips, BIG_VIPS + 16))
		TH_LOG("%s", nl->msg);
	ASSERT_FALSE(nl->intr);
	ASSERT_GT(nl->replies, 1) TH_LOG("a 20000-VIP group in one message?");
	TH_LOG("%d VIPs in %d messages", g.nvip, nl->replies);
	ASSERT_STREQ("big", g.name);
	ASSERT_EQ(0, g.wrong_name);
	ASSERT_EQ(0, g.bad_vips);
	ASSERT_EQ(BIG_VIPS, g.vip_count);
	ASSERT_EQ(BIG_VIPS, g.nvip);
	for (i = 0; i < g.nvip && i < BIG_VIPS + 16; i++) {
		uint32_t k = vips[i] - BIG_FIRST;

		if (k >= BIG_VIPS)
			out++;
		else if (seen[k]++)
			dup++;
	}
	ASSERT_EQ(0, out);
	ASSERT_EQ(0, dup);

	/* Dump of all groups: both, each VIP once. */
	memset(seen, 0, BIG_VIPS);
	{
		struct nlmsghdr *nlh = msg_new(nl, VIPFO_CMD_GROUP_GET,
					       NLM_F_DUMP);
		struct group all = { .vips = vips, .vips_max = BIG_VIPS + 16 };

		/* Names differ across groups here; count VIPs only. */
		ASSERT_EQ(0, nl_talk(nl, nlh, group_cb, &all));
		ASSERT_EQ(BIG_VIPS + 2, all.nvip);
	}
	free(vips);
	free(seen);
}

#define RESUME_VIPS	10000

/* Delete n VIPs from first on, in batches that fit a nest. */
static int vips_del(struct nl *nl, const char *name, uint32_t first, int n)
{
	int i, err = 0;

	for (i = 0; i < n && !err; i += BIG_BATCH)
		err = vips_cmd(nl, VIPFO_CMD_VIP_DEL, name, first + i,
			       n - i < BIG_BATCH ? n - i : BIG_BATCH);
	return err;
}

/*
 * A dump resumes where it stopped even when VIPs it already sent are
 * deleted between two of its messages: every VIP not sent yet still comes,
 * and each VIP comes once. (The dump is flagged interrupted, as after any
 * change.)
 */
TEST_F_TIMEOUT(vipfo, dump_resumes_after_delete, 300)
{
	struct nl *nl = &self->nl, other = {};
	int i, len, reads = 0, deleted = 0, dup = 0, missing = 0, out = 0;
	int first_missing = -1;
	bool done = false, intr = false;
	unsigned char *seen;
	struct nlmsghdr *nlh;
	uint32_t *vips;
	struct group g;
	char *rx;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, nl_open(&other));
	ASSERT_EQ(0, group_new(nl, "big", self->dev, 1, 0, 0));
	for (i = 0; i < RESUME_VIPS; i += BIG_BATCH)
		ASSERT_EQ(0, vips_cmd(nl, VIPFO_CMD_VIP_ADD, "big",
				      BIG_FIRST + i, BIG_BATCH))
			TH_LOG("batch at %d: %s", i, nl->msg);

	vips = calloc(RESUME_VIPS + 16, sizeof(*vips));
	seen = calloc(RESUME_VIPS, 1);
	rx = malloc(BUF_SIZE);
	ASSERT_TRUE(vips && seen && rx);
	memset(&g, 0, sizeof(g));
	g.vips = vips;
	g.vips_max = RESUME_VIPS + 16;

	nlh = msg_new(nl, VIPFO_CMD_GROUP_GET, NLM_F_DUMP);
	put_name(nlh, "big");
	ASSERT_LT(0, send(nl->fd, nlh, nlh->nlmsg_len, 0));
	while (!done) {
		len = recv(nl->fd, rx, BUF_SIZE, 0);
		ASSERT_LT(0, len) TH_LOG("recv: %m");
		reads++;
		for (nlh = (struct nlmsghdr *)rx; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				parse_status(nl, nlh);
				ASSERT_EQ(0, nl->err) TH_LOG("%s", nl->msg);
				done = true;
				break;
			}
			if (nlh->nlmsg_type == nl->family)
				group_cb(nlh, &g);
		}
		if (reads > 1 || done)
			continue;
		/* The first message: its VIPs were sent, in insertion order.
		 * Delete them all before reading on.
		 */
		ASSERT_GT(g.nvip, 0);
		ASSERT_LT(g.nvip, RESUME_VIPS / 2)
			TH_LOG("the first message should hold a few thousand VIPs");
		for (i = 0; i < g.nvip; i++)
			ASSERT_EQ(BIG_FIRST + i, vips[i]);
		deleted = g.nvip;
		ASSERT_EQ(0, vips_del(&other, "big", BIG_FIRST, deleted))
			TH_LOG("%s", other.msg);
	}
	TH_LOG("%d VIPs deleted after the first message; %d VIPs in %d messages",
	       deleted, g.nvip, reads);
	ASSERT_EQ(0, g.bad_vips);
	ASSERT_EQ(0, g.wrong_name);
	for (i = 0; i < g.nvip && i < RESUME_VIPS + 16; i++) {
		uint32_t k = vips[i] - BIG_FIRST;

		if (k >= RESUME_VIPS)
			out++;
		else if (seen[k]++)
			dup++;
	}
	for (i = RESUME_VIPS - 1; i >= 0; i--) {
		if (!seen[i]) {
			missing++;
			first_missing = i;
		}
	}
	EXPECT_EQ(0, out);
	EXPECT_EQ(0, dup);
	EXPECT_EQ(0, missing) TH_LOG("never sent, the first: VIP %d",
				     first_missing);
	EXPECT_EQ(RESUME_VIPS, g.nvip);
	EXPECT_TRUE(intr);
	free(rx);
	free(vips);
	free(seen);
	close(other.fd);
	free(other.buf);
}

/* A group takes IPv6 VIPs beside IPv4 ones, global unicast ones only. */
static void put_v6_group(struct nlmsghdr *nlh, const char *name,
			 const uint8_t *v6)
{
	struct nlattr *list;

	put_name(nlh, name);
	list = mnl_attr_nest_start(nlh, VIPFO_A_VIPS);
	vipfo_nl_put_vip(nlh, AF_INET6, v6, 16);
	mnl_attr_nest_end(nlh, list);
}

TEST_F(vipfo, ipv6_vips)
{
	static const uint8_t bad[][16] = {
		{ 0 },						/* :: */
		{ [15] = 1 },					/* ::1 */
		{ 0xfe, 0x80, [15] = 1 },			/* fe80::1 */
		{ 0xff, 0x02, [15] = 1 },			/* ff02::1 */
		{ [10] = 0xff, 0xff, 192, 0, 2, 1 },		/* ::ffff:192.0.2.1 */
		{ [12] = 192, 0, 2, 1 },			/* ::192.0.2.1 */
	};
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint8_t ula[16] = { 0xfd, 0x00, [15] = 1 };
	struct nl *nl = &self->nl;
	struct nlmsghdr *nlh;
	unsigned int i;

	REQUIRE_VIPFO();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
		put_v6_group(nlh, "web", bad[i]);
		nl_talk(nl, nlh, NULL, NULL);
		ASSERT_REJECTED(nl, -EINVAL);
		ASSERT_EQ(-ENOENT, group_get(nl, "web", &(struct group){}));
	}
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_v6_group(nlh, "web", v6);
	ASSERT_EQ(0, nl_talk(nl, nlh, NULL, NULL));
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_v6_group(nlh, "db", ula);
	ASSERT_EQ(0, nl_talk(nl, nlh, NULL, NULL));
	/* One address, one group, whichever the family. */
	nlh = msg_new(nl, VIPFO_CMD_GROUP_NEW, 0);
	put_v6_group(nlh, "app", v6);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EEXIST);
}

TEST_F(vipfo, unknown_command)
{
	struct nl *nl = &self->nl;

	REQUIRE_VIPFO();
	simple(nl, 200, "web");
	ASSERT_EQ(-EOPNOTSUPP, nl->err);
	/* Notification ids are no requests. */
	simple(nl, VIPFO_CMD_FAILOVER_NTF, "web");
	ASSERT_EQ(-EOPNOTSUPP, nl->err);
	simple(nl, VIPFO_CMD_CONFLICT_NTF, "web");
	ASSERT_EQ(-EOPNOTSUPP, nl->err);
	simple(nl, VIPFO_CMD_UNSPEC, "web");
	ASSERT_EQ(-EOPNOTSUPP, nl->err);
}

static int drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].effective &= ~(1u << CAP_NET_ADMIN);
	data[0].permitted &= ~(1u << CAP_NET_ADMIN);
	return syscall(SYS_capset, &hdr, data);
}

TEST_F(vipfo, changes_need_net_admin)
{
	struct nl *nl = &self->nl;
	struct nlmsghdr *nlh;
	struct group g;

	REQUIRE_VIPFO();
	ASSERT_EQ(0, group_new(nl, "web", self->dev, 1, VIP_A, 1));
	ASSERT_EQ(0, drop_net_admin());

	/* Every changing command: EPERM, and a message saying why. */
	strcpy(ctx, "group new");
	group_new(nl, "db", NULL, 0, 0, 0);
	ASSERT_REJECTED(nl, -EPERM);
	ASSERT_NE(NULL, strstr(nl->msg, "CAP_NET_ADMIN")) TH_LOG("%s", nl->msg);
	strcpy(ctx, "group del");
	simple(nl, VIPFO_CMD_GROUP_DEL, "web");
	ASSERT_REJECTED(nl, -EPERM);
	strcpy(ctx, "group set");
	nlh = msg_new(nl, VIPFO_CMD_GROUP_SET, 0);
	put_name(nlh, "web");
	mnl_attr_put_u32(nlh, VIPFO_A_REPLY_RATE, 0);
	nl_talk(nl, nlh, NULL, NULL);
	ASSERT_REJECTED(nl, -EPERM);
	strcpy(ctx, "vip add");
	vips_cmd(nl, VIPFO_CMD_VIP_ADD, "web", VIP_A + 1, 1);
	ASSERT_REJECTED(nl, -EPERM);
	strcpy(ctx, "vip del");
	vips_cmd(nl, VIPFO_CMD_VIP_DEL, "web", VIP_A, 1);
	ASSERT_REJECTED(nl, -EPERM);
	strcpy(ctx, "dev add");
	devs_cmd(nl, VIPFO_CMD_DEV_ADD, "web", &self->dev[1], 1);
	ASSERT_REJECTED(nl, -EPERM);
	strcpy(ctx, "dev del");
	devs_cmd(nl, VIPFO_CMD_DEV_DEL, "web", self->dev, 1);
	ASSERT_REJECTED(nl, -EPERM);

	/* Reading stays open, and nothing changed. */
	ASSERT_EQ(0, group_get(nl, "web", &g));
	ASSERT_EQ(1, g.vip_count);
	ASSERT_EQ(1, g.ndev);
	ASSERT_EQ(100000, g.reply_rate);
	ASSERT_EQ(0, group_dump(nl, NULL, &g, NULL, 0));
	ASSERT_EQ(1, nl->replies);
}

/* Wait up to secs for a CHANGE_NTF: its VIPFO_A_CHANGE, or -1. */
static int read_change_ntf(int fd, char *name, size_t namesz, int secs)
{
	char *rx = malloc(BUF_SIZE);
	struct timeval tv = { .tv_sec = secs };
	int change = -1;
	int len;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (change < 0 && (len = recv(fd, rx, BUF_SIZE, 0)) > 0) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)rx;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			struct genlmsghdr *gh = mnl_nlmsg_get_payload(nlh);
			struct nlattr *a;

			if (nlh->nlmsg_seq || gh->cmd != VIPFO_CMD_CHANGE_NTF)
				continue;
			mnl_attr_for_each(a, nlh, sizeof(*gh)) {
				if (mnl_attr_get_type(a) == VIPFO_A_CHANGE)
					change = mnl_attr_get_u8(a);
				if (mnl_attr_get_type(a) == VIPFO_A_GROUP_NAME)
					snprintf(name, namesz, "%s",
						 mnl_attr_get_str(a));
			}
		}
	}
	free(rx);
	return change;
}

TEST_F(vipfo, change_notifications)
{
	struct nl *nl = &self->nl;
	struct nl ev = {};
	char name[VIPFO_GROUP_NAME_SIZE] = "";

	REQUIRE_VIPFO();
	ASSERT_NE(0, nl->mcgrp) TH_LOG("no \"events\" multicast group");
	ASSERT_EQ(0, nl_open(&ev));
	ASSERT_EQ(0, setsockopt(ev.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&nl->mcgrp, sizeof(nl->mcgrp)));

	ASSERT_EQ(0, group_new(nl, "web", NULL, 0, 0, 0));
	ASSERT_EQ(VIPFO_CMD_GROUP_NEW, read_change_ntf(ev.fd, name, sizeof(name), 10));
	ASSERT_STREQ("web", name);
	ASSERT_EQ(0, vips_cmd(nl, VIPFO_CMD_VIP_ADD, "web", VIP_A, 2));
	ASSERT_EQ(VIPFO_CMD_VIP_ADD, read_change_ntf(ev.fd, name, sizeof(name), 10));
	ASSERT_EQ(0, simple(nl, VIPFO_CMD_GROUP_DEL, "web"));
	ASSERT_EQ(VIPFO_CMD_GROUP_DEL, read_change_ntf(ev.fd, name, sizeof(name), 10));
	/* A rejected request notifies nothing. */
	group_new(nl, "web", NULL, 0, 0, 0);
	group_new(nl, "web", NULL, 0, 0, 0);
	ASSERT_EQ(VIPFO_CMD_GROUP_NEW, read_change_ntf(ev.fd, name, sizeof(name), 10));
	ASSERT_EQ(-1, read_change_ntf(ev.fd, name, sizeof(name), 2));
	close(ev.fd);
	free(ev.buf);
}

TEST_HARNESS_MAIN
