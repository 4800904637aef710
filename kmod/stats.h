/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU counters of a group or a member: the packet path of every CPU
 * bumps its own copy, readers add them up.
 */
#ifndef _VIPFO_STATS_H
#define _VIPFO_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/vipfo.h>

/* In the order of enum vipfo_stats_attr, from VIPFO_STATS_A_REQUESTS. */
enum vipfo_counter {
	VIPFO_REQUESTS,
	VIPFO_REPLIES,
	VIPFO_GARPS,
	VIPFO_FAILOVERS,
	VIPFO_TX_ERRORS,
	VIPFO_RATE_LIMITED,
	VIPFO_CONFLICTS,
	VIPFO_NAS,
	VIPFO_FAILOVERS_ADMIN_DOWN,	/* FAILOVERS again, by reason */
	VIPFO_FAILOVERS_CARRIER_LOSS,
	VIPFO_FAILOVERS_UNREGISTER,
	VIPFO_FAILOVERS_REMOVED,
	VIPFO_FAILOVERS_UNFIT,
	VIPFO_NR_COUNTERS
};

static_assert(VIPFO_STATS_A_REQUESTS + VIPFO_NR_COUNTERS - 1 ==
	      VIPFO_STATS_A_MAX);

struct vipfo_stats {
	u64_stats_t count[VIPFO_NR_COUNTERS];
	struct u64_stats_sync syncp;
};

/* Callable from any context: process (notifier, work) and softirq (hook). */
static inline void vipfo_stats_add(struct vipfo_stats __percpu *pcpu,
				   enum vipfo_counter counter,
				   unsigned long n)
{
	struct vipfo_stats *s = get_cpu_ptr(pcpu);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->count[counter], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(pcpu);
}

static inline void vipfo_stats_inc(struct vipfo_stats __percpu *pcpu,
				   enum vipfo_counter counter)
{
	vipfo_stats_add(pcpu, counter, 1);
}

/* Charged to the memory cgroup of the caller, as the group or member is. */
static inline struct vipfo_stats __percpu *vipfo_stats_alloc(void)
{
	struct vipfo_stats __percpu *stats;
	int cpu;

	stats = alloc_percpu_gfp(struct vipfo_stats, GFP_KERNEL_ACCOUNT);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

/* Sums every CPU's counters into sum[VIPFO_NR_COUNTERS]. */
static inline void vipfo_stats_read(struct vipfo_stats __percpu *pcpu,
				    u64 *sum)
{
	u64 snap[VIPFO_NR_COUNTERS];
	unsigned int start;
	int cpu, i;

	memset(sum, 0, sizeof(u64) * VIPFO_NR_COUNTERS);
	for_each_possible_cpu(cpu) {
		const struct vipfo_stats *s = per_cpu_ptr(pcpu, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < VIPFO_NR_COUNTERS; i++)
				snap[i] = u64_stats_read(&s->count[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < VIPFO_NR_COUNTERS; i++)
			sum[i] += snap[i];
	}
}

#endif /* _VIPFO_STATS_H */
