// SPDX-License-Identifier: GPL-2.0
/*
 * The VIP table: one hash table per namespace maps an address to its VIP
 * (and so to its group) in constant time whatever the number of VIPs; each
 * group also lists its VIPs in insertion order for dumps and announcements.
 */

#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "group.h"
#include "net.h"
#include "vip.h"

static struct kmem_cache *vip_cache __read_mostly;
/* Frees graveyards: process context, so a million VIPs never free in softirq. */
static struct workqueue_struct *vip_free_wq __read_mostly;

/* A graveyard handed over to be freed after a grace period. */
struct vip_burial {
	struct rcu_work rwork;
	struct list_head *first;
};

static const struct rhashtable_params vip_params = {
	.key_len = sizeof(struct in6_addr),
	.key_offset = offsetof(struct vipfo_vip, addr),
	.head_offset = offsetof(struct vipfo_vip, node),
	.automatic_shrinking = true,
};

/**
 * vipfo_vip_table_init() - Set up a namespace's VIP table
 * @vn: the namespace's state
 *
 * 6.1's rhashtable allocates its buckets with GFP_KERNEL from its own
 * worker (GFP_ATOMIC when an insert must grow it at once): never charged
 * to a memory cgroup. They grow with the VIPs, which are, and which
 * max_vips caps.
 *
 * Context: Process context (namespace creation).
 * Return: 0, or a negative errno.
 */
int vipfo_vip_table_init(struct vipfo_net *vn)
{
	return rhashtable_init(&vn->vips, &vip_params);
}

/**
 * vipfo_vip_table_destroy() - Free a namespace's VIP table
 * @vn: the namespace's state
 *
 * Context: Process context (namespace exit), once every VIP has been
 * destroyed with its group and the packet path's readers are done.
 */
void vipfo_vip_table_destroy(struct vipfo_net *vn)
{
	WARN_ON(atomic_read(&vn->vips.nelems));
	rhashtable_destroy(&vn->vips);
}

/**
 * vipfo_vip_lookup() - Find a VIP by address
 * @vn: the namespace's state
 * @addr: the address; an IPv4 one in its IPv4-mapped form
 *
 * Context: RCU read-side critical section, or RTNL held.
 * Return: the VIP, or NULL. Under RCU only, it may be being destroyed:
 * it stays valid until rcu_read_unlock().
 */
struct vipfo_vip *vipfo_vip_lookup(struct vipfo_net *vn,
				   const struct in6_addr *addr)
{
	return rhashtable_lookup_fast(&vn->vips, addr, vip_params);
}

/**
 * vipfo_vip_lookup_v4() - Find an IPv4 VIP
 * @vn: the namespace's state
 * @addr: the IPv4 address
 *
 * Context: RCU read-side critical section, or RTNL held.
 * Return: the VIP, or NULL; as for vipfo_vip_lookup().
 */
struct vipfo_vip *vipfo_vip_lookup_v4(struct vipfo_net *vn, __be32 addr)
{
	struct in6_addr key;

	ipv6_addr_set_v4mapped(addr, &key);
	return vipfo_vip_lookup(vn, &key);
}

/**
 * vipfo_vip_create() - Add a VIP to a group
 * @group: the group
 * @addr: the address, in the namespace's table under no group yet
 *
 * The caller has checked the address and the namespace's limit. The VIP
 * goes to the end of the group's list, with a sequence number never used
 * before in the group.
 *
 * Context: RTNL held; may sleep.
 * Return: the VIP, or an ERR_PTR(): -ENOMEM, the hash table's error
 * (-EEXIST when the address is taken), or why the members could not join
 * its solicited-node group (ndisc_join.c).
 */
struct vipfo_vip *vipfo_vip_create(struct vipfo_group *group,
				   const struct in6_addr *addr)
{
	struct vipfo_vip *vip;
	int err;

	ASSERT_RTNL();
	vip = kmem_cache_zalloc(vip_cache, GFP_KERNEL);
	if (!vip)
		return ERR_PTR(-ENOMEM);
	vip->addr = *addr;
	vip->group = group;
	/* A conflict may be answered at once. */
	vip->defended = jiffies - HZ;

	/* Before readers can find it: nothing to take back from them. */
	err = vipfo_ndisc_join_vip(group, addr);
	if (err)
		goto err_free;
	err = rhashtable_lookup_insert_fast(&group->vn->vips, &vip->node,
					    vip_params);
	if (err)
		goto err_leave;
	/* Never reused: a VIP deleted and added again is a new one. */
	WRITE_ONCE(group->vip_seq, group->vip_seq + 1);
	vip->seq = group->vip_seq;
	list_add_tail_rcu(&vip->group_node, &group->vips);
	WRITE_ONCE(group->n_vips, group->n_vips + 1);
	group->vn->n_vips++;
	vipfo_net_changed(group->vn);
	return vip;

err_leave:
	vipfo_ndisc_leave_vip(group, addr);
err_free:
	kmem_cache_free(vip_cache, vip);
	return ERR_PTR(err);
}

/**
 * vipfo_vip_destroy() - Remove a VIP from its group and the namespace
 * @vip: the VIP
 * @graveyard: where it waits to be freed (vipfo_vip_graveyard_free())
 *
 * The packet path may still hold it until an RCU grace period has passed.
 *
 * Context: RTNL held.
 */
void vipfo_vip_destroy(struct vipfo_vip *vip,
		       struct vipfo_vip_graveyard *graveyard)
{
	struct vipfo_group *group = vip->group;

	ASSERT_RTNL();
	WARN_ON(rhashtable_remove_fast(&group->vn->vips, &vip->node,
				       vip_params));
	list_del_rcu(&vip->group_node);
	vipfo_ndisc_leave_vip(group, &vip->addr);
	WRITE_ONCE(group->n_vips, group->n_vips - 1);
	group->vn->n_vips--;
	vipfo_net_changed(group->vn);
	/* prev is the writer's once unlinked: readers only follow next. */
	vip->group_node.prev = graveyard->first;
	graveyard->first = &vip->group_node;
}

static void vip_free_chain(struct list_head *node)
{
	struct list_head *next;

	for (; node; node = next) {
		next = node->prev;
		kmem_cache_free(vip_cache,
				list_entry(node, struct vipfo_vip, group_node));
		cond_resched();
	}
}

static void vip_burial_work(struct work_struct *work)
{
	struct vip_burial *burial = container_of(to_rcu_work(work),
						 struct vip_burial, rwork);

	vip_free_chain(burial->first);
	kfree(burial);
}

/**
 * vipfo_vip_graveyard_free() - Free a graveyard's VIPs after a grace period
 * @graveyard: the VIPs vipfo_vip_destroy() removed; empty on return
 *
 * Without memory for the small record that waits for the grace period, it
 * waits here instead: once for the whole graveyard.
 *
 * Context: Process context; may sleep.
 */
void vipfo_vip_graveyard_free(struct vipfo_vip_graveyard *graveyard)
{
	struct vip_burial *burial;

	might_sleep();
	if (!graveyard->first)
		return;
	burial = kmalloc(sizeof(*burial), GFP_KERNEL);
	if (burial) {
		burial->first = graveyard->first;
		INIT_RCU_WORK(&burial->rwork, vip_burial_work);
		queue_rcu_work(vip_free_wq, &burial->rwork);
	} else {
		synchronize_rcu();
		vip_free_chain(graveyard->first);
	}
	graveyard->first = NULL;
}

/**
 * vipfo_vip_cache_init() - Create the slab cache of VIPs and their freer
 *
 * Description: Its objects are charged to the memory cgroup of whoever adds
 * them.
 *
 * Context: Process context (module load).
 * Return: 0, or -ENOMEM.
 */
int vipfo_vip_cache_init(void)
{
	/* The memory per VIP at a million VIPs depends on it. */
	BUILD_BUG_ON(sizeof(struct vipfo_vip) > 64);
	vip_cache = KMEM_CACHE(vipfo_vip, SLAB_ACCOUNT);
	if (!vip_cache)
		return -ENOMEM;
	vip_free_wq = alloc_workqueue("vipfo_vip_free", 0, 0);
	if (!vip_free_wq) {
		kmem_cache_destroy(vip_cache);
		return -ENOMEM;
	}
	return 0;
}

/**
 * vipfo_vip_cache_uninit() - Destroy the slab cache of VIPs
 *
 * Context: Process context (module unload or failed load), after
 * rcu_barrier(): every graveyard's grace period has ended and its work is
 * queued; destroying the workqueue runs them, so every VIP is back in the
 * cache before it goes.
 */
void vipfo_vip_cache_uninit(void)
{
	destroy_workqueue(vip_free_wq);
	kmem_cache_destroy(vip_cache);
}

#ifdef VIPFO_DEBUG
#include "selftest/vip.c"
#endif
