// SPDX-License-Identifier: GPL-2.0
/*
 * The baseline every message meets: five groups over the namespace's
 * devices; and putting it back from a diff after a change.
 */

#include <net/if.h>

#include "nl_fuzz.h"

/* ------------------------------------------------------------ baseline */

#define MANY_VIPS	0x0a630000	/* 10.99.0.0 */
#define MANY_N		200

struct env env;

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

struct snap base;		/* what the kernel must hold */

static uint32_t dev_by_name(const char *name)
{
	uint32_t i = if_nametoindex(name);

	if (!i)
		die("no device %s in this namespace (run by nl_fuzz.sh)", name);
	return i;
}

void env_init(void)
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

bool dev_exists(uint32_t ifindex)
{
	return sorted_has(env.exist, env.nexist, ifindex);
}

bool dev_is_ether(uint32_t ifindex)
{
	return ifindex != env.lo;
}

void baseline_build(struct snap *s)
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

struct conn main_c;
char req[MSG_MAX + 4096];
long restores, restore_msgs;

struct conn huge_c;	/* in the other namespace, fd -1 if none */

/* A change the fuzzer makes itself; the events socket sees main_c's. */
void expect_ok(struct conn *c, struct nlmsghdr *nlh, const char *what)
{
	struct outcome o;

	if (talk(c, nlh, &o, NULL, NULL))
		die("%s: %s (%s)", what, strerror(-o.err), o.msg);
	if (c == &main_c)
		events_expected++;
	restore_msgs++;
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
	vipfo_nl_put_devs(nlh, dev, n);
	expect_ok(&main_c, nlh, cmd_name(cmd));
}

void vips_op(struct conn *c, uint8_t cmd, const char *name,
		    const uint32_t *vip, int n)
{
	struct nlmsghdr *nlh;
	int i, k;

	for (i = 0; i < n; i += k) {
		k = n - i < 2000 ? n - i : 2000;
		nlh = msg_start(req, c, cmd, 0);
		mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, name);
		vipfo_nl_put_vips(nlh, vip + i, k);
		expect_ok(c, nlh, cmd_name(cmd));
	}
}

/* Make the kernel's configuration the baseline again, from a diff. */
void restore(const struct snap *cur)
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
		if (g->nv6) {
			struct nlattr *list;

			nlh = msg_start(req, &main_c, VIPFO_CMD_VIP_DEL, 0);
			mnl_attr_put_strz(nlh, VIPFO_A_GROUP_NAME, g->name);
			list = mnl_attr_nest_start(nlh, VIPFO_A_VIPS);
			for (n = 0; n < g->nv6; n++)
				vipfo_nl_put_vip(nlh, AF_INET6, g->v6[n], 16);
			mnl_attr_nest_end(nlh, list);
			expect_ok(&main_c, nlh, "restore: VIP_DEL of IPv6 VIPs");
		}
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

struct snap cur, pred;

/* The configuration must be the baseline: true if it is. */
bool verify(void)
{
	take_snap(&main_c, &cur);
	if (cur.bad[0]) {
		finding("malformed dump: %s", cur.bad);
		return false;
	}
	return !snap_diff(&base, &cur)[0];
}

void restore_and_verify(const char *why)
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
