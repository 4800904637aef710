// SPDX-License-Identifier: GPL-2.0
/*
 * vipfo: every live adapter answers ARP for the virtual IPs with its own
 * MAC, and when one fails the survivors announce the VIPs at once.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "failover.h"
#include "limits.h"
#include "net.h"
#include "netlink.h"
#include "ratelimit.h"
#include "seen.h"
#include "vip.h"

#ifdef VIPFO_DEBUG
/* The data structures' own tests (selftest/), before anything uses them. */
static int __init vipfo_selftests(void)
{
	bool ok = vipfo_ratelimit_selftest();

	ok &= vipfo_seen_selftest();
	ok &= vipfo_vip_selftest();
	return ok ? 0 : -ENOTRECOVERABLE;
}
#else
static inline int vipfo_selftests(void)
{
	return 0;
}
#endif

/**
 * vipfo_init() - Load the module
 *
 * Description: Sets up the limits and the VIP cache, runs the self-tests
 * when built with VIPFO_DEBUG=1, sets up the per-namespace state and the
 * netdevice notifier, and registers the netlink family last, once
 * configuration can be taken.
 *
 * Context: Process context (module load).
 * Return: 0, or a negative errno with everything undone
 * (-ENOTRECOVERABLE: a self-test failed).
 */
static int __init vipfo_init(void)
{
	int err;

	/* Their parameters' memory goes with the module, whatever happens. */
	err = vipfo_limits_init();
	if (err)
		return err;
	err = vipfo_vip_cache_init();
	if (err)
		return err;
	err = vipfo_selftests();
	if (err)
		goto err_cache;
	err = vipfo_net_init();
	if (err)
		goto err_cache;
	err = vipfo_failover_init();
	if (err)
		goto err_net;
	/* Last: configuration can only arrive once everything is ready. */
	err = vipfo_netlink_init();
	if (err)
		goto err_failover;
	pr_info("version %s loaded\n", VIPFO_VERSION);
	return 0;

err_failover:
	vipfo_failover_uninit();
err_net:
	vipfo_net_uninit();
err_cache:
	rcu_barrier();
	vipfo_vip_cache_uninit();
	return err;
}

/**
 * vipfo_exit() - Unload the module
 *
 * Context: Process context (module unload). Takes RTNL; sleeps until the
 * RCU callbacks that free members, groups and VIPs have run.
 */
static void __exit vipfo_exit(void)
{
	/*
	 * No group, and none can be created, before the family goes: an
	 * event sent after it would go to a multicast group id that another
	 * family may have by then. Then no device events.
	 */
	vipfo_net_destroy_groups();
	vipfo_netlink_uninit();
	vipfo_failover_uninit();
	vipfo_net_uninit();
	/* Members, groups and VIPs are freed by RCU callbacks. */
	rcu_barrier();
	vipfo_vip_cache_uninit();
}

module_init(vipfo_init);
module_exit(vipfo_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual IP failover across several Ethernet adapters");
MODULE_AUTHOR("The vipfo developers");
MODULE_VERSION(VIPFO_VERSION);
MODULE_ALIAS_GENL_FAMILY(VIPFO_GENL_NAME);
