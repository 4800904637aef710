// SPDX-License-Identifier: GPL-2.0
/*
 * Limits per network namespace, as module parameters. A refusal names the
 * limit, its value and the parameter. 6.1's extack carries only a string
 * that outlives the request (NL_SET_ERR_MSG_FMT came later), so each value
 * a limit takes gets its message once, kept until the module goes: a
 * refusal reads value and message together, whatever root writes
 * meanwhile.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <uapi/linux/vipfo.h>

#include "limits.h"

#define MSG_SIZE	160

/* Writers hold the module's parameter lock (or load it). */
static int limit_publish(struct vipfo_limit *limit, unsigned int value)
{
	struct vipfo_limit_val *val;

	list_for_each_entry(val, &limit->vals, node)
		if (val->value == value)
			goto publish;
	val = kmalloc(struct_size(val, msg, MSG_SIZE), GFP_KERNEL);
	if (!val)
		return -ENOMEM;
	val->value = value;
	snprintf(val->msg, MSG_SIZE, "%s: %s is %u%s (vipfo module parameter)",
		 limit->what, limit->name, value, limit->unit);
	list_add(&val->node, &limit->vals);
publish:
	/* The message is complete before a refusal can find it. */
	smp_store_release(&limit->cur, val);
	return 0;
}

static int limit_set(const char *s, const struct kernel_param *kp)
{
	struct vipfo_limit *limit = kp->arg;
	unsigned int value;
	int err;

	err = kstrtouint(s, 0, &value);
	if (err)
		return err;
	if (value > limit->max)
		return -EINVAL;
	return limit_publish(limit, value);
}

static int limit_get(char *buf, const struct kernel_param *kp)
{
	struct vipfo_limit *limit = kp->arg;
	const struct vipfo_limit_val *val = vipfo_limit(limit);

	return scnprintf(buf, PAGE_SIZE, "%u\n", val ? val->value : limit->def);
}

/* At unload, or when loading failed: nothing can refuse any more. */
static void limit_free(void *arg)
{
	struct vipfo_limit *limit = arg;
	struct vipfo_limit_val *val, *tmp;

	limit->cur = NULL;
	list_for_each_entry_safe(val, tmp, &limit->vals, node)
		kfree(val);
	INIT_LIST_HEAD(&limit->vals);
}

static const struct kernel_param_ops limit_ops = {
	.set = limit_set,
	.get = limit_get,
	.free = limit_free,
};

struct vipfo_limit vipfo_max_groups = {
	.name = "max_groups",
	.what = "too many groups in this network namespace",
	.unit = "",
	.def = 4096,
	.max = UINT_MAX,
	.vals = LIST_HEAD_INIT(vipfo_max_groups.vals),
};
module_param_cb(max_groups, &limit_ops, &vipfo_max_groups, 0644);
MODULE_PARM_DESC(max_groups, "Most groups in one network namespace (default 4096)");

/* A million VIPs in one namespace is a goal. */
struct vipfo_limit vipfo_max_vips = {
	.name = "max_vips",
	.what = "too many VIPs in this network namespace",
	.unit = "",
	.def = 1048576,
	.max = UINT_MAX,
	.vals = LIST_HEAD_INIT(vipfo_max_vips.vals),
};
module_param_cb(max_vips, &limit_ops, &vipfo_max_vips, 0644);
MODULE_PARM_DESC(max_vips, "Most VIPs in one network namespace (default 1048576)");

struct vipfo_limit vipfo_carrier_poll_min = {
	.name = "carrier_poll_min",
	.what = "carrier poll too short for a namespace not owned by the initial user namespace",
	.unit = " ms",
	.def = 10,
	.max = VIPFO_CARRIER_POLL_MAX,
	.vals = LIST_HEAD_INIT(vipfo_carrier_poll_min.vals),
};
module_param_cb(carrier_poll_min, &limit_ops, &vipfo_carrier_poll_min, 0644);
MODULE_PARM_DESC(carrier_poll_min,
		 "Shortest carrier poll (ms) in namespaces of other user namespaces (0-"
		 __stringify(VIPFO_CARRIER_POLL_MAX) ", default 10)");

/**
 * vipfo_limit_refuse() - Refuse a request with a limit's message
 * @extack: the request's extack, or NULL
 * @attr: the attribute that asked for too much
 * @val: the limit's value, as vipfo_limit() returned it
 *
 * The message is @val's own, which lives until the module goes, so it
 * names the value that was checked even if root changes the limit now.
 *
 * Context: Any context.
 */
void vipfo_limit_refuse(struct netlink_ext_ack *extack,
			const struct nlattr *attr,
			const struct vipfo_limit_val *val)
{
	do_trace_netlink_extack(val->msg);
	if (extack) {
		extack->_msg = val->msg;
		extack->bad_attr = attr;
		extack->policy = NULL;
	}
}

/**
 * vipfo_limits_init() - Give the limits that no parameter set their default
 *
 * Context: Process context (module load); takes the module's parameter
 * lock.
 * Return: 0, or -ENOMEM.
 */
int vipfo_limits_init(void)
{
	struct vipfo_limit *limits[] = {
		&vipfo_max_groups, &vipfo_max_vips, &vipfo_carrier_poll_min,
	};
	unsigned int i;
	int err = 0;

	kernel_param_lock(THIS_MODULE);
	for (i = 0; i < ARRAY_SIZE(limits) && !err; i++)
		if (!limits[i]->cur)
			err = limit_publish(limits[i], limits[i]->def);
	kernel_param_unlock(THIS_MODULE);
	return err;
}
