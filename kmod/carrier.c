// SPDX-License-Identifier: GPL-2.0
/*
 * The carrier poll and the early link report: beside the netdevice
 * notifier, a second way to see a failure, for carrier losses the kernel
 * would report late (see carrier_poll()). What it sees goes to the
 * failover policy (failover.c).
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/user_namespace.h>

#include "carrier.h"
#include "compat.h"
#include "failover.h"
#include "group.h"
#include "limits.h"
#include "net.h"

/**
 * vipfo_carrier_poll_floor() - The shortest carrier poll of a namespace
 * @vn: the namespace's state
 *
 * Namespaces of the initial user namespace have no floor; the others poll
 * no faster than carrier_poll_min.
 *
 * Context: Any context.
 * Return: carrier_poll_min's value now, or NULL: no floor.
 */
const struct vipfo_limit_val *
vipfo_carrier_poll_floor(const struct vipfo_net *vn)
{
	if (vn->net->user_ns == &init_user_ns)
		return NULL;
	return vipfo_limit(&vipfo_carrier_poll_min);
}

/* An interval of @ms, or the floor if carrier_poll_min was raised since. */
static u32 carrier_poll_floored(const struct vipfo_net *vn, u32 ms)
{
	const struct vipfo_limit_val *floor = vipfo_carrier_poll_floor(vn);

	return floor ? max(ms, floor->value) : ms;
}

/*
 * The carrier poll. The kernel tells notifiers about the carrier of an
 * ordinary NIC from linkwatch, which handles such devices at most once a
 * second for the whole host: a failure right after any other link event
 * would wait for up to a second. So the members' carrier bit is read
 * directly, under RCU and without a lock; a loss starts the failover at
 * once, and linkwatch's event later finds the member failed already. A
 * carrier back before linkwatch's turn (the device can still send) is a
 * recovery at once too: a cable pulled again within linkwatch's second is
 * a new failure, not one that nobody sees because the member still looks
 * failed.
 *
 * One timer per namespace, not per group: what a namespace costs the
 * host's timers does not grow with its groups. It polls every member of
 * a group whose carrier_poll is not 0, at the shortest carrier_poll of
 * the groups with members; namespaces of other user namespaces no faster
 * than carrier_poll_min.
 */
static enum hrtimer_restart carrier_poll(struct hrtimer *timer)
{
	struct vipfo_net *vn =
		container_of(timer, struct vipfo_net, carrier_timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	struct vipfo_member *member;
	bool failed = false, was_failed;
	u32 ms;

	rcu_read_lock();
	list_for_each_entry_rcu(member, &vn->members, net_node) {
		if (!READ_ONCE(member->group->carrier_poll) ||
		    !netif_running(member->dev))
			continue;
		was_failed = test_bit(VIPFO_MEMBER_FAILED, &member->flags);
		if (!vipfo_member_no_carrier(member)) {
			/* Not yet if linkwatch has still to attach its
			 * qdiscs: its NETDEV_CHANGE will tell.
			 */
			if (was_failed && vipfo_member_live(member))
				vipfo_failover_member_recovered(member,
								VIPFO_DETECTED_BY_POLL,
								GFP_ATOMIC);
		} else if (!was_failed) {
			vipfo_failover_member_failed(member,
						     VIPFO_REASON_CARRIER_LOSS,
						     VIPFO_DETECTED_BY_POLL,
						     GFP_ATOMIC);
			failed = true;
		}
	}
	rcu_read_unlock();
	if (failed)
		queue_delayed_work(system_unbound_wq, &vn->carrier_report, 0);

	/*
	 * vipfo_carrier_poll_update() may have started the timer again while
	 * this ran: then that start stands (forwarding a queued timer is not
	 * allowed), else the next poll is one current interval away.
	 */
	spin_lock(&vn->carrier_lock);
	ms = vn->carrier_poll;
	if (!hrtimer_is_queued(timer) && ms) {
		ms = carrier_poll_floored(vn, ms);
		hrtimer_forward_now(timer, ms_to_ktime(ms));
		ret = HRTIMER_RESTART;
	}
	spin_unlock(&vn->carrier_lock);
	return ret;
}

/*
 * Linkwatch also holds back the rest of the kernel's view of a carrier
 * loss the poll caught: the member stays "running" (IFF_RUNNING comes from
 * its operstate) and a multipath route keeps sending the peers' replies out
 * of the dead adapter until linkwatch's turn. So vipfo finishes that
 * report early, as linkwatch would: the operstate goes down and
 * NETDEV_CHANGE goes out, so routes with ignore_routes_with_linkdown drop
 * the adapter and userspace hears RTM_NEWLINK at once. Linkwatch's own
 * turn later finds the state already right. RTNL is only tried, never
 * waited for: the namespace's teardown may wait for this work.
 */
static void carrier_report(struct work_struct *work)
{
	struct vipfo_net *vn = container_of(to_delayed_work(work),
					    struct vipfo_net, carrier_report);
	struct vipfo_member *member;
	struct net_device *dev;

	if (!rtnl_trylock()) {
		queue_delayed_work(system_unbound_wq, &vn->carrier_report, 1);
		return;
	}
	list_for_each_entry(member, &vn->members, net_node) {
		/* A VLAN's or macvlan's lower device, when it lost it. */
		dev = vipfo_member_no_carrier(member);
		if (!member->group->carrier_poll || !dev || !netif_running(dev) ||
		    READ_ONCE(dev->operstate) != IF_OPER_UP)
			continue;
		vipfo_set_operstate(dev, dev->ifindex != dev_get_iflink(dev) ?
				    IF_OPER_LOWERLAYERDOWN : IF_OPER_DOWN);
		netdev_state_change(dev);
	}
	rtnl_unlock();
}

/**
 * vipfo_carrier_poll_init() - Set up a namespace's carrier poll, stopped
 * @vn: the namespace's state
 *
 * Context: Process context (namespace creation).
 */
void vipfo_carrier_poll_init(struct vipfo_net *vn)
{
	hrtimer_init(&vn->carrier_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_SOFT);
	vn->carrier_timer.function = carrier_poll;
	spin_lock_init(&vn->carrier_lock);
	INIT_DELAYED_WORK(&vn->carrier_report, carrier_report);
}

/* The interval: the shortest poll of the groups that have members. */
static u32 carrier_poll_interval(struct vipfo_net *vn)
{
	struct vipfo_group *group;
	u32 ms = 0;

	ASSERT_RTNL();
	list_for_each_entry(group, &vn->groups, net_node)
		if (group->carrier_poll && group->n_members &&
		    (!ms || group->carrier_poll < ms))
			ms = group->carrier_poll;
	return ms ? carrier_poll_floored(vn, ms) : 0;
}

/**
 * vipfo_carrier_poll_update() - Poll at the interval the groups ask for now
 * @vn: the namespace's state
 *
 * After a change of a group's carrier_poll, members or existence. A
 * shorter interval takes effect at once, not when the timer armed with
 * the old one expires; with nothing to poll the timer stops. Under the
 * lock the callback takes to re-arm itself, so that the two never both
 * arm it.
 *
 * Context: RTNL held; takes the carrier lock with BHs off.
 */
void vipfo_carrier_poll_update(struct vipfo_net *vn)
{
	struct hrtimer *timer = &vn->carrier_timer;
	u32 ms = carrier_poll_interval(vn);

	ASSERT_RTNL();
	spin_lock_bh(&vn->carrier_lock);
	vn->carrier_poll = ms;
	if (!ms)
		hrtimer_try_to_cancel(timer);	/* or it stops by itself */
	else if (!hrtimer_is_queued(timer) ||
		 hrtimer_get_remaining(timer) > ms_to_ktime(ms))
		hrtimer_start(timer, ms_to_ktime(ms), HRTIMER_MODE_REL_SOFT);
	spin_unlock_bh(&vn->carrier_lock);
}

/**
 * vipfo_carrier_poll_sync() - Wait for a carrier poll in progress
 * @vn: the namespace's state
 *
 * A group goes: a poll in progress may still hold its members and start
 * its announcements. Wait for it, then poll on without the group.
 *
 * Context: RTNL held; waits for the poll, which never takes RTNL.
 */
void vipfo_carrier_poll_sync(struct vipfo_net *vn)
{
	ASSERT_RTNL();
	hrtimer_cancel(&vn->carrier_timer);
	vipfo_carrier_poll_update(vn);
}

/**
 * vipfo_carrier_poll_stop() - Stop a namespace's carrier poll for good
 * @vn: the namespace's state, whose groups are gone
 *
 * Context: Process context (namespace exit); sleeps.
 */
void vipfo_carrier_poll_stop(struct vipfo_net *vn)
{
	hrtimer_cancel(&vn->carrier_timer);
	cancel_delayed_work_sync(&vn->carrier_report);
}
