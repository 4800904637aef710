// SPDX-License-Identifier: GPL-2.0
/*
 * The oracle: a model of the ABI (the per-op policies, the handlers'
 * checks against the baseline) and of 6.1's genetlink core judges each
 * message before it is sent: must fail, must succeed, or ignored.
 */

#include "nl_fuzz.h"

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

bool attr_ok(const struct nlattr *a, int rem)
{
	return rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
}

const char *why;	/* the oracle's reason, for reports */
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
void parse(const void *head, int len, const struct nlattr **tb, int max)
{
	const struct nlattr *a;
	int rem;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	for_each_attr(a, head, len, rem)
		tb[a->nla_type & NLA_TYPE_MASK] = a;
}

const void *data_of(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

int len_of(const struct nlattr *a)
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

/*
 * The kernel's IPv6 test (ipv6_addr_type()): ::, ::1, link-local,
 * multicast, IPv4-mapped and IPv4-compatible addresses are no VIPs.
 */
static bool v6_refused(const uint8_t *a)
{
	static const uint8_t zero[12];

	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return true;
	if (!memcmp(a, zero, 10) &&
	    ((a[10] == 0xff && a[11] == 0xff) || (!a[10] && !a[11])))
		return true;	/* mapped, compatible, :: and ::1 */
	return false;
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
		if (fam == AF_INET6) {
			if (len_of(tb[VIPFO_VIP_A_ADDR]) != 16)
				return why = "IPv6 address not 16 bytes", false;
			if (v6_refused(data_of(tb[VIPFO_VIP_A_ADDR])))
				return why = "not a global unicast IPv6 address", false;
			return why = "(a valid IPv6 VIP: the model has IPv4 ones only)", false;
		}
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


struct verdict judge(const struct wire *w)
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
