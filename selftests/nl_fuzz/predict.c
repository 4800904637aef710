// SPDX-License-Identifier: GPL-2.0
/*
 * What an accepted change must leave: the baseline with the request
 * applied, defaults for what GROUP_NEW leaves out.
 */

#include "nl_fuzz.h"

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
void predict(const struct wire *w, struct snap *p)
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
