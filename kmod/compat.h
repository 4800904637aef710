/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels vipfo builds for, 6.1 and 6.12: one
 * shim per change, named by the release that made it. Nothing else in
 * kmod/ looks at LINUX_VERSION_CODE.
 */
#ifndef _VIPFO_COMPAT_H
#define _VIPFO_COMPAT_H

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/version.h>
#include <net/genetlink.h>

/*
 * 6.2 split genetlink's ops: pre_doit gets the genl_split_ops of the
 * request (with its internal_flags), and a dump's parsed attributes are
 * in its genl_info.
 */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
#define vipfo_genl_doit_ops	genl_split_ops

static inline struct nlattr **
vipfo_dumpit_attrs(const struct genl_dumpit_info *info)
{
	return info->info.attrs;
}
#else
#define vipfo_genl_doit_ops	genl_ops

static inline struct nlattr **
vipfo_dumpit_attrs(const struct genl_dumpit_info *info)
{
	return info->attrs;
}
#endif

/*
 * 6.10 removed dev_base_lock: dev->operstate is written under RTNL with
 * WRITE_ONCE() alone, as linkwatch does. Before, its writers took the lock.
 *
 * Context: RTNL held.
 */
static inline void vipfo_set_operstate(struct net_device *dev, u8 operstate)
{
	ASSERT_RTNL();
#if KERNEL_VERSION(6, 10, 0) <= LINUX_VERSION_CODE
	WRITE_ONCE(dev->operstate, operstate);
#else
	write_lock(&dev_base_lock);
	WRITE_ONCE(dev->operstate, operstate);
	write_unlock(&dev_base_lock);
#endif
}

#endif
