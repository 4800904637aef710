// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: hostile input for the "vipfo" generic netlink family.
 *
 * Run by nl_fuzz.sh inside a network namespace that holds the devices
 * d0..d15 and e0..e15 (veth pairs). Usage:
 *
 *   nl_fuzz [--seed N] [--count N] [--first N] [--batch N] [--unpriv]
 *           [--huge-netns /run/netns/NAME] [--verbose]
 *
 * Every message is a function of (seed, index) alone: `--seed S --first I
 * --count 1 --verbose` sends message I of run S again and prints its bytes
 * and what came back.
 *
 * Design
 *
 * - The state before every message is a known baseline: five groups (two
 *   small ones, an empty one, one with 15 members of 16, one with 200
 *   VIPs), with different options (reply rates 0 to 10,000,000). In root
 *   mode the fuzzer creates it; with --unpriv (run as an unprivileged user
 *   after a root run) it takes whatever the namespace holds as baseline,
 *   and every change must be refused.
 *
 * - Messages: a valid request of a random command (all eight operations,
 *   do and dump, naming existing and new groups, free, member, foreign,
 *   missing and non-Ethernet devices, free, owned, invalid and duplicated
 *   VIPs) is built as a tree, then mutated: attributes deleted, repeated,
 *   retyped (unknown ids, NLA_F_NESTED toggled), resized, given boundary
 *   or random values, wrapped in deep nesting (up to 300 levels), turned
 *   from leaf to nest and back, lists blown up to thousands of entries.
 *   Then, on the bytes: a bad nla_len, truncation, trailing garbage,
 *   flipped bits, a lying nlmsg_len. And the headers: unknown commands
 *   (incl. the notification ids), odd nlmsg flags (NLM_F_DUMP on do-only
 *   operations, reserved and ambiguous bits, no NLM_F_REQUEST or
 *   NLM_F_ACK), genl version and reserved bytes.
 *
 * - Huge dumps (--huge-netns): a group of 20,000 VIPs in another namespace,
 *   so that checking the fuzzed one stays cheap. Some messages are instead
 *   a dump of it, checked whole (every VIP once), a dump of it left unread
 *   on a socket that is then closed, or one with a change between its
 *   parts, which must be flagged NLM_F_DUMP_INTR.
 *
 * - Oracle: every message's bytes are judged before sending by a model of
 *   the ABI (include/uapi/linux/vipfo.h, kmod/netlink.c's per-op
 *   policies) and of 6.1's generic netlink core: the strict policy
 *   validation (lib/nlattr.c), the handler's checks against the baseline,
 *   the core's own checks. It says "must fail", "must succeed" or
 *   "ignored" (no NLM_F_REQUEST, or an nlmsg_len the core drops). A
 *   rejected valid request, an accepted invalid one, or an answer to an
 *   ignored one is a finding. Where the error is the core's alone (its
 *   header checks, the policy: EINVAL, or ERANGE for a value, string or
 *   binary length or nest size out of range) or the permission's, a
 *   rejection with another errno is a finding too.
 *
 * - Permission (--unpriv): the changing operations are refused by vipfo's
 *   pre_doit, with EPERM and a message naming CAP_NET_ADMIN. 6.1's
 *   genl_family_rcv_msg() gets there after the header checks, the command
 *   lookup and the NLM_F_DUMP check (dumpit: no pre_doit, and only
 *   GROUP_GET has one), and genl_family_rcv_msg_doit() after the policy:
 *   so a malformed change gets its policy error, a well-formed one EPERM,
 *   whatever the handler would have said.
 *
 * - Configuration: rejected requests must change nothing. An accepted
 *   valid change must leave what the model predicts (the baseline with the
 *   request applied, defaults for what GROUP_NEW leaves out): a dump is
 *   compared with it. Then the fuzzer puts the baseline back at once
 *   (deleting what was added, re-adding what was removed, from a diff of a
 *   dump against the baseline) and checks the dump equals it. So every
 *   message meets the same state (which makes the oracle and single-message
 *   replays possible). After every --batch (32) messages without an
 *   accepted change, and before any message the oracle expects to change
 *   something, a dump must still equal the baseline; when it does not, the
 *   batch is replayed one message at a time to name the culprit. An events
 *   socket counts CHANGE_NTF: exactly one per accepted change, none for a
 *   rejection (a run that cannot open it fails).
 *
 * - Extended acks: every rejection must carry NLMSGERR_ATTR_MSG, except
 *   the classes 6.1's genetlink core rejects without one before vipfo
 *   sees the message (predicted from the header: a message shorter than
 *   the genl header, an unknown command, incl. the notification ids,
 *   NLM_F_DUMP on an operation without dumpit). Those are counted per
 *   (command, errno) and printed; any other rejection without a message
 *   is a finding (EPERM included: vipfo's pre_doit sets one).
 *
 * - The socket keeps working: a request without an answer within 20 s, or
 *   a socket error, ends the run as a failure.
 *
 * Speed under TCG on 2 shared cores: 1,300 to 2,700 messages/s (100,000
 * in 75 s with the host loaded, 37 s without), 40% of it in the dumps that
 * check the state.
 *
 * Exit 0 without findings, 1 with, 4 (skip) without the family.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vipfo.h>

#define MSG_MAX		(80 * 1024)	/* largest message generated */
#define RX_SIZE		(512 * 1024)
#define NODES_MAX	16384
#define NOMSG_CLASSES	64
#define ERR_CLASSES	512

/* ------------------------------------------------------------ options */

static uint64_t opt_seed;
static long opt_count = 100000;
static long opt_first;
static int opt_batch = 32;
static bool opt_unpriv;
static bool opt_verbose;
static const char *opt_huge;	/* the huge group's namespace, or NULL */

static int findings;

static void finding(const char *fmt, ...)
{
	va_list ap;

	findings++;
	if (findings > 50)
		return;
	printf("# FINDING: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("# FATAL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

/* ------------------------------------------------------------ PRNG */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)		/* splitmix64 */
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, int permille)
{
	return (int)below(r, 1000) < permille;
}

static uint32_t pick_u32(struct rng *r, const uint32_t *v, int n)
{
	return v[below(r, n)];
}

#define PICK(r, arr) pick_u32(r, arr, sizeof(arr) / sizeof(arr[0]))

/* ------------------------------------------------------------ names */

#define CMD_OTHER 0x1000	/* every command id above VIPFO_CMD_MAX */

static const char *cmd_name(int cmd)
{
	static const char * const names[] = {
		"UNSPEC", "GROUP_NEW", "GROUP_DEL", "GROUP_SET", "GROUP_GET",
		"DEV_ADD", "DEV_DEL", "VIP_ADD", "VIP_DEL", "CHANGE_NTF",
		"FAILOVER_NTF", "RECOVER_NTF", "CONFLICT_NTF", "HOLD_NTF",
	};
	static char buf[16];

	_Static_assert(sizeof(names) / sizeof(names[0]) == VIPFO_CMD_MAX + 1,
		       "a command without a name");
	if (cmd >= 0 && cmd < (int)(sizeof(names) / sizeof(names[0])))
		return names[cmd];
	if (cmd == CMD_OTHER) {
		snprintf(buf, sizeof(buf), "cmd %d-255", VIPFO_CMD_MAX + 1);
		return buf;
	}
	snprintf(buf, sizeof(buf), "cmd %d", cmd);
	return buf;
}

static bool cmd_is_op(int cmd)
{
	return cmd >= VIPFO_CMD_GROUP_NEW && cmd <= VIPFO_CMD_VIP_DEL;
}

static bool cmd_changes(int cmd)
{
	return cmd_is_op(cmd) && cmd != VIPFO_CMD_GROUP_GET;
}

/* ------------------------------------------------------------ state */

/* A group as a dump shows it; devices and VIPs sorted. */
struct sgroup {
	char name[VIPFO_GROUP_NAME_SIZE];
	uint32_t garp_count, garp_interval, carrier_poll, reply_rate, up_delay;
	uint32_t vip_count;
	int heads;		/* messages carrying the group's options */
	int ndev;
	uint32_t dev[VIPFO_MAX_MEMBERS + 8];
	int nvip, vcap;
	uint32_t *vip;		/* host byte order */
};

struct snap {
	int n;
	struct sgroup g[64];
	bool intr;
	int parts;		/* messages */
	char bad[160];		/* what was malformed, "" if nothing */
};

static void snap_clear(struct snap *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->g[i].vip);
	memset(s, 0, sizeof(*s));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct sgroup *snap_find(const struct snap *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->g[i].name, name))
			return (struct sgroup *)&s->g[i];
	return NULL;
}

static bool sorted_has(const uint32_t *v, int n, uint32_t x)
{
	return bsearch(&x, v, n, sizeof(x), cmp_u32) != NULL;
}

/* The group that holds VIP a (host order) or device ifindex, or NULL. */
static const struct sgroup *vip_owner(const struct snap *s, uint32_t a)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (sorted_has(s->g[i].vip, s->g[i].nvip, a))
			return &s->g[i];
	return NULL;
}

static const struct sgroup *dev_owner(const struct snap *s, uint32_t ifindex)
{
	int i, j;

	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->g[i].ndev; j++)
			if (s->g[i].dev[j] == ifindex)
				return &s->g[i];
	return NULL;
}

static bool options_equal(const struct sgroup *x, const struct sgroup *y)
{
	return x->garp_count == y->garp_count &&
	       x->garp_interval == y->garp_interval &&
	       x->carrier_poll == y->carrier_poll &&
	       x->reply_rate == y->reply_rate &&
	       x->up_delay == y->up_delay;
}

/* "" when equal, else what differs. */
static const char *snap_diff(const struct snap *a, const struct snap *b)
{
	static char why[256];
	int i;

	if (a->n != b->n) {
		snprintf(why, sizeof(why), "%d groups instead of %d", b->n, a->n);
		return why;
	}
	for (i = 0; i < a->n; i++) {
		const struct sgroup *x = &a->g[i], *y = snap_find(b, x->name);

		if (!y)
			snprintf(why, sizeof(why), "group %s missing", x->name);
		else if (!options_equal(x, y))
			snprintf(why, sizeof(why),
				 "group %s options %u/%u/%u/%u/%u instead of %u/%u/%u/%u/%u",
				 x->name, y->garp_count, y->garp_interval,
				 y->carrier_poll, y->reply_rate, y->up_delay,
				 x->garp_count, x->garp_interval, x->carrier_poll,
				 x->reply_rate, x->up_delay);
		else if (x->ndev != y->ndev ||
			 memcmp(x->dev, y->dev, x->ndev * sizeof(x->dev[0])))
			snprintf(why, sizeof(why), "group %s: %d devices instead of %d (or others)",
				 x->name, y->ndev, x->ndev);
		else if (x->nvip != y->nvip || x->vip_count != y->vip_count ||
			 memcmp(x->vip, y->vip, x->nvip * sizeof(x->vip[0])))
			snprintf(why, sizeof(why), "group %s: %d VIPs instead of %d (or others)",
				 x->name, y->nvip, x->nvip);
		else
			continue;
		return why;
	}
	return "";
}

/* ------------------------------------------------------------ transport */

struct conn {
	int fd;
	uint32_t seq;
};

static uint16_t family;
static uint32_t mcgrp;
static char *rx;

/* What came back for one request. */
struct outcome {
	bool terminal;		/* NLMSG_ERROR or NLMSG_DONE for it */
	bool done;		/* it was NLMSG_DONE (a dump) */
	int err;
	bool has_msg;
	char msg[160];
	int replies;		/* messages of the family */
	bool intr;		/* NLM_F_DUMP_INTR seen */
	int after_intr;		/* parts received since intr_mark was set */
};

typedef void (*reply_cb)(const struct nlmsghdr *nlh, void *data);

static int ext_ack_cb(const struct nlattr *attr, void *data)
{
	struct outcome *o = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG) {
		o->has_msg = true;
		snprintf(o->msg, sizeof(o->msg), "%.*s",
			 (int)mnl_attr_get_payload_len(attr),
			 (const char *)mnl_attr_get_payload(attr));
	}
	return MNL_CB_OK;
}

static void parse_status(const struct nlmsghdr *nlh, struct outcome *o)
{
	size_t off;

	o->terminal = true;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			return;
		o->err = e->error;
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	} else {
		o->done = true;
		if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
			o->err = *(const int *)mnl_nlmsg_get_payload(nlh);
		off = sizeof(int);
	}
	off = MNL_ALIGN(off);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    mnl_nlmsg_get_payload_len(nlh) > off)
		mnl_attr_parse(nlh, off, ext_ack_cb, o);
}

/*
 * Read until the terminal message of seq `until`. Messages of seq a (the
 * request) go to *oa and cb, those of `until` (when it is another one, a
 * barrier) to *ob. Returns 0, or -errno when the socket failed.
 */
static int conn_read(struct conn *c, uint32_t a, struct outcome *oa,
		     uint32_t until, struct outcome *ob, reply_cb cb,
		     void *data)
{
	struct outcome *ou = until == a ? oa : ob;

	while (!ou->terminal) {
		int len = recv(c->fd, rx, RX_SIZE, MSG_TRUNC);
		struct nlmsghdr *nlh = (struct nlmsghdr *)rx;

		if (len < 0)
			return -errno;
		if (len > RX_SIZE)
			return -EMSGSIZE;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			struct outcome *o = nlh->nlmsg_seq == a ? oa :
				nlh->nlmsg_seq == until ? ob : NULL;

			if (!o)
				continue;	/* a late reply: ignore */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				o->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				parse_status(nlh, o);
				continue;
			}
			if (nlh->nlmsg_type == family) {
				o->replies++;
				if (cb && o == oa)
					cb(nlh, data);
			}
		}
	}
	return 0;
}

static int conn_send(struct conn *c, const void *buf, size_t len)
{
	return send(c->fd, buf, len, 0) < 0 ? -errno : 0;
}

static struct nlmsghdr *msg_start(char *buf, struct conn *c, uint8_t cmd,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++c->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = VIPFO_GENL_VERSION;
	return nlh;
}

/* A well-formed request with NLM_F_ACK: its outcome. */
static int talk(struct conn *c, struct nlmsghdr *nlh, struct outcome *o,
		reply_cb cb, void *data)
{
	int err;

	memset(o, 0, sizeof(*o));
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	err = conn_send(c, nlh, nlh->nlmsg_len);
	if (!err)
		err = conn_read(c, nlh->nlmsg_seq, o, nlh->nlmsg_seq, o, cb,
				data);
	if (err)
		die("netlink socket failed: %s", strerror(-err));
	return o->err;
}

static int conn_open(struct conn *c, int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 20 };
	int one = 1;

	c->seq = (uint32_t)getpid() << 12;
	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	/* Bound: an unbound socket has portid 0, the kernel's, and
	 * netlink_broadcast() skips it.
	 */
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	const char *name = NULL;
	struct nlattr *a;
	uint32_t id = 0;

	(void)data;
	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, VIPFO_MCGRP_EVENTS))
		mcgrp = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	(void)data;
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID)
		family = mnl_attr_get_u16(attr);
	else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
		mnl_attr_parse_nested(attr, mcgrp_cb, NULL);
	return MNL_CB_OK;
}

static void family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
}

static int resolve_family(struct conn *c)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct outcome o;
	uint16_t ours = family;

	family = GENL_ID_CTRL;
	nlh = msg_start(buf, c, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VIPFO_GENL_NAME);
	if (talk(c, nlh, &o, family_cb, NULL) || family == GENL_ID_CTRL) {
		family = ours;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ snapshots */

static void sgroup_add_vip(struct sgroup *g, uint32_t a)
{
	if (g->nvip == g->vcap) {
		g->vcap = g->vcap ? 2 * g->vcap : 64;
		g->vip = realloc(g->vip, g->vcap * sizeof(*g->vip));
		if (!g->vip)
			die("out of memory");
	}
	g->vip[g->nvip++] = a;
}

struct dump_ctx {
	struct snap *s;
	struct sgroup *cur;
};

/* A counters nest: every VIPFO_STATS_A_* once, a u64 each (and pads). */
static bool stats_ok(const struct nlattr *nest)
{
	const struct nlattr *a;
	uint32_t seen = 0, all = 0;
	int t;

	for (t = VIPFO_STATS_A_REQUESTS; t <= VIPFO_STATS_A_MAX; t++)
		all |= 1u << t;
	mnl_attr_for_each_nested(a, nest) {
		t = mnl_attr_get_type(a);
		if (t == VIPFO_STATS_A_PAD)
			continue;
		if (t < VIPFO_STATS_A_REQUESTS || t > VIPFO_STATS_A_MAX ||
		    (seen & (1u << t)) || mnl_attr_get_payload_len(a) != 8)
			return false;
		seen |= 1u << t;
	}
	return seen == all;
}

/* What the first message of a group carries besides its name. */
#define HEAD_ATTRS (1u << VIPFO_A_GARP_COUNT | 1u << VIPFO_A_GARP_INTERVAL | \
		    1u << VIPFO_A_CARRIER_POLL | 1u << VIPFO_A_REPLY_RATE | \
		    1u << VIPFO_A_UP_DELAY | \
		    1u << VIPFO_A_VIP_COUNT | 1u << VIPFO_A_STATS | \
		    1u << VIPFO_A_DEVS)

static void dump_group_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct snap *s = d->s;
	struct sgroup *g = NULL;
	uint32_t attrs = 0;
	struct nlattr *a, *b, *e;

	s->parts++;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) < 32)
			attrs |= 1u << mnl_attr_get_type(a);
		switch (mnl_attr_get_type(a)) {
		case VIPFO_A_GROUP_NAME:
			g = snap_find(s, mnl_attr_get_str(a));
			if (!g) {
				if (s->n == (int)(sizeof(s->g) / sizeof(s->g[0]))) {
					snprintf(s->bad, sizeof(s->bad), "too many groups");
					return;
				}
				g = &s->g[s->n++];
				snprintf(g->name, sizeof(g->name), "%s",
					 mnl_attr_get_str(a));
			}
			break;
		case VIPFO_A_GARP_COUNT:
			if (g)
				g->garp_count = mnl_attr_get_u32(a);
			break;
		case VIPFO_A_GARP_INTERVAL:
			if (g)
				g->garp_interval = mnl_attr_get_u32(a);
			break;
		case VIPFO_A_CARRIER_POLL:
			if (g)
				g->carrier_poll = mnl_attr_get_u32(a);
			break;
		case VIPFO_A_REPLY_RATE:
			if (g)
				g->reply_rate = mnl_attr_get_u32(a);
			break;
		case VIPFO_A_UP_DELAY:
			if (g)
				g->up_delay = mnl_attr_get_u32(a);
			break;
		case VIPFO_A_STATS:
			if (g && !stats_ok(a))
				snprintf(s->bad, sizeof(s->bad),
					 "group %s: malformed counters", g->name);
			break;
		case VIPFO_A_VIP_COUNT:
			if (g)
				g->vip_count = mnl_attr_get_u32(a);
			break;
		case VIPFO_A_DEVS:
			if (!g)
				break;
			mnl_attr_for_each_nested(b, a) {
				bool stats = false;

				mnl_attr_for_each_nested(e, b) {
					if (mnl_attr_get_type(e) == VIPFO_DEV_A_IFINDEX &&
					    g->ndev < VIPFO_MAX_MEMBERS + 8)
						g->dev[g->ndev++] = mnl_attr_get_u32(e);
					else if (mnl_attr_get_type(e) == VIPFO_DEV_A_STATS)
						stats = stats_ok(e);
				}
				if (!stats)
					snprintf(s->bad, sizeof(s->bad),
						 "group %s: a member without counters or malformed ones",
						 g->name);
			}
			break;
		case VIPFO_A_VIPS:
			if (!g)
				break;
			mnl_attr_for_each_nested(b, a) {
				uint16_t fam = 0;
				uint32_t addr = 0;
				int alen = 0;

				mnl_attr_for_each_nested(e, b) {
					if (mnl_attr_get_type(e) == VIPFO_VIP_A_FAMILY)
						fam = mnl_attr_get_u16(e);
					else if (mnl_attr_get_type(e) == VIPFO_VIP_A_ADDR) {
						alen = mnl_attr_get_payload_len(e);
						if (alen == 4)
							memcpy(&addr, mnl_attr_get_payload(e), 4);
					}
				}
				if (fam != AF_INET || alen != 4)
					snprintf(s->bad, sizeof(s->bad),
						 "group %s: malformed VIP", g->name);
				else
					sgroup_add_vip(g, ntohl(addr));
			}
			break;
		}
	}
	if (!g) {
		snprintf(s->bad, sizeof(s->bad), "dump message without a group name");
	} else if (attrs & HEAD_ATTRS) {
		g->heads++;
		if ((attrs & HEAD_ATTRS) != HEAD_ATTRS)
			snprintf(s->bad, sizeof(s->bad),
				 "group %s: first message without attributes 0x%x",
				 g->name, HEAD_ATTRS & ~attrs);
	}
}

static double snap_secs;
static long snap_count;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Dump every group into s and check the dump is well-formed. */
static void take_snap(struct conn *c, struct snap *s)
{
	double t0 = now();
	char buf[64];
	struct nlmsghdr *nlh;
	struct dump_ctx d = { .s = s };
	struct outcome o;
	int i;

	snap_clear(s);
	nlh = msg_start(buf, c, VIPFO_CMD_GROUP_GET, NLM_F_DUMP);
	if (talk(c, nlh, &o, dump_group_cb, &d))
		die("dump failed: %s (%s)", strerror(-o.err), o.msg);
	s->intr = o.intr;
	for (i = 0; i < s->n && !s->bad[0]; i++) {
		struct sgroup *g = &s->g[i];

		qsort(g->dev, g->ndev, sizeof(g->dev[0]), cmp_u32);
		qsort(g->vip, g->nvip, sizeof(g->vip[0]), cmp_u32);
		if (g->heads != 1)
			snprintf(s->bad, sizeof(s->bad), "group %s: options in %d messages",
				 g->name, g->heads);
		else if ((int)g->vip_count != g->nvip)
			snprintf(s->bad, sizeof(s->bad), "group %s: vip_count %u but %d VIPs dumped",
				 g->name, g->vip_count, g->nvip);
	}
	if (s->intr && !s->bad[0])
		snprintf(s->bad, sizeof(s->bad), "NLM_F_DUMP_INTR without a change");
	snap_secs += now() - t0;
	snap_count++;
}

/* ------------------------------------------------------------ events */

static struct conn events;
static long events_expected, events_seen, events_other;

static void events_drain(void)
{
	char *buf = rx;
	int len;

	while ((len = recv(events.fd, buf, RX_SIZE, MSG_DONTWAIT)) != 0) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			die("events socket: %s", strerror(errno));
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != family)
				continue;
			if (g->cmd == VIPFO_CMD_CHANGE_NTF)
				events_seen++;
			else
				events_other++;
		}
	}
}

/* ------------------------------------------------------------ baseline */

#define NET_VIPS	0xc6336400	/* 198.51.100.0 */
#define MANY_VIPS	0x0a630000	/* 10.99.0.0 */
#define MANY_N		200
#define HUGE_VIPS	0x0a640000	/* 10.100.0.0, in the other namespace */
#define HUGE_N		20000
#define NDEV		16

struct env {
	uint32_t d[NDEV], e[NDEV];	/* ifindexes of dN and eN */
	uint32_t lo;
	uint32_t exist[256];		/* every ifindex of the namespace */
	int nexist;
	uint32_t absent;		/* one that does not exist */
};

static struct env env;

struct bgroup {
	const char *name;
	uint32_t garp_count, garp_interval, carrier_poll, reply_rate;
	char devs[64];		/* "d0 d1" */
	uint32_t vip_first;
	int nvip;
	uint32_t up_delay;
};

/* The baseline: small groups, an empty one, a full one, a big one. */
static const struct bgroup baseline_def[] = {
	{ "fz0", 7, 300, 0, 0, "d0 d1", NET_VIPS + 1, 16, 0 },
	{ "fz1", 3, 200, 5, 100000, "d2", NET_VIPS + 101, 4, 1000 },
	{ "fz-2.e_", VIPFO_GARP_COUNT_MAX, VIPFO_GARP_INTERVAL_MAX,
	  VIPFO_CARRIER_POLL_MAX, VIPFO_REPLY_RATE_MAX, "", 0, 0, VIPFO_UP_DELAY_MAX },
	{ "full", 1, VIPFO_GARP_INTERVAL_MIN, 0, 1,
	  "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 e10 e11 e12 e13 e14", NET_VIPS + 150, 1,
	  1 },
	{ "many", 2, 1000, 0, 50, "d3", MANY_VIPS + 1, MANY_N, 250 },
};
#define NBASE ((int)(sizeof(baseline_def) / sizeof(baseline_def[0])))

static struct snap base;		/* what the kernel must hold */

static uint32_t dev_by_name(const char *name)
{
	uint32_t i = if_nametoindex(name);

	if (!i)
		die("no device %s in this namespace (run by nl_fuzz.sh)", name);
	return i;
}

static void env_init(void)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	char name[16];
	uint32_t max = 0;
	int i;

	for (i = 0; i < NDEV; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		env.d[i] = dev_by_name(name);
		snprintf(name, sizeof(name), "e%d", i);
		env.e[i] = dev_by_name(name);
	}
	env.lo = dev_by_name("lo");
	for (p = ni; p && p->if_index; p++) {
		if (env.nexist < 256)
			env.exist[env.nexist++] = p->if_index;
		if (p->if_index > max)
			max = p->if_index;
	}
	if_freenameindex(ni);
	qsort(env.exist, env.nexist, sizeof(env.exist[0]), cmp_u32);
	env.absent = max + 1000;
}

static bool dev_exists(uint32_t ifindex)
{
	return sorted_has(env.exist, env.nexist, ifindex);
}

static bool dev_is_ether(uint32_t ifindex)
{
	return ifindex != env.lo;
}

static void baseline_build(struct snap *s)
{
	int i, j;

	snap_clear(s);
	for (i = 0; i < NBASE; i++) {
		const struct bgroup *b = &baseline_def[i];
		struct sgroup *g = &s->g[s->n++];
		char devs[sizeof(b->devs)], *tok, *save;

		snprintf(g->name, sizeof(g->name), "%s", b->name);
		g->garp_count = b->garp_count;
		g->garp_interval = b->garp_interval;
		g->carrier_poll = b->carrier_poll;
		g->reply_rate = b->reply_rate;
		g->up_delay = b->up_delay;
		g->heads = 1;
		snprintf(devs, sizeof(devs), "%s", b->devs);
		for (tok = strtok_r(devs, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			g->dev[g->ndev++] = dev_by_name(tok);
		for (j = 0; j < b->nvip; j++)
			sgroup_add_vip(g, b->vip_first + j);
		g->vip_count = g->nvip;
		qsort(g->dev, g->ndev, sizeof(g->dev[0]), cmp_u32);
	}
}

/* ------------------------------------------------------------ restore */

static struct conn main_c;
static char req[MSG_MAX + 4096];
static long restores, restore_msgs;

static struct conn huge_c;	/* in the other namespace, fd -1 if none */

/* A change the fuzzer makes itself; the events socket sees main_c's. */
static void expect_ok(struct conn *c, struct nlmsghdr *nlh, const char *what)
{
	struct outcome o;

	if (talk(c, nlh, &o, NULL, NULL))
		die("%s: %s (%s)", what, strerror(-o.err), o.msg);
	if (c == &main_c)
		events_expected++;
	restore_msgs++;
}

static void put_dev_list(struct nlmsghdr *nlh, const uint32_t *dev, int n)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, VIPFO_A_DEVS);
	int i;

	for (i = 0; i < n; i++) {
		struct nlattr *d = mnl_attr_nest_start(nlh, VIPFO_A_DEV);

		mnl_attr_put_u32(nlh, VIPFO_DEV_A_IFINDEX, dev[i]);
		mnl_attr_nest_end(nlh, d);
	}
	mnl_attr_nest_end(nlh, list);
}

static void put_vip_list(struct nlmsghdr *nlh, const uint32_t *vip, int n)
{
	struct nlattr *list = mnl_attr_nest_start(nlh, VIPFO_A_VIPS);
	int i;

	for (i = 0; i < n; i++) {
		struct nlattr *v = mnl_attr_nest_start(nlh, VIPFO_A_VIP);
		uint32_t be = htonl(vip[i]);

		mnl_attr_put_u16(nlh, VIPFO_VIP_A_FAMILY, AF_INET);
		mnl_attr_put(nlh, VIPFO_VIP_A_ADDR, 4, &be);
		mnl_attr_nest_end(nlh, v);
	}
	mnl_attr_nest_end(nlh, list);
}

/* The elements of a that b lacks (both sorted). */
static int minus(const uint32_t *a, int na, const uint32_t *b, int nb,
		 uint32_t *out)
{
	int i, n = 0;

	for (i = 0; i < na; i++)
		if (!sorted_has(b, nb, a[i]))
			out[n++] = a[i];
	return n;
}

static void devs_op(uint8_t cmd, const char *name, const uint32_t *dev, int n)
{
	struct nlmsghdr *nlh;

	if (!n)
		return;
	nlh = msg_start(req, &main_c, cmd, 0);
	mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, name);
	put_dev_list(nlh, dev, n);
	expect_ok(&main_c, nlh, cmd_name(cmd));
}

static void vips_op(struct conn *c, uint8_t cmd, const char *name,
		    const uint32_t *vip, int n)
{
	struct nlmsghdr *nlh;
	int i, k;

	for (i = 0; i < n; i += k) {
		k = n - i < 2000 ? n - i : 2000;
		nlh = msg_start(req, c, cmd, 0);
		mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, name);
		put_vip_list(nlh, vip + i, k);
		expect_ok(c, nlh, cmd_name(cmd));
	}
}

/* Make the kernel's configuration the baseline again, from a diff. */
static void restore(const struct snap *cur)
{
	static uint32_t tmp[HUGE_N + 8192];
	struct nlmsghdr *nlh;
	int i, n;

	restores++;
	/* Removals first: what a baseline group needs may be elsewhere. */
	for (i = 0; i < cur->n; i++) {
		const struct sgroup *g = &cur->g[i], *b = snap_find(&base, g->name);

		if (!b) {
			nlh = msg_start(req, &main_c, VIPFO_CMD_GROUP_DEL, 0);
			mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, g->name);
			expect_ok(&main_c, nlh, "restore: GROUP_DEL");
			continue;
		}
		n = minus(g->dev, g->ndev, b->dev, b->ndev, tmp);
		devs_op(VIPFO_CMD_DEV_DEL, g->name, tmp, n);
		if (g->nvip > (int)(sizeof(tmp) / sizeof(tmp[0])))
			die("restore: group %s has %d VIPs", g->name, g->nvip);
		n = minus(g->vip, g->nvip, b->vip, b->nvip, tmp);
		vips_op(&main_c, VIPFO_CMD_VIP_DEL, g->name, tmp, n);
	}
	for (i = 0; i < base.n; i++) {
		const struct sgroup *b = &base.g[i], *g = snap_find(cur, b->name);

		if (!g || !options_equal(g, b)) {
			nlh = msg_start(req, &main_c,
					g ? VIPFO_CMD_GROUP_SET : VIPFO_CMD_GROUP_NEW, 0);
			mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, b->name);
			mnl_attr_put_u32(nlh, VIPFO_A_GARP_COUNT, b->garp_count);
			mnl_attr_put_u32(nlh, VIPFO_A_GARP_INTERVAL, b->garp_interval);
			mnl_attr_put_u32(nlh, VIPFO_A_CARRIER_POLL, b->carrier_poll);
			mnl_attr_put_u32(nlh, VIPFO_A_REPLY_RATE, b->reply_rate);
			mnl_attr_put_u32(nlh, VIPFO_A_UP_DELAY, b->up_delay);
			expect_ok(&main_c, nlh, g ? "restore: GROUP_SET" :
				  "restore: GROUP_NEW");
		}
		n = g ? minus(b->dev, b->ndev, g->dev, g->ndev, tmp) :
			(memcpy(tmp, b->dev, b->ndev * sizeof(tmp[0])), b->ndev);
		devs_op(VIPFO_CMD_DEV_ADD, b->name, tmp, n);
		n = g ? minus(b->vip, b->nvip, g->vip, g->nvip, tmp) :
			(memcpy(tmp, b->vip, b->nvip * sizeof(tmp[0])), b->nvip);
		vips_op(&main_c, VIPFO_CMD_VIP_ADD, b->name, tmp, n);
	}
}

static struct snap cur, pred;

/* The configuration must be the baseline: true if it is. */
static bool verify(void)
{
	take_snap(&main_c, &cur);
	if (cur.bad[0]) {
		finding("malformed dump: %s", cur.bad);
		return false;
	}
	return !snap_diff(&base, &cur)[0];
}

static void restore_and_verify(const char *why)
{
	const char *d;

	take_snap(&main_c, &cur);
	restore(&cur);
	take_snap(&main_c, &cur);
	d = snap_diff(&base, &cur);
	if (d[0] || cur.bad[0])
		die("restore after %s did not give the baseline: %s%s", why, d,
		    cur.bad);
}

/* ------------------------------------------------------------ the tree */

/* A message under construction: attributes as a tree of nodes. */
struct node {
	uint16_t type;		/* with NLA_F_* bits */
	bool nest;
	uint16_t len;		/* payload of a leaf */
	uint32_t off;		/* into data */
	int kid, next;		/* first child, next sibling; -1 ends */
};

struct tree {
	struct node n[NODES_MAX];
	int nn;
	uint8_t data[MSG_MAX];
	uint32_t dlen;
	int top;		/* first top-level node */
	bool full;
};

static struct tree T;

static int node_new(bool nest, uint16_t type, const void *p, int len)
{
	struct node *n;

	if (T.nn >= NODES_MAX || T.dlen + len > sizeof(T.data)) {
		T.full = true;
		return -1;
	}
	n = &T.n[T.nn];
	n->type = type;
	n->nest = nest;
	n->len = len;
	n->off = T.dlen;
	n->kid = n->next = -1;
	if (len) {
		if (p)
			memcpy(T.data + T.dlen, p, len);
		else
			memset(T.data + T.dlen, 0, len);
		T.dlen += len;
	}
	return T.nn++;
}

static uint8_t *payload(int i)
{
	return T.data + T.n[i].off;
}

/* Append node k to the children of parent (-1: top level). */
static void append(int parent, int k)
{
	int *p;

	if (k < 0)
		return;
	p = parent < 0 ? &T.top : &T.n[parent].kid;
	while (*p >= 0)
		p = &T.n[*p].next;
	*p = k;
}

static int leaf(int parent, uint16_t type, const void *p, int len)
{
	int k = node_new(false, type, p, len);

	append(parent, k);
	return k;
}

static int leaf_u32(int parent, uint16_t type, uint32_t v)
{
	return leaf(parent, type, &v, 4);
}

static int leaf_u16(int parent, uint16_t type, uint16_t v)
{
	return leaf(parent, type, &v, 2);
}

static int nest(int parent, uint16_t type)
{
	int k = node_new(true, type | NLA_F_NESTED, NULL, 0);

	append(parent, k);
	return k;
}

/* Every node with its parent and the link that points at it. */
struct ref {
	int node, parent;
	int *link;
	int depth;
};

static struct ref refs[NODES_MAX];
static int nrefs;

static void collect(int *link, int parent, int depth)
{
	while (*link >= 0 && nrefs < NODES_MAX) {
		int k = *link;

		refs[nrefs++] = (struct ref){ k, parent, link, depth };
		if (T.n[k].nest)
			collect(&T.n[k].kid, k, depth + 1);
		link = &T.n[k].next;
	}
}

static void refs_build(void)
{
	nrefs = 0;
	collect(&T.top, -1, 0);
}

static int copy_subtree(int k)
{
	int c, kid, prev = -1;

	c = node_new(T.n[k].nest, T.n[k].type, payload(k), T.n[k].len);
	if (c < 0)
		return -1;
	for (kid = T.n[k].kid; kid >= 0; kid = T.n[kid].next) {
		int ck = copy_subtree(kid);

		if (ck < 0)
			break;
		if (prev < 0)
			T.n[c].kid = ck;
		else
			T.n[prev].next = ck;
		prev = ck;
	}
	return c;
}

/* Serialize node k and its siblings if all, false if it did not fit. */
static bool emit(int k, uint8_t *buf, size_t *pos, size_t max, bool all)
{
	for (; k >= 0; k = all ? T.n[k].next : -1) {
		struct nlattr *a = (struct nlattr *)(buf + *pos);
		size_t start = *pos;

		if (*pos + NLA_HDRLEN > max)
			return false;
		*pos += NLA_HDRLEN;
		if (T.n[k].nest) {
			if (!emit(T.n[k].kid, buf, pos, max, true))
				return false;
		} else {
			size_t al = NLA_ALIGN(T.n[k].len);

			if (*pos + al > max)
				return false;
			memcpy(buf + *pos, payload(k), T.n[k].len);
			memset(buf + *pos + T.n[k].len, 0, al - T.n[k].len);
			*pos += T.n[k].len;
			a->nla_len = *pos - start;	/* may wrap: that is fuzz */
			*pos = start + NLA_HDRLEN + al;
			a->nla_type = T.n[k].type;
			continue;
		}
		a->nla_len = *pos - start;
		a->nla_type = T.n[k].type;
	}
	return true;
}

/* ------------------------------------------------------------ generator */

static const char *const base_names[] = { "fz0", "fz1", "fz-2.e_", "full", "many" };

#define EDGES(x)	(x) - 1, (x), (x) + 1

/* The options' range bounds and their neighbours, among others. */
static const uint32_t u32_edges[] = {
	0, 1, 2, 3, EDGES(VIPFO_GARP_INTERVAL_MIN), EDGES(VIPFO_GARP_COUNT_MAX),
	EDGES(VIPFO_CARRIER_POLL_MAX), EDGES(VIPFO_GARP_INTERVAL_MAX), 65535,
	65536, 100000, EDGES(VIPFO_REPLY_RATE_MAX), 0x7fffffff, 0x80000000,
	0xfffffffe, 0xffffffff,
};

static void random_bytes(struct rng *r, uint8_t *p, int n)
{
	while (n--)
		*p++ = rnd(r);
}

/* A group name attribute: existing, new, or broken. */
static const char *gen_name(struct rng *r, int parent, bool new_likely)
{
	static char s[80];
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	int roll = below(r, 100), len, i;

	if (roll < (new_likely ? 30 : 70)) {
		snprintf(s, sizeof(s), "%s", base_names[below(r, NBASE)]);
		leaf(parent, VIPFO_A_GROUP_NAME, s, strlen(s) + 1);
		return s;
	}
	if (roll < 90) {		/* a valid new name */
		len = 1 + below(r, below(r, 10) ? 8 : VIPFO_GROUP_NAME_SIZE - 1);
		for (i = 0; i < len; i++)
			s[i] = alnum[below(r, sizeof(alnum) - 1)];
		s[len] = '\0';
		leaf(parent, VIPFO_A_GROUP_NAME, s, len + 1);
		return s;
	}
	/* Broken: empty, bad characters, too long, no NUL, NUL inside. */
	len = 1 + below(r, 40);
	for (i = 0; i < len; i++)
		s[i] = alnum[below(r, sizeof(alnum) - 1)];
	s[len] = '\0';
	switch (below(r, 6)) {
	case 0:
		s[0] = '\0';
		break;
	case 1:
		s[below(r, len)] = " /\t\n:@\x7f\x80\xe9\xff"[below(r, 10)];
		break;
	case 2:
		len = VIPFO_GROUP_NAME_SIZE + below(r, 40);
		memset(s, 'x', len);
		s[len] = '\0';
		break;
	case 3:			/* no terminating NUL */
		leaf(parent, VIPFO_A_GROUP_NAME, s, len);
		return s;
	case 4:			/* an existing name with junk after its NUL */
		snprintf(s, sizeof(s), "%s", base_names[below(r, NBASE)]);
		len = strlen(s);
		s[len + 1] = 'q';
		s[len + 2] = '\0';
		leaf(parent, VIPFO_A_GROUP_NAME, s, len + 3);
		return s;
	default:
		s[below(r, len)] = 0x80 + below(r, 128);
		break;
	}
	leaf(parent, VIPFO_A_GROUP_NAME, s, len + 1);
	return s;
}

/* The options of GROUP_NEW and GROUP_SET, each with that chance. */
static void gen_options(struct rng *r, int parent, int permille)
{
	static const uint32_t lo[] = { 1, VIPFO_GARP_INTERVAL_MIN, 0, 0, 0 },
			      hi[] = { VIPFO_GARP_COUNT_MAX, VIPFO_GARP_INTERVAL_MAX,
				       VIPFO_CARRIER_POLL_MAX, VIPFO_REPLY_RATE_MAX,
				       VIPFO_UP_DELAY_MAX };
	static const uint16_t type[] = {
		VIPFO_A_GARP_COUNT, VIPFO_A_GARP_INTERVAL, VIPFO_A_CARRIER_POLL,
		VIPFO_A_REPLY_RATE, VIPFO_A_UP_DELAY,
	};
	uint8_t mac[6];
	int i;

	for (i = 0; i < (int)(sizeof(type) / sizeof(type[0])); i++) {
		if (!chance(r, permille))
			continue;
		leaf_u32(parent, type[i], chance(r, 750) ?
			 lo[i] + below(r, hi[i] - lo[i] + 1) : PICK(r, u32_edges));
	}
	/* An event's attribute, as a client might copy it into a request. */
	if (chance(r, 20)) {
		random_bytes(r, mac, sizeof(mac));
		leaf(parent, VIPFO_A_PEER_MAC, mac, sizeof(mac));
	}
}

static const struct sgroup *named(const char *name)
{
	return snap_find(&base, name);
}

static uint32_t gen_ifindex(struct rng *r, const struct sgroup *g,
			    const uint32_t *prev, int nprev)
{
	const struct sgroup *o;
	int roll = below(r, 100);

	if (roll < 35)			/* free */
		return below(r, 2) ? env.d[4 + below(r, NDEV - 4)] : env.e[15];
	if (roll < 55 && g && g->ndev)	/* a member of this group */
		return g->dev[below(r, g->ndev)];
	if (roll < 70) {		/* a member of some group */
		o = &base.g[below(r, base.n)];
		if (o->ndev)
			return o->dev[below(r, o->ndev)];
	}
	if (roll < 75)
		return env.lo;
	if (roll < 80)
		return env.absent + below(r, 3);
	if (roll < 84)
		return 0;
	if (roll < 88)
		return rnd(r);
	if (nprev)
		return prev[below(r, nprev)];
	return env.exist[below(r, env.nexist)];
}

static int gen_devs(struct rng *r, int parent, const struct sgroup *g)
{
	uint32_t chosen[64];
	int list = nest(parent, VIPFO_A_DEVS), n, i;
	int roll = below(r, 100);

	n = roll < 5 ? 0 : roll < 90 ? 1 + below(r, 3) : roll < 97 ?
		14 + below(r, 6) : 40 + below(r, 200);
	for (i = 0; i < n; i++) {
		int d = nest(list, VIPFO_A_DEV);
		uint32_t x = gen_ifindex(r, g, chosen, i < 64 ? i : 64);

		if (i < 64)
			chosen[i] = x;
		leaf_u32(d, VIPFO_DEV_A_IFINDEX, x);
	}
	return list;
}

static uint32_t gen_vip(struct rng *r, const struct sgroup *g,
			const uint32_t *prev, int nprev)
{
	static const uint32_t bad[] = {
		0x00000000, 0x00000001, 0x7f000001, 0xe0000001, 0xefffffff,
		0xffffffff, 0xf0000001, 0x0a630000, 0xc0000201,
	};
	const struct sgroup *o;
	int roll = below(r, 100);

	if (roll < 35)			/* free */
		return NET_VIPS + 200 + below(r, 50);
	if (roll < 55 && g && g->nvip)	/* in this group */
		return g->vip[below(r, g->nvip)];
	if (roll < 70) {		/* in some group */
		o = &base.g[below(r, base.n)];
		if (o->nvip)
			return o->vip[below(r, o->nvip)];
	}
	if (roll < 82)
		return PICK(r, bad);
	if (roll < 88)
		return rnd(r);
	if (nprev)
		return prev[below(r, nprev)];
	return NET_VIPS + 1;
}

static void gen_vip_entry(struct rng *r, int list, uint32_t a)
{
	static const uint32_t fam[] = { 0, 1, 3, 17, AF_INET6, 0xffff, 0x0200 };
	int v = nest(list, VIPFO_A_VIP);
	uint32_t be = htonl(a);
	uint8_t buf[20];
	int roll = below(r, 100);

	if (roll < 85) {
		leaf_u16(v, VIPFO_VIP_A_FAMILY, AF_INET);
		leaf(v, VIPFO_VIP_A_ADDR, &be, 4);
		return;
	}
	random_bytes(r, buf, sizeof(buf));
	memcpy(buf, &be, 4);
	if (roll < 90) {		/* IPv6 */
		leaf_u16(v, VIPFO_VIP_A_FAMILY, AF_INET6);
		leaf(v, VIPFO_VIP_A_ADDR, buf, chance(r, 700) ? 16 : below(r, 20));
	} else if (roll < 95) {		/* odd family or length */
		leaf_u16(v, VIPFO_VIP_A_FAMILY,
			 chance(r, 500) ? AF_INET : PICK(r, fam));
		leaf(v, VIPFO_VIP_A_ADDR, buf, below(r, 20));
	} else if (roll < 98) {		/* half a VIP */
		if (below(r, 2))
			leaf_u16(v, VIPFO_VIP_A_FAMILY, AF_INET);
		else
			leaf(v, VIPFO_VIP_A_ADDR, &be, 4);
	} else {			/* backwards, repeated */
		leaf(v, VIPFO_VIP_A_ADDR, &be, 4);
		leaf_u16(v, VIPFO_VIP_A_FAMILY, AF_INET);
		leaf_u16(v, VIPFO_VIP_A_FAMILY, AF_INET);
	}
}

static int gen_vips(struct rng *r, int parent, const struct sgroup *g)
{
	uint32_t chosen[64];
	int list = nest(parent, VIPFO_A_VIPS), n, i;
	int roll = below(r, 100);

	n = roll < 5 ? 0 : roll < 93 ? 1 + below(r, 4) : roll < 98 ?
		20 + below(r, 200) : 1000 + below(r, 2000);
	for (i = 0; i < n && !T.full; i++) {
		uint32_t a;

		if (n > 100 && i > 0 && chance(r, 990))
			a = chosen[0] + i;	/* a run of fresh addresses */
		else
			a = gen_vip(r, g, chosen, i < 64 ? i : 64);
		if (i < 64)
			chosen[i] = a;
		gen_vip_entry(r, list, a);
	}
	return list;
}

/* The valid-looking request of a command, as a tree. */
static void gen_base(struct rng *r, int cmd, bool dump)
{
	const struct sgroup *g;
	const char *name;

	if (cmd == VIPFO_CMD_GROUP_GET && dump) {
		if (chance(r, 400))
			gen_name(r, -1, false);
		return;
	}
	name = gen_name(r, -1, cmd == VIPFO_CMD_GROUP_NEW);
	g = named(name);
	if (!g)
		g = &base.g[below(r, base.n)];
	switch (cmd) {
	case VIPFO_CMD_GROUP_NEW:
		gen_options(r, -1, 400);
		if (chance(r, 450))
			gen_devs(r, -1, NULL);
		if (chance(r, 450))
			gen_vips(r, -1, NULL);
		break;
	case VIPFO_CMD_GROUP_SET:
		gen_options(r, -1, 600);
		break;
	case VIPFO_CMD_DEV_ADD:
	case VIPFO_CMD_DEV_DEL:
		gen_devs(r, -1, g);
		break;
	case VIPFO_CMD_VIP_ADD:
	case VIPFO_CMD_VIP_DEL:
		gen_vips(r, -1, g);
		break;
	default:	/* DEL, GET do, unknown commands: the name only */
		break;
	}
}

/* One mutation of the tree. */
static void mutate_tree(struct rng *r)
{
	static const uint16_t edges16[] = { 0, 1, 2, 10, 0xff, 0x100, 0xffff };
	struct ref *x;
	struct node *n;
	int k, d, i;
	uint8_t buf[64];

	refs_build();
	if (!nrefs) {
		leaf(-1, below(r, VIPFO_A_MAX + 3), NULL, 0);
		return;
	}
	x = &refs[below(r, nrefs)];
	n = &T.n[x->node];
	switch (below(r, 13)) {
	case 0:		/* delete */
		*x->link = n->next;
		break;
	case 1:		/* repeat */
		k = copy_subtree(x->node);
		if (k >= 0) {
			T.n[k].next = n->next;
			n->next = k;
		}
		break;
	case 2:		/* retype: a known id of another level, or any */
		n->type = (n->type & ~NLA_TYPE_MASK) |
			  (below(r, 3) ? below(r, VIPFO_A_MAX + 3) :
			   (uint16_t)rnd(r) & NLA_TYPE_MASK);
		break;
	case 3:		/* toggle NLA_F_NESTED or NLA_F_NET_BYTEORDER */
		n->type ^= below(r, 3) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		break;
	case 4:		/* resize a leaf */
		if (n->nest)
			break;
		d = below(r, 3) ? below(r, n->len + 1) : n->len + 1 + below(r, 40);
		if (d > n->len) {
			k = node_new(false, n->type, NULL, d);
			if (k < 0)
				break;
			memcpy(payload(k), payload(x->node), n->len);
			random_bytes(r, payload(k) + n->len, d - n->len);
			n->off = T.n[k].off;
		}
		n->len = d;
		break;
	case 5:		/* an edge value in place */
		if (n->nest || !n->len)
			break;
		if (n->len >= 4) {
			uint32_t v = PICK(r, u32_edges);

			memcpy(payload(x->node), &v, 4);
		} else if (n->len >= 2) {
			uint16_t v = edges16[below(r, 7)];

			memcpy(payload(x->node), &v, 2);
		} else {
			payload(x->node)[0] = rnd(r);
		}
		break;
	case 6:		/* random bytes in place */
		if (!n->nest)
			random_bytes(r, payload(x->node), n->len);
		break;
	case 7:		/* leaf becomes a nest of random attributes, or back */
		if (n->nest) {
			n->nest = false;
			n->len = below(r, 24);
			k = node_new(false, 0, NULL, n->len);
			if (k < 0)
				break;
			n->off = T.n[k].off;
			random_bytes(r, payload(x->node), n->len);
		} else {
			n->nest = true;
			n->kid = -1;
			for (i = below(r, 4); i > 0; i--) {
				random_bytes(r, buf, 8);
				leaf(x->node, below(r, 4), buf, below(r, 9));
			}
		}
		break;
	case 8:		/* a new attribute somewhere */
		random_bytes(r, buf, sizeof(buf));
		k = node_new(false, below(r, 4) ? below(r, VIPFO_A_MAX + 3) :
			     (uint16_t)rnd(r), buf, below(r, 4) ? 4 : below(r, 40));
		if (k >= 0) {
			T.n[k].next = n->next;
			n->next = k;
		}
		break;
	case 9:		/* deep nesting: wrap the node in a chain of nests */
		d = below(r, 4) ? 1 + below(r, 12) : 20 + below(r, 300);
		for (i = 0; i < d; i++) {
			k = node_new(true, (below(r, 4) ? n->type & NLA_TYPE_MASK :
					    below(r, 4)) | NLA_F_NESTED, NULL, 0);
			if (k < 0)
				break;
			T.n[k].kid = *x->link;
			T.n[k].next = T.n[*x->link].next;
			T.n[*x->link].next = -1;
			*x->link = k;
		}
		break;
	case 10:	/* reverse the children of a nest */
		if (n->nest) {
			int prev = -1, c = n->kid;

			while (c >= 0) {
				int next = T.n[c].next;

				T.n[c].next = prev;
				prev = c;
				c = next;
			}
			n->kid = prev;
		}
		break;
	case 11:	/* an empty nest */
		if (n->nest)
			n->kid = -1;
		break;
	default:	/* many copies of a list entry */
		if (x->parent < 0 || x->depth != 1)
			break;
		d = 10 + below(r, chance(r, 100) ? 3000 : 200);
		for (i = 0; i < d && !T.full; i++) {
			k = copy_subtree(x->node);
			if (k < 0)
				break;
			T.n[k].next = n->next;
			n->next = k;
		}
		break;
	}
}

/* What happens to the bytes and header after serializing. */
struct wire {
	size_t len;		/* bytes sent */
	int cmd;
	int action;		/* ACT_* */
	const char *mut;	/* byte-level mutation applied, for reports */
	uint8_t buf[MSG_MAX + 4096];
};

enum { ACT_REQUEST, ACT_ABANDON_DUMP, ACT_INTR_DUMP, ACT_HUGE_DUMP };

static void gen_message(uint64_t seed, long idx, struct wire *w)
{
	struct rng r = { .s = seed ^ (0xd1b54a32d192ed03ULL * (uint64_t)(idx + 1)) };
	struct nlmsghdr *nlh = (struct nlmsghdr *)w->buf;
	struct genlmsghdr *gh;
	struct nlattr *attrs[512];
	int cmd, i, nattr, roll;
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	bool dump = false;
	size_t pos, al;

	rnd(&r);
	memset(w->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	w->len = 0;
	w->cmd = 0;
	w->action = ACT_REQUEST;
	w->mut = "";
	roll = below(&r, 1000);
	if (roll < 5 && opt_huge) {
		w->action = roll < 2 ? ACT_HUGE_DUMP : ACT_INTR_DUMP;
		return;
	}
	if (roll >= 5 && roll < 8) {
		w->action = ACT_ABANDON_DUMP;
		return;
	}

	/* The command: mostly operations, GET both ways. */
	roll = below(&r, 100);
	if (roll < 94)
		cmd = 1 + below(&r, VIPFO_CMD_VIP_DEL);
	else if (roll < 97)
		cmd = below(&r, 2) ? VIPFO_CMD_UNSPEC :
			VIPFO_CMD_CHANGE_NTF +
			below(&r, VIPFO_CMD_MAX - VIPFO_CMD_CHANGE_NTF + 1);
	else
		cmd = VIPFO_CMD_MAX + 1 + below(&r, 255 - VIPFO_CMD_MAX);
	if (cmd == VIPFO_CMD_GROUP_GET && chance(&r, 500))
		dump = true;
	w->cmd = cmd;

	/* The tree: a base request, then mutations. */
	T.nn = 0;
	T.dlen = 0;
	T.top = -1;
	T.full = false;
	gen_base(&r, cmd, dump);
	roll = below(&r, 100);
	for (i = roll < 20 ? 0 : roll < 60 ? 1 : roll < 85 ? 2 : 3 + below(&r, 6);
	     i > 0; i--)
		mutate_tree(&r);

	/* The headers. */
	if (dump)
		flags |= NLM_F_DUMP;
	if (chance(&r, 100)) {
		static const uint16_t odd[] = {
			NLM_F_DUMP, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
			NLM_F_ECHO, NLM_F_MULTI, NLM_F_DUMP_INTR,
			NLM_F_DUMP_FILTERED, NLM_F_EXCL, NLM_F_CREATE,
			NLM_F_APPEND, NLM_F_NONREC, 0x1000, 0x8000,
		};
		switch (below(&r, 5)) {
		case 0:
			flags &= ~NLM_F_ACK;
			break;
		case 1:
			flags &= ~NLM_F_REQUEST;
			break;
		case 2:
			flags = rnd(&r);
			break;
		default:
			flags ^= odd[below(&r, sizeof(odd) / sizeof(odd[0]))];
			break;
		}
	}
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = 0;		/* set when sent */
	nlh->nlmsg_pid = chance(&r, 20) ? rnd(&r) : 0;
	gh = (struct genlmsghdr *)(w->buf + NLMSG_HDRLEN);
	gh->cmd = cmd;
	gh->version = chance(&r, 30) ? rnd(&r) : VIPFO_GENL_VERSION;
	gh->reserved = chance(&r, 10) ? 1 + below(&r, 0xffff) : 0;

	/* Top-level attributes that do not fit are left out. */
	pos = NLMSG_HDRLEN + GENL_HDRLEN;
	for (i = T.top; i >= 0; i = T.n[i].next) {
		size_t start = pos;

		if (!emit(i, w->buf, &pos, MSG_MAX, false)) {
			pos = start;
			break;
		}
	}
	nlh->nlmsg_len = pos;
	w->len = pos;

	/* The bytes. */
	if (!chance(&r, 200))
		return;
	nattr = 0;
	for (i = NLMSG_HDRLEN + GENL_HDRLEN; i + NLA_HDRLEN <= (int)pos &&
	     nattr < 512; ) {
		/* the top-level attributes, and the first nest's first one */
		struct nlattr *a = (struct nlattr *)(w->buf + i);

		attrs[nattr++] = a;
		al = NLA_ALIGN(a->nla_len);
		if (a->nla_len < NLA_HDRLEN || i + al > pos)
			break;
		if ((a->nla_type & NLA_F_NESTED) && a->nla_len > 2 * NLA_HDRLEN &&
		    nattr < 512)
			attrs[nattr++] = (struct nlattr *)(w->buf + i + NLA_HDRLEN);
		i += al;
	}
	switch (below(&r, 6)) {
	case 0:		/* a bad nla_len */
		if (nattr) {
			static const uint16_t lens[] = { 0, 1, 3, 4, 5, 7, 8, 0xffff };
			struct nlattr *a = attrs[below(&r, nattr)];

			a->nla_len = below(&r, 2) ? lens[below(&r, 8)] :
				a->nla_len + 1 + below(&r, 16);
			w->mut = "nla_len";
		}
		break;
	case 1:		/* truncated */
		if (pos > NLMSG_HDRLEN + 1) {
			w->len = NLMSG_HDRLEN + below(&r, pos - NLMSG_HDRLEN);
			nlh->nlmsg_len = w->len;
			w->mut = "truncated";
		}
		break;
	case 2:		/* trailing garbage */
		d_garbage: {
			int n = 1 + below(&r, 64);

			random_bytes(&r, w->buf + pos, n);
			w->len = pos + n;
			nlh->nlmsg_len = w->len;
			w->mut = "trailing bytes";
		}
		break;
	case 3:		/* flipped bits */
		if (pos > NLMSG_HDRLEN + GENL_HDRLEN) {
			for (i = 1 + below(&r, 8); i > 0; i--)
				w->buf[NLMSG_HDRLEN + GENL_HDRLEN +
				       below(&r, pos - NLMSG_HDRLEN - GENL_HDRLEN)] ^=
					1 << below(&r, 8);
			w->mut = "flipped bits";
		} else {
			goto d_garbage;
		}
		break;
	case 4:		/* nlmsg_len that lies */
		/*
		 * Shorter than the datagram only below NLMSG_HDRLEN (the
		 * core drops it all): otherwise the rest would be parsed
		 * as another message, possibly of another family.
		 */
		nlh->nlmsg_len = below(&r, 2) ? below(&r, NLMSG_HDRLEN + GENL_HDRLEN + 1) :
			pos + 1 + below(&r, 100);
		if (nlh->nlmsg_len >= NLMSG_HDRLEN && nlh->nlmsg_len < pos)
			w->len = nlh->nlmsg_len;
		w->mut = "nlmsg_len";
		break;
	default:	/* nothing but garbage after the headers */
		pos = NLMSG_HDRLEN + GENL_HDRLEN;
		goto d_garbage;
	}
}

/* ------------------------------------------------------------ oracle */

/*
 * The policies of include/uapi/linux/vipfo.h as kmod/netlink.c states them
 * per operation and 6.1 validates them (NL_VALIDATE_STRICT, lib/nlattr.c),
 * one table per nesting level. VIPFO_A_PEER_MAC, an event's attribute, is
 * in none: NLA_UNSPEC under strict validation, so refused.
 */
enum pkind { P_NONE, P_NAME, P_U32, P_U16, P_BIN, P_NEST };

struct pol {
	enum pkind kind;
	uint32_t min, max;
	const struct pol *nested;
	int nested_max;
};

static const struct pol dev_pol[] = {
	[VIPFO_DEV_A_IFINDEX] = { P_U32, 1, 0xffffffff },
};
static const struct pol devs_pol[] = {
	[VIPFO_A_DEV] = { P_NEST, .nested = dev_pol, .nested_max = 1 },
};
static const struct pol vip_pol[] = {
	[VIPFO_VIP_A_FAMILY] = { P_U16, 0, 0xffff },
	[VIPFO_VIP_A_ADDR] = { P_BIN, 4, 16 },
};
static const struct pol vips_pol[] = {
	[VIPFO_A_VIP] = { P_NEST, .nested = vip_pol, .nested_max = 2 },
};

#define POL_NAME	[VIPFO_A_GROUP_NAME] = { P_NAME, 0, VIPFO_GROUP_NAME_SIZE - 1 }
#define POL_OPTIONS	[VIPFO_A_GARP_COUNT] = { P_U32, 0, VIPFO_GARP_COUNT_MAX }, \
			[VIPFO_A_GARP_INTERVAL] = { P_U32, VIPFO_GARP_INTERVAL_MIN, \
						    VIPFO_GARP_INTERVAL_MAX }, \
			[VIPFO_A_CARRIER_POLL] = { P_U32, 0, VIPFO_CARRIER_POLL_MAX }, \
			[VIPFO_A_REPLY_RATE] = { P_U32, 0, VIPFO_REPLY_RATE_MAX }, \
			[VIPFO_A_UP_DELAY] = { P_U32, 0, VIPFO_UP_DELAY_MAX }
#define POL_DEVS	[VIPFO_A_DEVS] = { P_NEST, .nested = devs_pol, .nested_max = 1 }
#define POL_VIPS	[VIPFO_A_VIPS] = { P_NEST, .nested = vips_pol, .nested_max = 2 }

static const struct pol new_pol[VIPFO_A_MAX + 1] = {
	POL_NAME, POL_OPTIONS, POL_DEVS, POL_VIPS,
};
static const struct pol name_pol[VIPFO_A_MAX + 1] = { POL_NAME };
static const struct pol set_pol[VIPFO_A_MAX + 1] = { POL_NAME, POL_OPTIONS };
static const struct pol devs_op_pol[VIPFO_A_MAX + 1] = { POL_NAME, POL_DEVS };
static const struct pol vips_op_pol[VIPFO_A_MAX + 1] = { POL_NAME, POL_VIPS };

static const struct pol *op_policy(int cmd)
{
	switch (cmd) {
	case VIPFO_CMD_GROUP_NEW:
		return new_pol;
	case VIPFO_CMD_GROUP_SET:
		return set_pol;
	case VIPFO_CMD_DEV_ADD:
	case VIPFO_CMD_DEV_DEL:
		return devs_op_pol;
	case VIPFO_CMD_VIP_ADD:
	case VIPFO_CMD_VIP_DEL:
		return vips_op_pol;
	default:
		return name_pol;
	}
}

static bool attr_ok(const struct nlattr *a, int rem)
{
	return rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
}

#define for_each_attr(a, head, len, rem) \
	for (a = (const struct nlattr *)(head), rem = (len); attr_ok(a, rem); \
	     rem -= NLA_ALIGN(a->nla_len), \
	     a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len)))

static const char *why;	/* the oracle's reason, for reports */
static int why_err;	/* ... and the errno it means, when known */

/*
 * A policy violation and lib/nlattr.c's errno for it: ERANGE for a value
 * out of range, a string too long, a binary's length out of its range
 * (checked as a range) and a nest of 1-3 bytes; EINVAL for the rest.
 */
#define POLICY_FAIL(reason, err) (why = (reason), why_err = (err), false)

/* Strict validation of attributes against a policy: true if valid. */
static bool validate(const void *head, int len, const struct pol *pol,
		     int maxtype)
{
	const struct nlattr *a;
	int rem;

	for_each_attr(a, head, len, rem) {
		int type = a->nla_type & NLA_TYPE_MASK;
		bool nested = a->nla_type & NLA_F_NESTED;
		int alen = a->nla_len - NLA_HDRLEN;
		const uint8_t *p = (const uint8_t *)a + NLA_HDRLEN;
		const struct pol *pt;
		uint32_t v;

		if (type == 0 || type > maxtype)
			return POLICY_FAIL("unknown attribute type", -EINVAL);
		pt = &pol[type];
		switch (pt->kind) {
		case P_NONE:
			return POLICY_FAIL("attribute not in the policy", -EINVAL);
		case P_U32:
		case P_U16:
			if (alen != (pt->kind == P_U32 ? 4 : 2))
				return POLICY_FAIL("integer of the wrong length", -EINVAL);
			if (nested)
				return POLICY_FAIL("NLA_F_NESTED on an integer", -EINVAL);
			if (pt->kind == P_U32)
				memcpy(&v, p, 4);
			else
				v = *(const uint16_t *)p;
			if (v < pt->min || v > pt->max)
				return POLICY_FAIL("integer out of range", -ERANGE);
			break;
		case P_NAME: {
			int minlen = alen < (int)pt->max + 1 ? alen : (int)pt->max + 1;

			if (nested)
				return POLICY_FAIL("NLA_F_NESTED on a string", -EINVAL);
			if (!minlen || !memchr(p, '\0', minlen))
				return POLICY_FAIL("name without NUL", -EINVAL);
			if (p[alen - 1] == '\0')
				alen--;
			if (alen > (int)pt->max)
				return POLICY_FAIL("name too long", -ERANGE);
			break;
		}
		case P_BIN:
			if (nested)
				return POLICY_FAIL("NLA_F_NESTED on binary", -EINVAL);
			if (alen < (int)pt->min || alen > (int)pt->max)
				return POLICY_FAIL("binary of the wrong size", -ERANGE);
			break;
		case P_NEST:
			if (!nested)
				return POLICY_FAIL("nest without NLA_F_NESTED", -EINVAL);
			if (alen == 0)
				break;
			if (alen < NLA_HDRLEN)
				return POLICY_FAIL("nest of 1-3 bytes", -ERANGE);
			if (!validate(p, alen, pt->nested, pt->nested_max))
				return false;
			break;
		}
	}
	if (rem > 0)
		return POLICY_FAIL("bytes left over", -EINVAL);
	return true;
}

/* Attributes of a validated area, last one of each type wins. */
static void parse(const void *head, int len, const struct nlattr **tb, int max)
{
	const struct nlattr *a;
	int rem;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	for_each_attr(a, head, len, rem)
		tb[a->nla_type & NLA_TYPE_MASK] = a;
}

static const void *data_of(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static int len_of(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* The documented name syntax: 1-31 of [a-zA-Z0-9_.-]. */
static bool name_syntax_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		      *s == '-'))
			return false;
	return true;
}

/* The handler's checks of a device list (validated): true if it passes. */
static bool devs_ok(const struct nlattr *list, const struct sgroup *g, bool add)
{
	const struct nlattr *a, *tb[2];
	uint32_t seen[64];
	int rem, n = 0, members = g ? g->ndev : 0, i;

	for_each_attr(a, data_of(list), len_of(list), rem) {
		const struct sgroup *owner;
		uint32_t ifindex;

		parse(data_of(a), len_of(a), tb, 1);
		if (!tb[VIPFO_DEV_A_IFINDEX])
			return why = "device without ifindex", false;
		memcpy(&ifindex, data_of(tb[VIPFO_DEV_A_IFINDEX]), 4);
		if (!dev_exists(ifindex))
			return why = "no such device", false;
		for (i = 0; i < n && i < 64; i++)
			if (seen[i] == ifindex)
				return why = "device given twice", false;
		if (n >= 64)	/* the namespace has fewer: a repeat or a missing one */
			return why = "more devices than exist", false;
		owner = dev_owner(&base, ifindex);
		if (add) {
			if (owner)
				return why = "device is a member already", false;
			if (!dev_is_ether(ifindex))
				return why = "not an Ethernet device", false;
			if (members + n >= VIPFO_MAX_MEMBERS)
				return why = "too many devices", false;
		} else if (!owner || owner != g) {
			return why = "device is not a member", false;
		}
		seen[n++] = ifindex;
	}
	if (!n)
		return why = "empty device list", false;
	return true;
}

/* vipfo's test: 6.1's ipv4_is_zeronet() is 0.0.0.0 only, not 0/8. */
static bool vip_unicast(uint32_t a)
{
	return a != 0 && (a >> 24) != 127 && (a >> 28) != 0xe &&
	       a != 0xffffffff;
}

static bool vips_ok(const struct nlattr *list, const struct sgroup *g, bool add)
{
	static uint32_t seen[8192];
	const struct nlattr *a, *tb[3];
	int rem, n = 0;

	for_each_attr(a, data_of(list), len_of(list), rem) {
		const struct sgroup *owner;
		uint16_t fam;
		uint32_t addr;

		parse(data_of(a), len_of(a), tb, 2);
		if (!tb[VIPFO_VIP_A_FAMILY] || !tb[VIPFO_VIP_A_ADDR])
			return why = "VIP needs a family and an address", false;
		fam = *(const uint16_t *)data_of(tb[VIPFO_VIP_A_FAMILY]);
		if (fam == AF_INET6)
			return why = "IPv6 VIP", false;
		if (fam != AF_INET)
			return why = "unknown family", false;
		if (len_of(tb[VIPFO_VIP_A_ADDR]) != 4)
			return why = "IPv4 address not 4 bytes", false;
		memcpy(&addr, data_of(tb[VIPFO_VIP_A_ADDR]), 4);
		addr = ntohl(addr);
		if (!vip_unicast(addr))
			return why = "not a unicast address", false;
		owner = vip_owner(&base, addr);
		if (add && owner)
			return why = "VIP taken", false;
		if (!add && owner != g)
			return why = "VIP not in this group", false;
		if (n == (int)(sizeof(seen) / sizeof(seen[0])))
			return why = "(too many VIPs to judge)", false;
		seen[n++] = addr;
	}
	if (!n)
		return why = "empty VIP list", false;
	qsort(seen, n, sizeof(seen[0]), cmp_u32);
	for (rem = 1; rem < n; rem++)
		if (seen[rem] == seen[rem - 1])
			return why = "VIP given twice", false;
	return true;
}

enum verdict_kind { V_IGNORED, V_FAIL, V_OK };

struct verdict {
	enum verdict_kind kind;
	int err;		/* a rejection must be this -errno (0: any) */
	const char *msg;	/* ... and its message contain this (or NULL) */
	int core_err;		/* the core rejects without a message: -errno */
	const char *core;	/* ... and why */
	bool dump;
	bool judged;		/* a "(...)" reason: oracle gave up, no check */
};

static struct verdict judge(const struct wire *w)
{
	const struct nlmsghdr *nlh = (const void *)w->buf;
	const struct genlmsghdr *gh = (const void *)(w->buf + NLMSG_HDRLEN);
	const struct nlattr *tb[VIPFO_A_MAX + 1];
	struct verdict v = { .kind = V_FAIL, .judged = true };
	uint16_t flags = nlh->nlmsg_flags;
	const struct sgroup *g;
	const char *name;
	int alen;

	why = "";
	if (w->len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > w->len) {
		why = "nlmsg_len dropped by netlink_rcv_skb";
		v.kind = V_IGNORED;
		return v;
	}
	if (!(flags & NLM_F_REQUEST)) {
		why = "no NLM_F_REQUEST";
		v.kind = V_IGNORED;
		return v;
	}
	/* genl_family_rcv_msg(), in its order. */
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) {
		why = v.core = "message shorter than the genl header";
		v.err = v.core_err = -EINVAL;
		return v;
	}
	/* genl_header_check(): vipfo has no resv_start_op, so every cmd. */
	v.err = -EINVAL;
	if (gh->reserved)
		return why = "genlmsghdr.reserved", v;
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		flags &= ~NLM_F_DUMP;
	if (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))
		return why = "reserved nlmsg_flags", v;
	if (!cmd_is_op(gh->cmd)) {
		why = v.core = "unknown command";
		v.err = v.core_err = -EOPNOTSUPP;
		return v;
	}
	/* No op has GENL_(UNS_)ADMIN_PERM: the permission is pre_doit's. */
	v.dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if (v.dump && gh->cmd != VIPFO_CMD_GROUP_GET) {
		why = v.core = "NLM_F_DUMP on an operation without dumpit";
		v.err = v.core_err = -EOPNOTSUPP;
		return v;
	}
	/* genl_start() or genl_family_rcv_msg_doit(): the op's policy. */
	alen = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	if (!validate(w->buf + NLMSG_HDRLEN + GENL_HDRLEN, alen,
		      op_policy(gh->cmd), VIPFO_A_MAX)) {
		v.err = why_err;
		return v;
	}
	v.err = 0;
	/* Then vipfo_nl_pre_doit(), before every doit (never a dump). */
	if (opt_unpriv && cmd_changes(gh->cmd)) {
		why = "no CAP_NET_ADMIN (vipfo's pre_doit)";
		v.err = -EPERM;
		v.msg = "CAP_NET_ADMIN";
		return v;
	}
	v.kind = V_OK;
	if (v.dump)
		return v;

	/* The handlers. */
	parse(w->buf + NLMSG_HDRLEN + GENL_HDRLEN, alen, tb, VIPFO_A_MAX);
	v.kind = V_FAIL;
	if (!tb[VIPFO_A_GROUP_NAME])
		return why = "no group name", v;
	name = data_of(tb[VIPFO_A_GROUP_NAME]);
	g = snap_find(&base, name);
	switch (gh->cmd) {
	case VIPFO_CMD_GROUP_NEW:
		if (!name_syntax_ok(name)) {
			static char buf[160];
			const unsigned char *c = (const unsigned char *)name;
			int n = snprintf(buf, sizeof(buf), "group name syntax: \"");

			for (; *c && n < (int)sizeof(buf) - 8; c++)
				n += snprintf(buf + n, sizeof(buf) - n,
					      *c > ' ' && *c < 0x7f && *c != '"' &&
					      *c != '\\' ? "%c" : "\\x%02x", *c);
			snprintf(buf + n, sizeof(buf) - n, "\"");
			return why = buf, v;
		}
		if (g)
			return why = "group exists", v;
		if (tb[VIPFO_A_DEVS] && !devs_ok(tb[VIPFO_A_DEVS], NULL, true))
			return v;
		if (tb[VIPFO_A_VIPS] && !vips_ok(tb[VIPFO_A_VIPS], NULL, true))
			return v;
		break;
	case VIPFO_CMD_DEV_ADD:
	case VIPFO_CMD_DEV_DEL:
		if (!tb[VIPFO_A_DEVS])
			return why = "no device list", v;
		if (!g)
			return why = "no such group", v;
		if (!devs_ok(tb[VIPFO_A_DEVS], g, gh->cmd == VIPFO_CMD_DEV_ADD))
			return v;
		break;
	case VIPFO_CMD_VIP_ADD:
	case VIPFO_CMD_VIP_DEL:
		if (!tb[VIPFO_A_VIPS])
			return why = "no VIP list", v;
		if (!g)
			return why = "no such group", v;
		if (!vips_ok(tb[VIPFO_A_VIPS], g, gh->cmd == VIPFO_CMD_VIP_ADD))
			return v;
		break;
	default:
		if (!g)
			return why = "no such group", v;
		break;
	}
	v.kind = V_OK;
	return v;
}

/* ------------------------------------------------------------ prediction */

/* A group's options when GROUP_NEW leaves them out (the UAPI header's). */
#define DEFAULT_GARP_COUNT	3
#define DEFAULT_GARP_INTERVAL	200
#define DEFAULT_CARRIER_POLL	5
#define DEFAULT_REPLY_RATE	100000
#define DEFAULT_UP_DELAY	1000

static void snap_copy(struct snap *dst, const struct snap *src)
{
	int i, j;

	snap_clear(dst);
	for (i = 0; i < src->n; i++) {
		struct sgroup *g = &dst->g[dst->n++];

		*g = src->g[i];
		g->vip = NULL;
		g->nvip = g->vcap = 0;
		for (j = 0; j < src->g[i].nvip; j++)
			sgroup_add_vip(g, src->g[i].vip[j]);
	}
}

static void options_apply(struct sgroup *g, const struct nlattr **tb)
{
	if (tb[VIPFO_A_GARP_COUNT])
		memcpy(&g->garp_count, data_of(tb[VIPFO_A_GARP_COUNT]), 4);
	if (tb[VIPFO_A_GARP_INTERVAL])
		memcpy(&g->garp_interval, data_of(tb[VIPFO_A_GARP_INTERVAL]), 4);
	if (tb[VIPFO_A_CARRIER_POLL])
		memcpy(&g->carrier_poll, data_of(tb[VIPFO_A_CARRIER_POLL]), 4);
	if (tb[VIPFO_A_REPLY_RATE])
		memcpy(&g->reply_rate, data_of(tb[VIPFO_A_REPLY_RATE]), 4);
	if (tb[VIPFO_A_UP_DELAY])
		memcpy(&g->up_delay, data_of(tb[VIPFO_A_UP_DELAY]), 4);
}

static void devs_apply(struct sgroup *g, const struct nlattr *list, bool add)
{
	const struct nlattr *a, *tb[2];
	uint32_t ifindex;
	int rem, i;

	for_each_attr(a, data_of(list), len_of(list), rem) {
		parse(data_of(a), len_of(a), tb, 1);
		memcpy(&ifindex, data_of(tb[VIPFO_DEV_A_IFINDEX]), 4);
		if (add) {
			g->dev[g->ndev++] = ifindex;
			continue;
		}
		for (i = 0; i < g->ndev; i++)
			if (g->dev[i] == ifindex)
				g->dev[i] = g->dev[--g->ndev];
	}
	qsort(g->dev, g->ndev, sizeof(g->dev[0]), cmp_u32);
}

static void vips_apply(struct sgroup *g, const struct nlattr *list, bool add)
{
	const struct nlattr *a, *tb[3];
	uint32_t addr;
	int rem, i;

	for_each_attr(a, data_of(list), len_of(list), rem) {
		parse(data_of(a), len_of(a), tb, 2);
		memcpy(&addr, data_of(tb[VIPFO_VIP_A_ADDR]), 4);
		addr = ntohl(addr);
		if (add) {
			sgroup_add_vip(g, addr);
			continue;
		}
		for (i = 0; i < g->nvip; i++)
			if (g->vip[i] == addr)
				g->vip[i] = g->vip[--g->nvip];
	}
	qsort(g->vip, g->nvip, sizeof(g->vip[0]), cmp_u32);
	g->vip_count = g->nvip;
}

/*
 * The configuration a valid changing request must leave: the baseline
 * with the request applied, as judge() read it (the last attribute of
 * each type counts).
 */
static void predict(const struct wire *w, struct snap *p)
{
	const struct nlmsghdr *nlh = (const void *)w->buf;
	const struct genlmsghdr *gh = (const void *)(w->buf + NLMSG_HDRLEN);
	const struct nlattr *tb[VIPFO_A_MAX + 1];
	const char *name;
	struct sgroup *g;

	snap_copy(p, &base);
	parse(w->buf + NLMSG_HDRLEN + GENL_HDRLEN,
	      nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, tb, VIPFO_A_MAX);
	name = data_of(tb[VIPFO_A_GROUP_NAME]);
	g = snap_find(p, name);
	switch (gh->cmd) {
	case VIPFO_CMD_GROUP_NEW:
		g = &p->g[p->n++];
		memset(g, 0, sizeof(*g));
		snprintf(g->name, sizeof(g->name), "%s", name);
		g->garp_count = DEFAULT_GARP_COUNT;
		g->garp_interval = DEFAULT_GARP_INTERVAL;
		g->carrier_poll = DEFAULT_CARRIER_POLL;
		g->reply_rate = DEFAULT_REPLY_RATE;
		g->up_delay = DEFAULT_UP_DELAY;
		g->heads = 1;
		options_apply(g, tb);
		if (tb[VIPFO_A_DEVS])
			devs_apply(g, tb[VIPFO_A_DEVS], true);
		if (tb[VIPFO_A_VIPS])
			vips_apply(g, tb[VIPFO_A_VIPS], true);
		break;
	case VIPFO_CMD_GROUP_DEL:
		free(g->vip);
		*g = p->g[--p->n];
		memset(&p->g[p->n], 0, sizeof(p->g[p->n]));
		break;
	case VIPFO_CMD_GROUP_SET:
		options_apply(g, tb);
		break;
	case VIPFO_CMD_DEV_ADD:
	case VIPFO_CMD_DEV_DEL:
		devs_apply(g, tb[VIPFO_A_DEVS], gh->cmd == VIPFO_CMD_DEV_ADD);
		break;
	case VIPFO_CMD_VIP_ADD:
	case VIPFO_CMD_VIP_DEL:
		vips_apply(g, tb[VIPFO_A_VIPS], gh->cmd == VIPFO_CMD_VIP_ADD);
		break;
	}
}

/* ------------------------------------------------------------ statistics */

struct eclass {
	int cmd, err;
	long n;
	char msg[96];		/* an example extack message */
	const char *core;	/* NULL: rejections with a message */
};

static struct eclass rejects[ERR_CLASSES], nomsg[NOMSG_CLASSES];
static int nrejects, nnomsg;
static long n_sent, n_accepted, n_accepted_changes, n_rejected, n_ignored,
	    n_dumps, n_dump_parts, n_abandoned, n_intr, n_barriers;

static void count_class(struct eclass *tab, int *n, int max, int cmd,
			int err, const char *msg, const char *core)
{
	int i;

	if (cmd > VIPFO_CMD_MAX)
		cmd = CMD_OTHER;
	for (i = 0; i < *n; i++)
		if (tab[i].cmd == cmd && tab[i].err == err &&
		    (core || !strncmp(tab[i].msg, msg, sizeof(tab[i].msg) - 1))) {
			tab[i].n++;
			return;
		}
	if (*n == max)
		return;
	tab[*n] = (struct eclass){ cmd, err, 1, "", core };
	snprintf(tab[*n].msg, sizeof(tab[*n].msg), "%s", msg);
	(*n)++;
}

static const char *errname(int err)
{
	static char buf[24];

	switch (-err) {
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case ENOSPC: return "ENOSPC";
	case EPERM: return "EPERM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOMEM: return "ENOMEM";
	}
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

static void hexdump(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 512; i++)
		printf("%s%02x%s", i % 32 ? "" : "#   ", p[i],
		       i % 32 == 31 || i + 1 == len ? "\n" : i % 4 == 3 ? " " : "");
	if (len > 512)
		printf("#   ... (%zu bytes)\n", len);
}

/* ------------------------------------------------------------ one message */

static struct wire W;

struct result {
	bool accepted;		/* processed and not rejected */
	bool changing;		/* ... a changing operation */
};

static void partial_dump(long idx, int action);

static struct verdict prepare(long idx)
{
	gen_message(opt_seed, idx, &W);
	if (W.action != ACT_REQUEST)
		return (struct verdict){ .kind = V_IGNORED };
	return judge(&W);
}

/* Send message idx (prepared in W, judged v) and check what came back. */
static struct result execute(long idx, struct verdict v, bool quiet)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)W.buf;
	struct outcome o = {}, ob = {};
	struct result res = {};
	uint32_t seq, barrier = 0;
	char bbuf[64];
	int err;

	if (W.action != ACT_REQUEST) {
		partial_dump(idx, W.action);
		return res;
	}
	seq = ++main_c.seq;
	nlh->nlmsg_seq = seq;
	if (opt_verbose && !quiet) {
		printf("# [%ld] %s flags 0x%x, %zu bytes (nlmsg_len %u)%s%s: oracle says %s%s%s\n",
		       idx, cmd_name(W.cmd), nlh->nlmsg_flags, W.len,
		       nlh->nlmsg_len, W.mut[0] ? ", " : "", W.mut,
		       v.kind == V_OK ? "valid" : v.kind == V_FAIL ? "invalid" :
		       "ignored", why[0] ? ": " : "", why);
		hexdump(W.buf, W.len);
	}
	err = conn_send(&main_c, W.buf, W.len);
	if (err)
		die("[%ld] send: %s", idx, strerror(-err));
	n_sent++;

	/*
	 * Nothing may come back: then a barrier says when all did, a
	 * request to the genetlink controller (whatever vipfo's state). Not
	 * after a dump: it always ends with NLMSG_DONE or an error, and a
	 * request in the middle would be answered before the dump's end.
	 */
	if (v.kind == V_IGNORED || (!(nlh->nlmsg_flags & NLM_F_ACK) &&
				    (nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)) {
		uint16_t ours = family;
		struct nlmsghdr *b;

		family = GENL_ID_CTRL;
		b = msg_start(bbuf, &main_c, CTRL_CMD_GETFAMILY, NLM_F_ACK);
		family = ours;
		mnl_attr_put_strz(b, CTRL_ATTR_FAMILY_NAME, VIPFO_GENL_NAME);
		barrier = b->nlmsg_seq;
		if ((err = conn_send(&main_c, b, b->nlmsg_len)))
			die("[%ld] send barrier: %s", idx, strerror(-err));
		n_barriers++;
	}
	err = conn_read(&main_c, seq, &o, barrier ? barrier : seq, &ob, NULL, NULL);
	if (err)
		die("[%ld] %s: no answer (%s): the socket stopped working",
		    idx, cmd_name(W.cmd), strerror(-err));
	if (barrier && ob.err)
		finding("[%ld] the barrier after it failed: %s (%s)", idx,
			errname(ob.err), ob.msg);
	if (opt_verbose && !quiet)
		printf("#   -> %s%s%s%s, %d replies%s\n",
		       !o.terminal ? "no status" : o.err ? errname(o.err) :
		       o.done ? "NLMSG_DONE" : "ACK", o.has_msg ? " \"" : "",
		       o.msg, o.has_msg ? "\"" : "", o.replies,
		       barrier ? " (then the barrier)" : "");

	if (v.kind == V_IGNORED) {
		n_ignored++;
		if ((o.terminal && o.err) || o.replies)
			finding("[%ld] %s: %s, yet answered (%s, %d replies)",
				idx, cmd_name(W.cmd), why, errname(o.err), o.replies);
		return res;
	}
	if (o.terminal && o.err < 0) {
		n_rejected++;
		count_class(rejects, &nrejects, ERR_CLASSES, W.cmd, o.err, o.msg,
			    NULL);
		if (!o.has_msg) {
			if (v.core && v.core_err == o.err) {
				count_class(nomsg, &nnomsg, NOMSG_CLASSES, W.cmd,
					    o.err, "", v.core);
			} else {
				count_class(nomsg, &nnomsg, NOMSG_CLASSES, W.cmd,
					    o.err, "", "vipfo");
				finding("[%ld] %s rejected with %s and no extack message%s%s",
					idx, cmd_name(W.cmd), errname(o.err),
					v.core ? "; expected core: " : "",
					v.core ? v.core : "");
			}
		}
		if (v.kind == V_OK)
			finding("[%ld] %s: a valid request rejected: %s (%s)",
				idx, cmd_name(W.cmd), errname(o.err), o.msg);
		else if (v.err && o.err != v.err)
			finding("[%ld] %s rejected with %s (%s), but %s means %s",
				idx, cmd_name(W.cmd), errname(o.err), o.msg,
				why, errname(v.err));
		else if (v.msg && !strstr(o.msg, v.msg))
			finding("[%ld] %s rejected (%s), but the message \"%s\" does not name %s",
				idx, cmd_name(W.cmd), why, o.msg, v.msg);
		return res;
	}
	if (o.terminal && o.err > 0)
		finding("[%ld] positive error %d", idx, o.err);

	res.accepted = true;
	res.changing = cmd_changes(W.cmd);
	n_accepted++;
	if (res.changing) {
		n_accepted_changes++;
		events_expected++;
	}
	if (v.dump) {
		n_dumps++;
		n_dump_parts += o.replies;
		if (!o.done)
			finding("[%ld] a dump without NLMSG_DONE", idx);
	}
	if (v.kind == V_FAIL && v.judged && why[0] != '(')
		finding("[%ld] %s accepted, but it is invalid: %s", idx,
			cmd_name(W.cmd), why);
	return res;
}

/* A socket in the namespace at path (the huge group's). */
static int open_in_netns(struct conn *c, const char *path)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int other = open(path, O_RDONLY | O_CLOEXEC);
	int err = -1;

	if (self >= 0 && other >= 0 && !setns(other, CLONE_NEWNET)) {
		err = conn_open(c, 8 << 20);
		if (setns(self, CLONE_NEWNET))
			die("setns back: %m");
	}
	if (self >= 0)
		close(self);
	if (other >= 0)
		close(other);
	return err;
}

static struct snap huge;

/* The huge group, dumped whole: every VIP once, nothing else. */
static void huge_check(const char *when)
{
	const struct sgroup *g = &huge.g[0];
	int i;

	take_snap(&huge_c, &huge);
	n_dumps++;
	n_dump_parts += huge.parts;
	if (huge.bad[0] || huge.n != 1 || strcmp(g->name, "huge") ||
	    g->nvip != HUGE_N) {
		finding("%s: dump of the %d-VIP group: %s (%d groups, %d VIPs)",
			when, HUGE_N, huge.bad, huge.n, huge.n ? g->nvip : 0);
		return;
	}
	for (i = 0; i < HUGE_N; i++)
		if (g->vip[i] != HUGE_VIPS + 1 + (uint32_t)i) {
			finding("%s: dump of the %d-VIP group: VIP %d is %08x",
				when, HUGE_N, i, g->vip[i]);
			return;
		}
}

static void huge_setup(void)
{
	static uint32_t vips[HUGE_N];
	struct nlmsghdr *nlh;
	int i;

	if (open_in_netns(&huge_c, opt_huge))
		die("socket in %s: %m", opt_huge);
	take_snap(&huge_c, &huge);
	if (huge.n)
		return huge_check("at the start");
	nlh = msg_start(req, &huge_c, VIPFO_CMD_GROUP_NEW, 0);
	mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, "huge");
	expect_ok(&huge_c, nlh, "GROUP_NEW huge");
	for (i = 0; i < HUGE_N; i++)
		vips[i] = HUGE_VIPS + 1 + i;
	vips_op(&huge_c, VIPFO_CMD_VIP_ADD, "huge", vips, HUGE_N);
	huge_check("after setting it up");
}

/*
 * Dumps on a socket of their own: the huge group whole (ACT_HUGE), one
 * part of it and close the socket (ACT_ABANDON), or a change between two
 * parts, which must flag the rest NLM_F_DUMP_INTR (ACT_INTR).
 */
static void partial_dump(long idx, int action)
{
	struct rng r = { .s = opt_seed ^ ~(uint64_t)idx };
	struct conn c;
	struct nlmsghdr *nlh;
	struct outcome o = {};
	char buf[128];
	uint32_t vip;
	int len;

	n_sent++;
	if (action == ACT_HUGE_DUMP)
		return huge_check("huge dump");
	if (opt_huge ? open_in_netns(&c, opt_huge) : conn_open(&c, 1 << 20))
		die("socket: %m");
	nlh = msg_start(buf, &c, VIPFO_CMD_GROUP_GET, NLM_F_DUMP);
	if (below(&r, 2))
		mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME,
				  opt_huge ? "huge" : "many");
	if (conn_send(&c, nlh, nlh->nlmsg_len))
		die("send: %m");
	/* A small buffer: the kernel fills parts of that size. */
	len = recv(c.fd, rx, 4096, 0);
	if (len <= 0)
		die("[%ld] partial dump: %m", idx);
	if (action == ACT_ABANDON_DUMP) {
		n_abandoned++;
		close(c.fd);
		return;
	}

	/* A VIP removed and back, then the rest. */
	vip = HUGE_VIPS + 1 + below(&r, HUGE_N);
	vips_op(&huge_c, VIPFO_CMD_VIP_DEL, "huge", &vip, 1);
	vips_op(&huge_c, VIPFO_CMD_VIP_ADD, "huge", &vip, 1);
	if (conn_read(&c, nlh->nlmsg_seq, &o, nlh->nlmsg_seq, &o, NULL, NULL))
		die("[%ld] interrupted dump: %m", idx);
	n_intr++;
	/* The part after the first was built before the change. */
	if (o.err)
		finding("[%ld] interrupted dump ended with %s", idx, errname(o.err));
	else if (o.replies >= 2 && !o.intr)
		finding("[%ld] a dump changed between its parts not flagged NLM_F_DUMP_INTR (%d more parts)",
			idx, o.replies);
	close(c.fd);
}

static struct result run_one(long idx, bool quiet)
{
	struct verdict v = prepare(idx);

	return execute(idx, v, quiet);
}

/* ------------------------------------------------------------ main loop */

static void events_check(long from, long to)
{
	events_drain();
	if (events_seen != events_expected) {
		finding("messages %ld-%ld: %ld CHANGE_NTF events for %ld changes",
			from, to, events_seen, events_expected);
		events_seen = events_expected;
	}
}

/* The configuration changed in batch [from, to): find who did it. */
static void bisect(long from, long to)
{
	long i;
	bool found = false;

	printf("# configuration changed in messages %ld-%ld: %s; replaying them one by one\n",
	       from, to - 1, snap_diff(&base, &cur));
	restore_and_verify("a changed batch");
	events_drain();
	events_seen = events_expected;
	for (i = from; i < to; i++) {
		struct result res = run_one(i, true);

		if (verify() && (events_drain(), events_seen == events_expected))
			continue;
		if (res.accepted && res.changing) {
			restore_and_verify("an accepted change");
			events_drain();
			events_seen = events_expected;
			continue;
		}
		found = true;
		finding("[%ld] %s rejected or ignored, yet the configuration changed: %s (%ld events for %ld); bytes:",
			i, cmd_name(W.cmd), snap_diff(&base, &cur), events_seen,
			events_expected);
		hexdump(W.buf, W.len);
		restore_and_verify("a culprit");
		events_drain();
		events_seen = events_expected;
	}
	if (!found)
		finding("messages %ld-%ld changed the configuration, but not one by one",
			from, to - 1);
}

/* Messages [from, to) were rejected or ignored: nothing may have changed. */
static void check_batch(long from, long to)
{
	if (!verify()) {
		if (opt_unpriv)
			die("configuration changed by unprivileged messages %ld-%ld: %s",
			    from, to - 1, snap_diff(&base, &cur));
		bisect(from, to);
	}
	events_check(from, to - 1);
}

static int cmp_class(const void *a, const void *b)
{
	const struct eclass *x = a, *y = b;

	if (x->cmd != y->cmd)
		return x->cmd - y->cmd;
	if (x->err != y->err)
		return y->err - x->err;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void print_classes(void)
{
	int i;

	qsort(rejects, nrejects, sizeof(rejects[0]), cmp_class);
	qsort(nomsg, nnomsg, sizeof(nomsg[0]), cmp_class);

	printf("# rejections by command, error and extack message:\n");
	for (i = 0; i < nrejects; i++)
		printf("#   %-12s %-12s %7ld  %s\n", cmd_name(rejects[i].cmd),
		       errname(rejects[i].err), rejects[i].n,
		       rejects[i].msg[0] ? rejects[i].msg : "(no message)");
	if (nrejects == ERR_CLASSES)
		printf("#   (more classes not counted)\n");
	printf("# rejections without an extack message, by command and error:\n");
	if (!nnomsg)
		printf("#   none\n");
	for (i = 0; i < nnomsg; i++)
		printf("#   %-12s %-12s %7ld  %s%s\n", cmd_name(nomsg[i].cmd),
		       errname(nomsg[i].err), nomsg[i].n,
		       strcmp(nomsg[i].core, "vipfo") ? "genetlink core: " :
		       "FROM VIPFO: ", nomsg[i].core);
}

static void usage(void)
{
	fprintf(stderr, "usage: nl_fuzz [--seed N] [--count N] [--first N] [--batch N] [--unpriv]\n"
		"               [--huge-netns /run/netns/NAME] [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "first", required_argument, NULL, 'f' },
		{ "batch", required_argument, NULL, 'b' },
		{ "unpriv", no_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "huge-netns", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct timespec t0, t1;
	bool seeded = false;
	long i, batch_start, last;
	double secs;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'c':
			opt_count = strtol(optarg, NULL, 0);
			break;
		case 'f':
			opt_first = strtol(optarg, NULL, 0);
			break;
		case 'b':
			opt_batch = strtol(optarg, NULL, 0);
			break;
		case 'u':
			opt_unpriv = true;
			break;
		case 'v':
			opt_verbose = true;
			break;
		case 'H':
			opt_huge = optarg;
			break;
		default:
			usage();
		}
	}
	if (!seeded) {
		clock_gettime(CLOCK_REALTIME, &t0);
		opt_seed = (uint64_t)t0.tv_sec * 1000003 ^ t0.tv_nsec ^ getpid();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# nl_fuzz: seed %llu, messages %ld-%ld%s\n",
	       (unsigned long long)opt_seed, opt_first, opt_first + opt_count - 1,
	       opt_unpriv ? ", unprivileged" : "");

	rx = malloc(RX_SIZE);
	if (!rx || conn_open(&main_c, 8 << 20))
		die("socket: %m");
	if (resolve_family(&main_c)) {
		printf("# SKIP: no generic netlink family \"%s\"\n", VIPFO_GENL_NAME);
		return 4;
	}
	env_init();
	/* Events are open to everyone: without them nothing is checked. */
	if (!mcgrp)
		die("the family has no \"%s\" multicast group", VIPFO_MCGRP_EVENTS);
	if (conn_open(&events, 16 << 20) ||
	    setsockopt(events.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &mcgrp,
		       sizeof(mcgrp)))
		die("events socket: %m");

	/* The baseline: built (root), or whatever is there (unprivileged). */
	if (opt_unpriv) {
		take_snap(&main_c, &base);
		if (base.bad[0] || base.n != NBASE)
			die("unprivileged run needs the baseline of a root run (%s, %d groups)",
			    base.bad, base.n);
	} else {
		baseline_build(&base);
		take_snap(&main_c, &cur);
		restore(&cur);
		if (!verify())
			die("could not set up the baseline: %s %s",
			    snap_diff(&base, &cur), cur.bad);
	}
	if (opt_huge)
		huge_setup();
	events_drain();
	events_seen = events_expected = 0;
	restores = restore_msgs = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	batch_start = opt_first;
	last = opt_first + opt_count;
	for (i = opt_first; i < last; i++) {
		struct verdict v = prepare(i);
		struct result res;

		/*
		 * Before a change that will be accepted (and undone), the
		 * messages since the last check must have changed nothing.
		 */
		if (!opt_unpriv && i > batch_start && W.action == ACT_REQUEST &&
		    v.kind == V_OK && cmd_changes(W.cmd)) {
			check_batch(batch_start, i);
			batch_start = i;
			v = prepare(i);		/* bisect may have reused W */
		}
		res = execute(i, v, false);
		if (res.accepted && res.changing && !opt_unpriv) {
			/*
			 * It did what the model says, then the baseline goes
			 * back: the next message meets it.
			 */
			take_snap(&main_c, &cur);
			if (cur.bad[0]) {
				finding("[%ld] malformed dump after it: %s", i, cur.bad);
			} else if (v.kind == V_OK) {
				const char *d;

				predict(&W, &pred);
				d = snap_diff(&pred, &cur);
				if (d[0])
					finding("[%ld] %s accepted, but the configuration is not the model's: %s",
						i, cmd_name(W.cmd), d);
			}
			restore(&cur);
			if (!verify())
				die("[%ld] restore failed: %s", i, snap_diff(&base, &cur));
			events_check(i, i);
			batch_start = i + 1;
		} else if (i + 1 - batch_start >= opt_batch || i + 1 == last) {
			check_batch(batch_start, i + 1);
			batch_start = i + 1;
		}
		if ((i - opt_first + 1) % 10000 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("# %ld messages, %.1f s\n", i - opt_first + 1,
			       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* The socket still works, and so do events. */
	if (!verify())
		finding("configuration not the baseline at the end: %s %s",
			snap_diff(&base, &cur), cur.bad);
	if (!opt_unpriv) {
		const struct sgroup *b = &base.g[0];
		struct nlmsghdr *nlh = msg_start(req, &main_c, VIPFO_CMD_GROUP_SET, 0);

		mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, b->name);
		mnl_attr_put_u32(nlh, VIPFO_A_GARP_COUNT, b->garp_count);
		expect_ok(&main_c, nlh, "final GROUP_SET");
		events_check(last, last);
	}

	printf("# %ld messages in %.1f s: %.0f messages/s\n", opt_count, secs,
	       opt_count / secs);
	printf("# sent %ld: accepted %ld (%ld changes, restored by %ld requests), rejected %ld, ignored %ld;\n",
	       n_sent, n_accepted, n_accepted_changes, restore_msgs, n_rejected,
	       n_ignored);
	printf("#   dumps %ld (%ld messages), abandoned dumps %ld, interrupted dumps %ld, barriers %ld,\n",
	       n_dumps, n_dump_parts, n_abandoned, n_intr, n_barriers);
	printf("#   snapshots %ld (%.1f s), events %ld (+%ld other)\n", snap_count,
	       snap_secs, events_seen, events_other);
	print_classes();
	printf("# findings: %d\n", findings);
	return findings ? 1 : 0;
}
