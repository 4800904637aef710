// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the VIP table, included at the end of vip.c: a namespace
 * of their own with two groups, and nothing else of vipfo.
 */

#include <linux/mm.h>

#include "selftest.h"

#define VIP_TEST_MANY	4096

struct vip_test {
	struct vipfo_net vn;
	struct vipfo_group group[2];
	struct vipfo_vip **vips;	/* vip_many(), by index */
	struct vipfo_vip_graveyard graveyard;
};

static void __init vip_v4(struct in6_addr *addr, u32 ip)
{
	ipv6_addr_set_v4mapped(htonl(ip), addr);
}

/* 2001:db8::@i */
static void __init vip_v6(struct in6_addr *addr, u32 i)
{
	ipv6_addr_set(addr, htonl(0x20010db8), 0, 0, htonl(i));
}

static unsigned int __init vip_table_size(struct vip_test *vt)
{
	unsigned int size;

	rcu_read_lock();
	size = rcu_dereference(vt->vn.vips.tbl)->size;
	rcu_read_unlock();
	return size;
}

/* The group's list: its VIPs only, in the order they were added. */
static bool __init vip_list_ok(struct vipfo_group *g)
{
	struct vipfo_vip *vip;
	unsigned int n = 0;
	u64 seq = 0;

	list_for_each_entry(vip, &g->vips, group_node) {
		if (!VIPFO_EXPECT(vip->group == g) ||
		    !VIPFO_EXPECT(vip->seq > seq))
			return false;
		seq = vip->seq;
		n++;
	}
	return VIPFO_EXPECT(n == g->n_vips);
}

static bool __init vip_add_lookup(struct vip_test *vt)
{
	struct vipfo_group *g = &vt->group[0];
	struct in6_addr a4, a6, other;
	struct vipfo_vip *v4, *v6;
	u32 gen = vt->vn.generation;

	vip_v4(&a4, 0xc000020a);
	vip_v6(&a6, 0x0a);
	v4 = vipfo_vip_create(g, &a4);
	if (!VIPFO_EXPECT(!IS_ERR(v4)))
		return false;
	if (!VIPFO_EXPECT(vt->vn.generation != gen))
		return false;
	v6 = vipfo_vip_create(g, &a6);
	if (!VIPFO_EXPECT(!IS_ERR(v6)))
		return false;
	vip_v4(&other, 0xc000020b);
	return VIPFO_EXPECT(vipfo_vip_lookup(&vt->vn, &a4) == v4) &&
	       VIPFO_EXPECT(vipfo_vip_lookup_v4(&vt->vn, htonl(0xc000020a)) ==
			    v4) &&
	       VIPFO_EXPECT(vipfo_vip_lookup(&vt->vn, &a6) == v6) &&
	       VIPFO_EXPECT(!vipfo_vip_lookup(&vt->vn, &other)) &&
	       VIPFO_EXPECT(!vipfo_vip_lookup_v4(&vt->vn, htonl(0x0a))) &&
	       VIPFO_EXPECT(vipfo_vip_is_v4(v4) && !vipfo_vip_is_v4(v6)) &&
	       VIPFO_EXPECT(vipfo_vip_v4(v4) == htonl(0xc000020a)) &&
	       VIPFO_EXPECT(v4->group == g && v6->group == g) &&
	       VIPFO_EXPECT(g->n_vips == 2 && vt->vn.n_vips == 2) &&
	       VIPFO_EXPECT(list_first_entry(&g->vips, struct vipfo_vip,
					     group_node) == v4) &&
	       vip_list_ok(g);
}

/* An address is in one group at most, and once. */
static bool __init vip_duplicate(struct vip_test *vt)
{
	struct vipfo_group *g0 = &vt->group[0], *g1 = &vt->group[1];
	struct vipfo_vip *vip, *dup;
	struct in6_addr a;

	vip_v4(&a, 0xc000020a);
	vip = vipfo_vip_create(g0, &a);
	if (!VIPFO_EXPECT(!IS_ERR(vip)))
		return false;
	dup = vipfo_vip_create(g0, &a);
	if (!VIPFO_EXPECT(PTR_ERR(dup) == -EEXIST))
		return false;
	dup = vipfo_vip_create(g1, &a);
	return VIPFO_EXPECT(PTR_ERR(dup) == -EEXIST) &&
	       VIPFO_EXPECT(vipfo_vip_lookup(&vt->vn, &a) == vip) &&
	       VIPFO_EXPECT(g0->n_vips == 1 && g1->n_vips == 0) &&
	       VIPFO_EXPECT(vt->vn.n_vips == 1 && list_empty(&g1->vips)) &&
	       vip_list_ok(g0);
}

/* Deleted, it is gone; added again, it is a new VIP, last in the list. */
static bool __init vip_delete(struct vip_test *vt)
{
	struct vipfo_group *g = &vt->group[0];
	struct vipfo_vip *va, *vb;
	struct in6_addr a, b;

	vip_v4(&a, 0xc000020a);
	vip_v6(&b, 0x0b);
	va = vipfo_vip_create(g, &a);
	vb = vipfo_vip_create(g, &b);
	if (!VIPFO_EXPECT(!IS_ERR(va) && !IS_ERR(vb)))
		return false;
	vipfo_vip_destroy(va, &vt->graveyard);
	if (!VIPFO_EXPECT(!vipfo_vip_lookup(&vt->vn, &a)) ||
	    !VIPFO_EXPECT(vipfo_vip_lookup(&vt->vn, &b) == vb) ||
	    !VIPFO_EXPECT(g->n_vips == 1 && vt->vn.n_vips == 1) ||
	    !vip_list_ok(g))
		return false;
	va = vipfo_vip_create(g, &a);
	return VIPFO_EXPECT(!IS_ERR(va)) &&
	       VIPFO_EXPECT(vipfo_vip_lookup(&vt->vn, &a) == va) &&
	       VIPFO_EXPECT(va->seq > vb->seq) &&
	       VIPFO_EXPECT(list_last_entry(&g->vips, struct vipfo_vip,
					    group_node) == va) &&
	       vip_list_ok(g);
}

/* A VIP destroyed waits in the graveyard, once, until it is freed. */
static bool __init vip_graveyard(struct vip_test *vt)
{
	struct vipfo_group *g = &vt->group[0];
	struct vipfo_vip *v[3];
	struct list_head *node;
	struct in6_addr a;
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		vip_v4(&a, 0xc0000214 + i);
		v[i] = vipfo_vip_create(g, &a);
		if (!VIPFO_EXPECT(!IS_ERR(v[i])))
			return false;
	}
	for (i = 0; i < ARRAY_SIZE(v); i++)
		vipfo_vip_destroy(v[i], &vt->graveyard);
	/* The last one destroyed first. */
	for (node = vt->graveyard.first; node; node = node->prev, n++)
		if (!VIPFO_EXPECT(n < ARRAY_SIZE(v) &&
				  node == &v[ARRAY_SIZE(v) - 1 - n]->group_node))
			return false;
	if (!VIPFO_EXPECT(n == ARRAY_SIZE(v)) ||
	    !VIPFO_EXPECT(list_empty(&g->vips) && !g->n_vips))
		return false;
	vipfo_vip_graveyard_free(&vt->graveyard);
	return VIPFO_EXPECT(!vt->graveyard.first);
}

static void __init vip_many_addr(struct in6_addr *addr, int i)
{
	if (i & 1)
		vip_v6(addr, i);
	else
		vip_v4(addr, 0x0a000000 + i);
}

/* Every VIP from 0 to @n - 1 is found, except those deleted (NULL). */
static bool __init vip_many_found(struct vip_test *vt, int n)
{
	struct in6_addr addr;
	int i;

	for (i = 0; i < n; i++) {
		vip_many_addr(&addr, i);
		if (!VIPFO_EXPECT(vipfo_vip_lookup(&vt->vn, &addr) ==
				  vt->vips[i]))
			return false;
	}
	return true;
}

/*
 * Enough VIPs, IPv4 and IPv6, in both groups, to make the hash table grow
 * many times: every VIP is found while it grows, and after every third
 * is deleted.
 */
static bool __init vip_many(struct vip_test *vt)
{
	unsigned int size = vip_table_size(vt);
	struct in6_addr addr;
	int i;

	for (i = 0; i < VIP_TEST_MANY; i++) {
		vip_many_addr(&addr, i);
		vt->vips[i] = vipfo_vip_create(&vt->group[i & 1], &addr);
		if (!VIPFO_EXPECT(!IS_ERR(vt->vips[i]))) {
			vt->vips[i] = NULL;
			return false;
		}
		if (i % 512 == 511 && !vip_many_found(vt, i + 1))
			return false;
	}
	/* The growth that insertions left to the table's work. */
	flush_work(&vt->vn.vips.run_work);
	if (!VIPFO_EXPECT(vip_table_size(vt) > size) ||
	    !VIPFO_EXPECT(vt->vn.n_vips == VIP_TEST_MANY) ||
	    !VIPFO_EXPECT(vt->group[0].n_vips == VIP_TEST_MANY / 2) ||
	    !vip_list_ok(&vt->group[0]) || !vip_list_ok(&vt->group[1]))
		return false;
	for (i = 0; i < VIP_TEST_MANY; i += 3) {
		vipfo_vip_destroy(vt->vips[i], &vt->graveyard);
		vt->vips[i] = NULL;
	}
	return vip_many_found(vt, VIP_TEST_MANY) &&
	       VIPFO_EXPECT(vt->vn.n_vips ==
			    VIP_TEST_MANY - DIV_ROUND_UP(VIP_TEST_MANY, 3)) &&
	       VIPFO_EXPECT(atomic_read(&vt->vn.vips.nelems) ==
			    vt->vn.n_vips) &&
	       vip_list_ok(&vt->group[0]) && vip_list_ok(&vt->group[1]);
}

static void __init vip_test_clear(struct vip_test *vt)
{
	struct vipfo_vip *vip, *tmp;
	int i;

	for (i = 0; i < ARRAY_SIZE(vt->group); i++)
		list_for_each_entry_safe(vip, tmp, &vt->group[i].vips,
					 group_node)
			vipfo_vip_destroy(vip, &vt->graveyard);
	vipfo_vip_graveyard_free(&vt->graveyard);
}

struct vip_case {
	const char *name;
	bool (*run)(struct vip_test *vt);
};

/**
 * vipfo_vip_selftest() - Test the VIP table
 *
 * Description: Runs every test on an empty table of its own, logs each
 * that fails. Needs vipfo_vip_cache_init(); the VIPs it deletes are freed
 * after an RCU grace period, by the VIP freeing workqueue.
 *
 * Context: Process context (module load), before the module is in use;
 * takes RTNL.
 *
 * Return: true when all passed.
 */
bool __init vipfo_vip_selftest(void)
{
	static const struct vip_case tests[] __initconst = {
		{ "add", vip_add_lookup },
		{ "duplicate", vip_duplicate },
		{ "delete", vip_delete },
		{ "graveyard", vip_graveyard },
		{ "many", vip_many },
	};
	struct vip_test *vt;
	bool ok = true;
	int i, err;

	vt = kzalloc(sizeof(*vt), GFP_KERNEL);
	if (!vt)
		goto err;
	vt->vips = kvcalloc(VIP_TEST_MANY, sizeof(*vt->vips), GFP_KERNEL);
	if (!vt->vips)
		goto err_free;
	err = vipfo_vip_table_init(&vt->vn);
	if (err)
		goto err_free_vips;
	/* Groups without members: no device joins an IPv6 VIP's group. */
	for (i = 0; i < ARRAY_SIZE(vt->group); i++) {
		vt->group[i].vn = &vt->vn;
		INIT_LIST_HEAD(&vt->group[i].vips);
		INIT_LIST_HEAD(&vt->group[i].members);
		vipfo_ndisc_joins_init(&vt->group[i]);
	}

	rtnl_lock();
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!tests[i].run(vt)) {
			pr_err("vip self-test %s: FAIL\n", tests[i].name);
			ok = false;
		}
		vip_test_clear(vt);
		ok &= VIPFO_EXPECT(!vt->vn.n_vips &&
				   !atomic_read(&vt->vn.vips.nelems));
	}
	rtnl_unlock();

	vipfo_vip_table_destroy(&vt->vn);
	kvfree(vt->vips);
	kfree(vt);
	if (ok)
		pr_info("vip self-tests: pass\n");
	return ok;

err_free_vips:
	kvfree(vt->vips);
err_free:
	kfree(vt);
err:
	pr_err("vip self-tests: cannot set up\n");
	return false;
}
