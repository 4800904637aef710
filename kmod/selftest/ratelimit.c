// SPDX-License-Identifier: GPL-2.0
/*
 * Self-tests of the reply budget, included at the end of ratelimit.c.
 * They set the clock through ratelimit_spend() and ratelimit_reset(), so
 * a second passes without sleeping.
 */

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "selftest.h"

static void __init rl_set(struct vipfo_group *g, u32 rate, unsigned long now)
{
	g->reply_rate = rate;
	ratelimit_reset(g, now);
}

/* No limit: rate 0. A call for no frame costs nothing. */
static bool __init rl_unlimited(struct vipfo_group *g)
{
	int i;

	rl_set(g, 0, 0);
	for (i = 0; i < 3; i++)
		if (!VIPFO_EXPECT(ratelimit_spend(g, UINT_MAX, 0)))
			return false;
	rl_set(g, 1, 0);
	return VIPFO_EXPECT(ratelimit_spend(g, VIPFO_MAX_MEMBERS, 0)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, 0)) &&
	       VIPFO_EXPECT(ratelimit_spend(g, 0, 0));
}

/* A full budget is one second's worth; a refusal takes nothing. */
static bool __init rl_burst(struct vipfo_group *g)
{
	unsigned long t = 12345;
	int i;

	rl_set(g, 1000, t);
	for (i = 0; i < 999; i++)
		if (!VIPFO_EXPECT(ratelimit_spend(g, 1, t)))
			return false;
	if (!VIPFO_EXPECT(!ratelimit_spend(g, 2, t)) ||
	    !VIPFO_EXPECT(ratelimit_spend(g, 1, t)) ||
	    !VIPFO_EXPECT(!ratelimit_spend(g, 1, t)))
		return false;
	rl_set(g, 1000, t);
	return VIPFO_EXPECT(!ratelimit_spend(g, 1001, t)) &&
	       VIPFO_EXPECT(ratelimit_spend(g, 1000, t)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, t));
}

/* However low the rate, a full budget pays for a reply from every member. */
static bool __init rl_minimum(struct vipfo_group *g)
{
	static const u32 rates[] __initconst = {
		1, VIPFO_MAX_MEMBERS - 1, VIPFO_MAX_MEMBERS,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(rates); i++) {
		rl_set(g, rates[i], 0);
		if (!VIPFO_EXPECT(!ratelimit_spend(g, VIPFO_MAX_MEMBERS + 1, 0)) ||
		    !VIPFO_EXPECT(ratelimit_spend(g, VIPFO_MAX_MEMBERS, 0)) ||
		    !VIPFO_EXPECT(!ratelimit_spend(g, 1, 0)))
			return false;
	}
	rl_set(g, VIPFO_MAX_MEMBERS + 1, 0);
	return VIPFO_EXPECT(ratelimit_spend(g, VIPFO_MAX_MEMBERS + 1, 0)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, 0));
}

/* At HZ frames a second, every jiffy pays for one frame, and only one. */
static bool __init rl_refill(struct vipfo_group *g)
{
	unsigned long t = 1000;

	rl_set(g, HZ, t);
	return VIPFO_EXPECT(ratelimit_spend(g, max(HZ, VIPFO_MAX_MEMBERS), t)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, t)) &&
	       VIPFO_EXPECT(ratelimit_spend(g, 1, t + 1)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, t + 1)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 4, t + 4)) &&
	       VIPFO_EXPECT(ratelimit_spend(g, 3, t + 4)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, t + 4));
}

/*
 * At one frame a second, a jiffy adds 1/HZ of a frame: the fractions add
 * up without rounding, a second pays for exactly one frame, 15 s idle for
 * 15.
 */
static bool __init rl_slow(struct vipfo_group *g)
{
	unsigned long t = 0, j;

	rl_set(g, 1, t);
	if (!VIPFO_EXPECT(ratelimit_spend(g, VIPFO_MAX_MEMBERS, t)))
		return false;
	for (j = 1; j < HZ; j++)
		if (!VIPFO_EXPECT(!ratelimit_spend(g, 1, t + j)))
			return false;
	if (!VIPFO_EXPECT(ratelimit_spend(g, 1, t + HZ)) ||
	    !VIPFO_EXPECT(!ratelimit_spend(g, 1, t + HZ)))
		return false;
	t += 16 * HZ;
	return VIPFO_EXPECT(!ratelimit_spend(g, 16, t)) &&
	       VIPFO_EXPECT(ratelimit_spend(g, 15, t)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, t));
}

/* However long the budget was idle, it holds one second's worth. */
static bool __init rl_cap(struct vipfo_group *g)
{
	const u32 rate = VIPFO_REPLY_RATE_MAX;
	unsigned long t = 77;

	rl_set(g, rate, t);
	if (!VIPFO_EXPECT(ratelimit_spend(g, rate, t)) ||
	    !VIPFO_EXPECT(!ratelimit_spend(g, 1, t)))
		return false;
	t += LONG_MAX;
	if (!VIPFO_EXPECT(!ratelimit_spend(g, rate + 1, t)) ||
	    !VIPFO_EXPECT(ratelimit_spend(g, rate, t)) ||
	    !VIPFO_EXPECT(!ratelimit_spend(g, 1, t)))
		return false;
	rl_set(g, 1, t);
	t += 1000 * HZ;
	return VIPFO_EXPECT(ratelimit_spend(g, VIPFO_MAX_MEMBERS, t)) &&
	       VIPFO_EXPECT(ratelimit_spend(g, VIPFO_MAX_MEMBERS, t + 1000 * HZ)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, t + 1000 * HZ));
}

/* Refills across the wrap of jiffies. */
static bool __init rl_wrap(struct vipfo_group *g)
{
	unsigned long t = ULONG_MAX - 2;

	rl_set(g, HZ, t);
	return VIPFO_EXPECT(ratelimit_spend(g, max(HZ, VIPFO_MAX_MEMBERS), t)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 6, t + 5)) &&
	       VIPFO_EXPECT(ratelimit_spend(g, 5, t + 5)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, t + 5));
}

/*
 * A clock behind the stamp (read before another CPU refilled) refills
 * nothing, not even across the wrap.
 */
static bool __init rl_stale(struct vipfo_group *g)
{
	static const unsigned long times[] __initconst = { 100, 2 };
	int i;

	for (i = 0; i < ARRAY_SIZE(times); i++) {
		unsigned long t = times[i] - HZ;

		rl_set(g, HZ, t);
		if (!VIPFO_EXPECT(ratelimit_spend(g, max(HZ, VIPFO_MAX_MEMBERS),
						  t)) ||
		    !VIPFO_EXPECT(ratelimit_spend(g, 5, t + 5)) ||
		    !VIPFO_EXPECT(!ratelimit_spend(g, 1, t + 4)) ||
		    !VIPFO_EXPECT(!ratelimit_spend(g, 1, t + 5)) ||
		    !VIPFO_EXPECT(ratelimit_spend(g, 1, t + 6)))
			return false;
	}
	return true;
}

/* A reset fills the budget, to the new rate's worth. */
static bool __init rl_reset(struct vipfo_group *g)
{
	unsigned long t = 5;

	rl_set(g, 100, t);
	if (!VIPFO_EXPECT(ratelimit_spend(g, 100, t)) ||
	    !VIPFO_EXPECT(!ratelimit_spend(g, 1, t)))
		return false;
	ratelimit_reset(g, t);
	if (!VIPFO_EXPECT(ratelimit_spend(g, 100, t)) ||
	    !VIPFO_EXPECT(!ratelimit_spend(g, 1, t)))
		return false;
	rl_set(g, 200, t);
	return VIPFO_EXPECT(ratelimit_spend(g, 200, t)) &&
	       VIPFO_EXPECT(!ratelimit_spend(g, 1, t));
}

#define RL_RACE_JIFFIES	256
#define RL_RACE_FRAMES	64	/* a jiffy's worth */

static struct {
	struct vipfo_group *group;
	unsigned long start;
	atomic_t arrived;
	atomic_t granted;
} rl_race_ctx __initdata;

/* Every CPU, in step: the jiffy changes when all have drained it. */
static void __init rl_race_work(struct work_struct *work)
{
	int cpus = num_online_cpus();
	unsigned long deadline = jiffies + 10 * HZ, t;

	for (t = 1; t <= RL_RACE_JIFFIES; t++) {
		atomic_inc(&rl_race_ctx.arrived);
		while (atomic_read(&rl_race_ctx.arrived) < cpus * (int)t &&
		       time_before(jiffies, deadline))
			cpu_relax();
		while (ratelimit_spend(rl_race_ctx.group, 1,
				       rl_race_ctx.start + t))
			atomic_inc(&rl_race_ctx.granted);
	}
}

/*
 * Every CPU drains an empty budget at each of RL_RACE_JIFFIES new jiffies,
 * RL_RACE_FRAMES' worth each: every jiffy refills it once, whichever CPU
 * sees it first, and no frame is granted twice.
 */
static bool __init rl_race(struct vipfo_group *g)
{
	const u32 rate = RL_RACE_FRAMES * HZ;
	unsigned long t = 42;
	struct work_struct *works;
	int cpu, granted;

	rl_set(g, rate, t);
	if (!VIPFO_EXPECT(ratelimit_spend(g, rate, t)))
		return false;
	works = kcalloc(nr_cpu_ids, sizeof(*works), GFP_KERNEL);
	if (!VIPFO_EXPECT(works))
		return false;
	rl_race_ctx.group = g;
	rl_race_ctx.start = t;
	atomic_set(&rl_race_ctx.arrived, 0);
	atomic_set(&rl_race_ctx.granted, 0);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		INIT_WORK(&works[cpu], rl_race_work);
		queue_work_on(cpu, system_highpri_wq, &works[cpu]);
	}
	for_each_online_cpu(cpu)
		flush_work(&works[cpu]);
	cpus_read_unlock();
	kfree(works);
	granted = atomic_read(&rl_race_ctx.granted);
	if (granted != RL_RACE_FRAMES * RL_RACE_JIFFIES)
		pr_err("ratelimit race: %d frames granted, %d paid for\n",
		       granted, RL_RACE_FRAMES * RL_RACE_JIFFIES);
	return VIPFO_EXPECT(granted == RL_RACE_FRAMES * RL_RACE_JIFFIES);
}

/* The exported pair, on the real clock. */
static bool __init rl_jiffies(struct vipfo_group *g)
{
	unsigned long start = jiffies;

	g->reply_rate = 1;
	vipfo_ratelimit_reset(g);
	if (!VIPFO_EXPECT(vipfo_ratelimit_spend(g, VIPFO_MAX_MEMBERS)))
		return false;
	/* A second later, it may pay for one more. */
	return VIPFO_EXPECT(!vipfo_ratelimit_spend(g, 1) ||
			    time_after_eq(jiffies, start + HZ));
}

struct rl_test {
	const char *name;
	bool (*run)(struct vipfo_group *g);
};

/**
 * vipfo_ratelimit_selftest() - Test the reply budget
 *
 * Description: Runs every test on a group of its own, logs each that
 * fails.
 *
 * Context: Process context (module load), before the module is in use.
 *
 * Return: true when all passed.
 */
bool __init vipfo_ratelimit_selftest(void)
{
	static const struct rl_test tests[] __initconst = {
		{ "unlimited", rl_unlimited },
		{ "burst", rl_burst },
		{ "minimum", rl_minimum },
		{ "refill", rl_refill },
		{ "slow", rl_slow },
		{ "cap", rl_cap },
		{ "wrap", rl_wrap },
		{ "stale", rl_stale },
		{ "reset", rl_reset },
		{ "race", rl_race },
		{ "jiffies", rl_jiffies },
	};
	struct vipfo_group *g;
	bool ok = true;
	int i;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return false;
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!tests[i].run(g)) {
			pr_err("ratelimit self-test %s: FAIL\n", tests[i].name);
			ok = false;
		}
	}
	kfree(g);
	if (ok)
		pr_info("ratelimit self-tests: pass\n");
	return ok;
}
