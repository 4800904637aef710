// SPDX-License-Identifier: GPL-2.0
/*
 * Message idx of run seed: a valid request as a tree (tree.c), mutated
 * in the tree, then in its bytes and headers.
 */

#include "nl_fuzz.h"

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

/*
 * An IPv6 address that is no VIP: ::, ::1, link-local, multicast,
 * IPv4-mapped or IPv4-compatible (oracle.c's v6_refused()). The model of
 * the groups holds IPv4 VIPs only, so valid IPv6 ones are left to
 * netlink_api and ynl.sh.
 */
static void gen_bad_v6(struct rng *r, uint8_t *a)
{
	uint32_t low;

	random_bytes(r, (uint8_t *)&low, sizeof(low));
	memset(a, 0, 16);
	switch (below(r, 6)) {
	case 0:				/* :: */
		break;
	case 1:				/* ::1 */
		a[15] = 1;
		break;
	case 2:				/* fe80::/10 */
		random_bytes(r, a + 1, 15);
		a[0] = 0xfe;
		a[1] = 0x80 | (a[1] & 0x3f);
		break;
	case 3:				/* ff00::/8 */
		random_bytes(r, a + 1, 15);
		a[0] = 0xff;
		break;
	case 4:				/* ::ffff:a.b.c.d */
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &low, 4);
		break;
	default:			/* ::a.b.c.d, not :: or ::1 */
		low |= htonl(2);
		memcpy(a + 12, &low, 4);
		break;
	}
}

static void gen_vip_entry(struct rng *r, int list, uint32_t a)
{
	/* Not AF_INET6: a random 16 bytes may be a valid IPv6 VIP. */
	static const uint32_t fam[] = { 0, 1, 3, 17, 0xffff, 0x0200, 0x0a00 };
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
	if (roll < 90) {		/* IPv6, one the kernel refuses */
		leaf_u16(v, VIPFO_VIP_A_FAMILY, AF_INET6);
		gen_bad_v6(r, buf);
		leaf(v, VIPFO_VIP_A_ADDR, buf, chance(r, 700) ? 16 : below(r, 16));
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


void gen_message(uint64_t seed, long idx, struct wire *w)
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
