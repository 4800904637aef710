// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: created with the namespace, and torn down
 * with it (or at module unload) together with every group in it.
 */

#include <linux/rtnetlink.h>

#include "carrier.h"
#include "group.h"
#include "net.h"
#include "vip.h"

unsigned int vipfo_net_id __read_mostly;

static int __net_init vipfo_net_init_one(struct net *net)
{
	struct vipfo_net *vn = vipfo_net(net);

	vn->net = net;
	INIT_LIST_HEAD(&vn->groups);
	INIT_LIST_HEAD(&vn->members);
	vn->generation = 1;
	vipfo_carrier_poll_init(vn);
	return vipfo_vip_table_init(vn);
}

/*
 * The groups go first, while the namespace's devices still receive frames
 * (a veth whose peer lives on in another namespace): the ARP hook goes with
 * the last group, but a softirq may still be inside it, reading the VIP
 * table and this vipfo_net. The namespace core waits for RCU readers
 * between pre_exit and exit (cleanup_net() and the pernet unregistration
 * alike), so nothing a reader may hold is freed before they are done.
 */
static void __net_exit vipfo_net_pre_exit(struct net *net)
{
	rtnl_lock();
	vipfo_group_destroy_all(vipfo_net(net));
	rtnl_unlock();
}

static void __net_exit vipfo_net_exit(struct net *net)
{
	vipfo_carrier_poll_stop(vipfo_net(net));
	vipfo_vip_table_destroy(vipfo_net(net));
}

/* A device subsystem, so that our exit runs while the namespace's devices
 * still exist and we drop our references before they are unregistered.
 */
static struct pernet_operations vipfo_net_ops = {
	.init = vipfo_net_init_one,
	.pre_exit = vipfo_net_pre_exit,
	.exit = vipfo_net_exit,
	.id = &vipfo_net_id,
	.size = sizeof(struct vipfo_net),
};

/* Set under RTNL at module unload: no group may be created any more. */
static bool unloading;

/**
 * vipfo_net_unloading() - Whether the module is being unloaded
 *
 * Context: RTNL held.
 * Return: true once vipfo_net_destroy_groups() has begun: no group may be
 * created any more.
 */
bool vipfo_net_unloading(void)
{
	ASSERT_RTNL();
	return unloading;
}

/**
 * vipfo_net_destroy_groups() - Destroy every group of every namespace
 *
 * Description: At module unload, every group of every namespace goes before
 * the netdevice notifier does: unregistering a notifier replays a DOWN and
 * an UNREGISTER of every device to it, which members would take for real
 * failures and announce. When this returns, nothing that ran for a group
 * (hook, poll, announcement) still runs, so nothing sends an event.
 *
 * Context: Process context, RTNL not held: takes RTNL and net_rwsem, and
 * sleeps until namespaces being dismantled and the ARP hook's readers are
 * done.
 */
void vipfo_net_destroy_groups(void)
{
	struct net *net;

	rtnl_lock();
	unloading = true;
	down_read(&net_rwsem);
	for_each_net(net)
		vipfo_group_destroy_all(vipfo_net(net));
	up_read(&net_rwsem);
	rtnl_unlock();
	/* Namespaces being dismantled are no longer listed: their groups
	 * go in our pre_exit, which this waits for.
	 */
	net_ns_barrier();
	/* The ARP hook's last readers. */
	synchronize_net();
}

/**
 * vipfo_net_init() - Register the per-namespace state
 *
 * Description: Every namespace, existing or created later, gets its struct
 * vipfo_net.
 *
 * Context: Process context (module load).
 * Return: 0, or a negative errno.
 */
int vipfo_net_init(void)
{
	return register_pernet_device(&vipfo_net_ops);
}

/**
 * vipfo_net_uninit() - Unregister the per-namespace state
 *
 * Description: Destroys any group left, then every namespace's state.
 *
 * Context: Process context, RTNL not held (taken to destroy groups);
 * sleeps.
 */
void vipfo_net_uninit(void)
{
	unregister_pernet_device(&vipfo_net_ops);
}
