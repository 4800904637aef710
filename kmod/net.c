// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: created with the namespace, and torn down
 * with it (or at module unload) together with every group in it.
 */

#include <linux/rtnetlink.h>

#include "failover.h"
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

static void __net_exit vipfo_net_exit_batch(struct list_head *net_list)
{
	struct net *net;

	rtnl_lock();
	list_for_each_entry(net, net_list, exit_list)
		vipfo_group_destroy_all(vipfo_net(net));
	rtnl_unlock();

	list_for_each_entry(net, net_list, exit_list) {
		vipfo_carrier_poll_stop(vipfo_net(net));
		vipfo_vip_table_destroy(vipfo_net(net));
	}
}

/* A device subsystem, so that our exit runs while the namespace's devices
 * still exist and we drop our references before they are unregistered.
 */
static struct pernet_operations vipfo_net_ops = {
	.init = vipfo_net_init_one,
	.exit_batch = vipfo_net_exit_batch,
	.id = &vipfo_net_id,
	.size = sizeof(struct vipfo_net),
};

/*
 * At module unload, every group of every namespace goes before the
 * netdevice notifier does: unregistering a notifier replays a DOWN and an
 * UNREGISTER of every device to it, which members would take for real
 * failures and announce.
 */
void vipfo_net_destroy_groups(void)
{
	struct net *net;

	rtnl_lock();
	down_read(&net_rwsem);
	for_each_net(net)
		vipfo_group_destroy_all(vipfo_net(net));
	up_read(&net_rwsem);
	rtnl_unlock();
}

int vipfo_net_init(void)
{
	return register_pernet_device(&vipfo_net_ops);
}

void vipfo_net_uninit(void)
{
	unregister_pernet_device(&vipfo_net_ops);
}
