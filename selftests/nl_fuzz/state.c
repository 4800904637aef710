// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration as a dump shows it: snapshots, their comparison,
 * and the command names of the reports.
 */

#include <time.h>

#include "nl_fuzz.h"

/* ------------------------------------------------------------ names */

const char *cmd_name(int cmd)
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

bool cmd_is_op(int cmd)
{
	return cmd >= VIPFO_CMD_GROUP_NEW && cmd <= VIPFO_CMD_VIP_DEL;
}

bool cmd_changes(int cmd)
{
	return cmd_is_op(cmd) && cmd != VIPFO_CMD_GROUP_GET;
}

/* ------------------------------------------------------------ state */

void snap_clear(struct snap *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->g[i].vip);
	memset(s, 0, sizeof(*s));
}

int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct sgroup *snap_find(const struct snap *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->g[i].name, name))
			return (struct sgroup *)&s->g[i];
	return NULL;
}

bool sorted_has(const uint32_t *v, int n, uint32_t x)
{
	return bsearch(&x, v, n, sizeof(x), cmp_u32) != NULL;
}

/* The group that holds VIP a (host order) or device ifindex, or NULL. */
const struct sgroup *vip_owner(const struct snap *s, uint32_t a)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (sorted_has(s->g[i].vip, s->g[i].nvip, a))
			return &s->g[i];
	return NULL;
}

const struct sgroup *dev_owner(const struct snap *s, uint32_t ifindex)
{
	int i, j;

	for (i = 0; i < s->n; i++)
		for (j = 0; j < s->g[i].ndev; j++)
			if (s->g[i].dev[j] == ifindex)
				return &s->g[i];
	return NULL;
}

bool options_equal(const struct sgroup *x, const struct sgroup *y)
{
	return x->garp_count == y->garp_count &&
	       x->garp_interval == y->garp_interval &&
	       x->carrier_poll == y->carrier_poll &&
	       x->reply_rate == y->reply_rate &&
	       x->up_delay == y->up_delay;
}

/* "" when equal, else what differs. */
const char *snap_diff(const struct snap *a, const struct snap *b)
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
		else if (x->nv6 != y->nv6 ||
			 memcmp(x->v6, y->v6, x->nv6 * sizeof(x->v6[0])))
			snprintf(why, sizeof(why), "group %s: %d IPv6 VIPs instead of %d (or others)",
				 x->name, y->nv6, x->nv6);
		else
			continue;
		return why;
	}
	return "";
}

/* ------------------------------------------------------------ snapshots */

void sgroup_add_vip(struct sgroup *g, uint32_t a)
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
				uint8_t addr[16];
				int alen = 0;

				mnl_attr_for_each_nested(e, b) {
					if (mnl_attr_get_type(e) == VIPFO_VIP_A_FAMILY)
						fam = mnl_attr_get_u16(e);
					else if (mnl_attr_get_type(e) == VIPFO_VIP_A_ADDR) {
						alen = mnl_attr_get_payload_len(e);
						if (alen <= 16)
							memcpy(addr, mnl_attr_get_payload(e), alen);
					}
				}
				if (fam == AF_INET && alen == 4) {
					uint32_t a4;

					memcpy(&a4, addr, 4);
					sgroup_add_vip(g, ntohl(a4));
				} else if (fam == AF_INET6 && alen == 16 &&
					   g->nv6 < SNAP_V6_MAX) {
					memcpy(g->v6[g->nv6++], addr, 16);
				} else {
					snprintf(s->bad, sizeof(s->bad),
						 "group %s: malformed VIP (or over %d IPv6 ones)",
						 g->name, SNAP_V6_MAX);
				}
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

double snap_secs;
long snap_count;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Dump every group into s and check the dump is well-formed. */
void take_snap(struct conn *c, struct snap *s)
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
		else if ((int)g->vip_count != g->nvip + g->nv6)
			snprintf(s->bad, sizeof(s->bad), "group %s: vip_count %u but %d VIPs dumped",
				 g->name, g->vip_count, g->nvip + g->nv6);
	}
	if (s->intr && !s->bad[0])
		snprintf(s->bad, sizeof(s->bad), "NLM_F_DUMP_INTR without a change");
	snap_secs += now() - t0;
	snap_count++;
}
