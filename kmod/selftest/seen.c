// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the seen cache and the claim cache, included at the end of
 * seen.c. They set the clock through first_copy() and claim_sender().
 * The claim cache asks the namespace whose a MAC is: the tests register a
 * device of ours in init_net, with a MAC of its own, and move it.
 */

#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "selftest.h"

struct seen_test {
	struct vipfo_net vn;
	struct vipfo_group group;
	struct vipfo_member member[3];	/* ids 0, 1 and the last */
	struct vipfo_vip vip;
	struct net_device *dev;
};

/* Documentation MACs (RFC 7042) for other hosts; ours are local ones. */
static void __init seen_other_mac(u8 *mac, unsigned int i)
{
	static const u8 base[ETH_ALEN] __initconst = {
		0x00, 0x00, 0x5e, 0x00, 0x53, 0x00,
	};

	memcpy(mac, base, ETH_ALEN);
	mac[4] += i >> 8;
	mac[5] = i;
}

static const u8 seen_ours[ETH_ALEN] __initconst = {
	0x02, 0x00, 0x5e, 0x10, 0x00, 0x01,
};

static const u8 seen_ours2[ETH_ALEN] __initconst = {
	0x02, 0x00, 0x5e, 0x10, 0x00, 0x02,
};

/* A request from 192.0.2.1 for 192.0.2.100, or variants of it. */
static void __init seen_frame(struct vipfo_request *f, const u8 *sha,
			      u32 sip)
{
	f->family = AF_INET;
	f->src = sha;
	f->sha = sha;
	f->sip = htonl(sip);
	f->tip = htonl(0xc0000264);
	f->request = true;
}

static bool __init seen_first(struct seen_test *st, int m,
			      const struct vipfo_request *f, unsigned long t)
{
	return first_copy(&st->group, &st->member[m], f, t);
}

/* Copies on the other members are siblings; the same member asks anew. */
static bool __init seen_sibling(struct seen_test *st)
{
	struct vipfo_request a;
	int i;

	seen_frame(&a, seen_ours, 0xc0000201);
	/* At jiffies 0 too, an empty slot holds no request. */
	for (i = 0; i < 2; i++)
		if (!VIPFO_EXPECT(seen_first(st, 0, &a, 0)) ||
		    !VIPFO_EXPECT(!seen_first(st, 1, &a, 0)) ||
		    !VIPFO_EXPECT(!seen_first(st, 2, &a, 0)))
			return false;
	return true;
}

/* A copy arriving SEEN_WINDOW after the first is a new request. */
static bool __init seen_window(struct seen_test *st)
{
	unsigned long t = 1000;
	struct vipfo_request a;

	seen_frame(&a, seen_ours, 0xc0000201);
	return VIPFO_EXPECT(seen_first(st, 0, &a, t)) &&
	       VIPFO_EXPECT(!seen_first(st, 1, &a, t + SEEN_WINDOW - 1)) &&
	       VIPFO_EXPECT(seen_first(st, 2, &a, t + SEEN_WINDOW)) &&
	       VIPFO_EXPECT(!seen_first(st, 0, &a, t + SEEN_WINDOW));
}

/* The slot keeps 16 bits of jiffies: across their wrap, and the long's. */
static bool __init seen_wrap(struct seen_test *st)
{
	static const unsigned long times[] __initconst = {
		0xfffe, ULONG_MAX - 1,
	};
	struct vipfo_request a;
	int i;

	seen_frame(&a, seen_ours, 0xc0000201);
	for (i = 0; i < ARRAY_SIZE(times); i++)
		if (!VIPFO_EXPECT(seen_first(st, 0, &a, times[i])) ||
		    !VIPFO_EXPECT(!seen_first(st, 1, &a, times[i] + 3)) ||
		    !VIPFO_EXPECT(seen_first(st, 2, &a, times[i] + SEEN_WINDOW)))
			return false;
	return true;
}

/* Another requester, target or operation is another frame. */
static bool __init seen_distinct(struct seen_test *st)
{
	struct vipfo_request a, b;

	seen_frame(&a, seen_ours, 0xc0000201);
	if (!VIPFO_EXPECT(seen_first(st, 0, &a, 0)) ||
	    !VIPFO_EXPECT(!seen_first(st, 1, &a, 0)))
		return false;
	b = a;
	b.request = false;
	if (!VIPFO_EXPECT(seen_first(st, 2, &b, 0)))
		return false;
	b = a;
	b.sip = htonl(0xc0000202);
	if (!VIPFO_EXPECT(seen_first(st, 2, &b, 0)))
		return false;
	b = a;
	b.tip = htonl(0xc0000265);
	if (!VIPFO_EXPECT(seen_first(st, 2, &b, 0)))
		return false;
	b = a;
	b.sha = seen_ours2;
	return VIPFO_EXPECT(seen_first(st, 2, &b, 0));
}

/*
 * More requests than slots: each slot remembers the last one put there,
 * and a request it forgot gets a new round of replies. Asked newest
 * first, every slot answers once for what it remembers.
 */
static bool __init seen_bounds(struct seen_test *st)
{
	const int n = 4 * VIPFO_SEEN_SLOTS;
	struct vipfo_request f;
	int i, kept = 0;

	for (i = 0; i < n; i++) {
		seen_frame(&f, seen_ours, 0x0a000000 + i);
		if (!VIPFO_EXPECT(seen_first(st, 0, &f, 0)))
			return false;
	}
	for (i = n - 1; i >= 0; i--) {
		seen_frame(&f, seen_ours, 0x0a000000 + i);
		if (!seen_first(st, 1, &f, 0))
			kept++;
		else if (!VIPFO_EXPECT(i != n - 1))
			return false;
	}
	return VIPFO_EXPECT(kept <= VIPFO_SEEN_SLOTS) &&
	       VIPFO_EXPECT(kept >= VIPFO_SEEN_SLOTS / 2);
}

static enum vipfo_claim_sender __init seen_claim(struct seen_test *st,
						 const u8 *mac,
						 unsigned long t)
{
	enum vipfo_claim_sender sender;

	rcu_read_lock();
	sender = claim_sender(&st->vn, &st->group, &st->vip, mac, t);
	rcu_read_unlock();
	return sender;
}

static enum vipfo_claim_sender __init claim_other(struct seen_test *st,
						  unsigned int i,
						  unsigned long t)
{
	u8 mac[ETH_ALEN];

	seen_other_mac(mac, i);
	return seen_claim(st, mac, t);
}

/* Gives our device @mac. */
static int __init seen_dev_mac(struct seen_test *st, const u8 *mac)
{
	struct sockaddr sa = { .sa_family = st->dev->type };
	int err;

	memcpy(sa.sa_data, mac, ETH_ALEN);
	rtnl_lock();
	err = dev_set_mac_address(st->dev, &sa, NULL);
	rtnl_unlock();
	if (err)
		pr_err("seen self-tests: cannot set a MAC: %d\n", err);
	return err;
}

static bool __init claim_walk(struct seen_test *st)
{
	unsigned long t = 10 * HZ;

	return VIPFO_EXPECT(claim_other(st, 1, t) == VIPFO_SENDER_OTHER) &&
	       VIPFO_EXPECT(seen_claim(st, seen_ours, t) == VIPFO_SENDER_OURS);
}

/* An answer holds for a second, even when the MAC moves meanwhile. */
static bool __init claim_cached(struct seen_test *st)
{
	unsigned long t = 10 * HZ;
	bool ok;

	if (!VIPFO_EXPECT(seen_claim(st, seen_ours, t) == VIPFO_SENDER_OURS) ||
	    seen_dev_mac(st, seen_ours2))
		return false;
	ok = VIPFO_EXPECT(seen_claim(st, seen_ours, t + HZ - 1) ==
			  VIPFO_SENDER_OURS) &&
	     VIPFO_EXPECT(seen_claim(st, seen_ours, t + HZ) == VIPFO_SENDER_OTHER) &&
	     VIPFO_EXPECT(seen_claim(st, seen_ours2, t + HZ) == VIPFO_SENDER_OURS);
	return !seen_dev_mac(st, seen_ours) && ok;
}

/* VIPFO_CLAIM_CHECKS walks a second, and never a guess. */
static bool __init claim_limit(struct seen_test *st)
{
	unsigned long t = 10 * HZ;
	int i;

	for (i = 0; i < VIPFO_CLAIM_CHECKS; i++)
		if (!VIPFO_EXPECT(claim_other(st, i, t) == VIPFO_SENDER_OTHER))
			return false;
	return VIPFO_EXPECT(claim_other(st, i, t) == VIPFO_SENDER_UNCHECKED) &&
	       VIPFO_EXPECT(seen_claim(st, seen_ours, t + 1) ==
			    VIPFO_SENDER_UNCHECKED) &&
	       VIPFO_EXPECT(claim_other(st, i, t + HZ - 1) ==
			    VIPFO_SENDER_UNCHECKED) &&
	       VIPFO_EXPECT(claim_other(st, i, t + HZ) == VIPFO_SENDER_OTHER) &&
	       VIPFO_EXPECT(seen_claim(st, seen_ours, t + HZ) == VIPFO_SENDER_OURS);
}

/* A clock behind the second's start (read before another CPU started it). */
static bool __init claim_stale(struct seen_test *st)
{
	unsigned long t = 10 * HZ;
	int i;

	for (i = 0; i < VIPFO_CLAIM_CHECKS; i++)
		if (!VIPFO_EXPECT(claim_other(st, i, t) == VIPFO_SENDER_OTHER))
			return false;
	return VIPFO_EXPECT(claim_other(st, i, t - 1) ==
			    VIPFO_SENDER_UNCHECKED) &&
	       VIPFO_EXPECT(claim_other(st, i, t) == VIPFO_SENDER_UNCHECKED);
}

/*
 * Within a second of answering a conflict on the VIP, a claim is not
 * worth a walk (and takes none); an answer already known still holds.
 */
static bool __init claim_defended(struct seen_test *st)
{
	unsigned long t = 10 * HZ;
	int i;

	if (!VIPFO_EXPECT(claim_other(st, 1000, t) == VIPFO_SENDER_OTHER))
		return false;
	st->vip.defended = t;
	for (i = 0; i < 2 * VIPFO_CLAIM_CHECKS; i++)
		if (!VIPFO_EXPECT(claim_other(st, i, t) ==
				  VIPFO_SENDER_UNCHECKED))
			return false;
	if (!VIPFO_EXPECT(claim_other(st, 1000, t + HZ - 1) ==
			  VIPFO_SENDER_OTHER) ||
	    !VIPFO_EXPECT(seen_claim(st, seen_ours, t + HZ - 1) ==
			  VIPFO_SENDER_UNCHECKED))
		return false;
	/* Not defending: the second's walks are all there but the first. */
	st->vip.defended = t - HZ;
	for (i = 0; i < VIPFO_CLAIM_CHECKS - 1; i++)
		if (!VIPFO_EXPECT(claim_other(st, i, t) == VIPFO_SENDER_OTHER))
			return false;
	st->vip.defended = t;
	return VIPFO_EXPECT(seen_claim(st, seen_ours, t) ==
			    VIPFO_SENDER_UNCHECKED) &&
	       VIPFO_EXPECT(seen_claim(st, seen_ours, t + HZ) ==
			    VIPFO_SENDER_OURS);
}

/* The slot keeps 15 bits of jiffies: across their wrap, and the long's. */
static bool __init claim_wrap(struct seen_test *st)
{
	static const unsigned long times[] __initconst = {
		0x7ffe, 0xfffe, ULONG_MAX - 1,
	};
	bool ok = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(times) && ok; i++) {
		unsigned long t = times[i];

		memset(&st->group.claims, 0, sizeof(st->group.claims));
		st->vip.defended = t - HZ;
		if (!VIPFO_EXPECT(seen_claim(st, seen_ours, t) == VIPFO_SENDER_OURS) ||
		    seen_dev_mac(st, seen_ours2))
			return false;
		ok = VIPFO_EXPECT(seen_claim(st, seen_ours, t + 3) ==
				  VIPFO_SENDER_OURS) &&
		     VIPFO_EXPECT(seen_claim(st, seen_ours, t + HZ) ==
				  VIPFO_SENDER_OTHER);
		if (seen_dev_mac(st, seen_ours))
			return false;
	}
	return ok;
}

/*
 * Twice a second's walks within a second (in a window's last jiffy, then
 * in the next window): the cache answers for at most VIPFO_CLAIM_SLOTS of
 * the MACs, for the last one always, and never wrongly.
 */
static bool __init claim_bounds(struct seen_test *st)
{
	const int n = 2 * VIPFO_CLAIM_CHECKS - 1;
	unsigned long t = 10 * HZ, at;
	enum vipfo_claim_sender s;
	int i, kept = 0;

	if (!VIPFO_EXPECT(claim_other(st, 100, t) == VIPFO_SENDER_OTHER))
		return false;
	for (i = 0; i < n; i++) {
		at = i < VIPFO_CLAIM_CHECKS - 1 ? t + HZ - 1 : t + HZ;
		if (!VIPFO_EXPECT(claim_other(st, i, at) == VIPFO_SENDER_OTHER))
			return false;
	}
	/* No walk is left in this second: only the cache answers. */
	for (i = 0; i < n; i++) {
		s = claim_other(st, i, t + HZ);
		if (s == VIPFO_SENDER_OTHER)
			kept++;
		else if (!VIPFO_EXPECT(s == VIPFO_SENDER_UNCHECKED) ||
			 !VIPFO_EXPECT(i != n - 1))
			return false;
	}
	return VIPFO_EXPECT(kept <= VIPFO_CLAIM_SLOTS);
}

static const struct net_device_ops seen_netdev_ops = {
	.ndo_set_mac_address = eth_mac_addr,
};

static struct net_device *__init seen_dev_create(void)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(0, "vipfotest%d", NET_NAME_ENUM, ether_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->netdev_ops = &seen_netdev_ops;
	eth_hw_addr_set(dev, seen_ours);
	err = register_netdev(dev);
	if (err) {
		free_netdev(dev);
		return ERR_PTR(err);
	}
	return dev;
}

struct seen_case {
	const char *name;
	bool (*run)(struct seen_test *st);
};

/**
 * vipfo_seen_selftest() - Test the seen cache and the claim cache
 *
 * Description: Runs every test on empty caches, logs each that fails.
 * Registers a device in init_net for the time of the tests.
 *
 * Context: Process context (module load), before the module is in use;
 * takes RTNL.
 *
 * Return: true when all passed.
 */
bool __init vipfo_seen_selftest(void)
{
	static const struct seen_case tests[] __initconst = {
		{ "sibling", seen_sibling },
		{ "window", seen_window },
		{ "wrap", seen_wrap },
		{ "distinct", seen_distinct },
		{ "bounds", seen_bounds },
		{ "claim walk", claim_walk },
		{ "claim cached", claim_cached },
		{ "claim limit", claim_limit },
		{ "claim stale", claim_stale },
		{ "claim defended", claim_defended },
		{ "claim wrap", claim_wrap },
		{ "claim bounds", claim_bounds },
	};
	struct seen_test *st;
	bool ok = true;
	int i;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return false;
	st->dev = seen_dev_create();
	if (IS_ERR(st->dev)) {
		pr_err("seen self-tests: no device: %ld\n", PTR_ERR(st->dev));
		kfree(st);
		return false;
	}
	st->vn.net = &init_net;
	for (i = 0; i < ARRAY_SIZE(st->member); i++)
		st->member[i].id = i;
	st->member[2].id = VIPFO_MAX_MEMBERS - 1;
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		memset(&st->group.seen, 0, sizeof(st->group.seen));
		memset(&st->group.claims, 0, sizeof(st->group.claims));
		st->vip.defended = 0;
		if (!tests[i].run(st)) {
			pr_err("seen self-test %s: FAIL\n", tests[i].name);
			ok = false;
		}
	}
	unregister_netdev(st->dev);
	free_netdev(st->dev);
	kfree(st);
	if (ok)
		pr_info("seen self-tests: pass\n");
	return ok;
}
