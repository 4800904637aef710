// SPDX-License-Identifier: GPL-2.0
/*
 * Failover policy: what vipfo does when a member fails, comes back or
 * changes its MAC. Device events arrive here from the netdevice notifier;
 * this file is the one place a smarter policy would replace.
 *
 * Today's policy: on a failure every surviving member broadcasts a
 * gratuitous ARP for every VIP of the group, garp_count rounds,
 * garp_interval apart, the first round at once. Small rounds leave from
 * the notifier itself; large ones go to a work item, so that thousands of
 * VIPs are never sent while holding RTNL. The work reads the group under
 * RCU only and never takes RTNL, so RTNL holders may wait for it. Besides
 * the notifier, a carrier poll catches carrier losses that the kernel
 * would report late (see carrier_poll()).
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "arp.h"
#include "failover.h"
#include "group.h"
#include "net.h"
#include "netlink.h"
#include "vip.h"

/* Frames one round may send from the notifier before it is deferred. */
#define INLINE_FRAMES	64

static unsigned int live_members(struct vipfo_group *group,
				 unsigned long members)
{
	struct vipfo_member *member;
	unsigned int n = 0;

	list_for_each_entry_rcu(member, &group->members, group_node,
				lockdep_rtnl_is_held())
		n += (members & BIT(member->id)) && vipfo_member_live(member);
	return n;
}

/*
 * One round: every selected live member announces every VIP. A peer keeps
 * the last update it hears, so the order of senders rotates from VIP to
 * VIP: the VIPs end up spread over the survivors.
 */
static void announce_round(struct vipfo_group *group, unsigned long members)
{
	struct vipfo_member *member;
	unsigned int live, last = 0, i, pass;
	struct vipfo_vip *vip;

	rcu_read_lock();
	live = live_members(group, members);
	if (!live)
		goto out;
	list_for_each_entry_rcu(vip, &group->vips, group_node) {
		if (!vipfo_vip_is_v4(vip))
			continue;
		last = (last + 1) % live;
		for (pass = 0; pass < 2; pass++) {
			i = 0;
			list_for_each_entry_rcu(member, &group->members,
						group_node) {
				if (!(members & BIT(member->id)) ||
				    !vipfo_member_live(member))
					continue;
				if ((i++ > last) == !pass)
					vipfo_arp_send_garp(member,
							    vipfo_vip_v4(vip));
			}
		}
	}
out:
	rcu_read_unlock();
}

static void announce_work(struct work_struct *work)
{
	struct vipfo_announce *a =
		container_of(to_delayed_work(work), struct vipfo_announce, work);
	struct vipfo_group *group =
		container_of(a, struct vipfo_group, announce);
	unsigned long members;
	bool more;

	spin_lock_bh(&a->lock);
	if (!a->rounds_left) {
		spin_unlock_bh(&a->lock);
		return;
	}
	members = a->members;
	more = --a->rounds_left > 0;
	if (!more)
		a->members = 0;
	spin_unlock_bh(&a->lock);

	announce_round(group, members);
	if (more) {
		unsigned long delay =
			msecs_to_jiffies(READ_ONCE(group->garp_interval));

		queue_delayed_work(system_unbound_wq, &a->work, delay);
	}
}

void vipfo_announce_init(struct vipfo_group *group)
{
	INIT_DELAYED_WORK(&group->announce.work, announce_work);
	spin_lock_init(&group->announce.lock);
}

void vipfo_announce_cancel(struct vipfo_group *group)
{
	cancel_delayed_work_sync(&group->announce.work);
}

/*
 * Start (or restart) garp_count rounds from the given members. Called by
 * the notifier under RTNL and by the carrier poll in softirq under RCU.
 */
static void announce_start(struct vipfo_group *group, unsigned long members)
{
	struct vipfo_announce *a = &group->announce;
	unsigned int rounds = READ_ONCE(group->garp_count);
	unsigned long delay = 0;

	if (READ_ONCE(group->n_vips) * live_members(group, members) <=
	    INLINE_FRAMES) {
		announce_round(group, members);
		rounds--;
		delay = msecs_to_jiffies(READ_ONCE(group->garp_interval));
	}
	if (!rounds)
		return;
	spin_lock_bh(&a->lock);
	a->members |= members;
	a->rounds_left = max(a->rounds_left, rounds);
	spin_unlock_bh(&a->lock);
	/* Not a high-priority worker: on the notifier's CPU it would preempt
	 * the notifier while it still holds RTNL.
	 */
	mod_delayed_work(system_unbound_wq, &a->work, delay);
}

/* Whichever path sees a failure first starts the one failover it gets. */
static void member_failed(struct vipfo_member *member,
			  enum vipfo_reason reason,
			  enum vipfo_detector detector, gfp_t gfp)
{
	struct vipfo_group *group = member->group;

	if (test_and_set_bit(VIPFO_MEMBER_FAILED, &member->flags))
		return;
	vipfo_stats_inc(member->stats, VIPFO_FAILOVERS);
	vipfo_stats_inc(group->stats, VIPFO_FAILOVERS);
	/* The failed member is not live, so it is not among the senders. */
	announce_start(group, ~0UL);
	vipfo_netlink_notify_failover(member, reason, detector, gfp);
}

static void member_recovered(struct vipfo_member *member)
{
	if (!test_and_clear_bit(VIPFO_MEMBER_FAILED, &member->flags))
		return;
	vipfo_netlink_notify_recover(member);
}

/* Peers that chose this member hold its old MAC: announce the new one. */
static void member_mac_changed(struct vipfo_member *member)
{
	if (!vipfo_member_live(member))
		return;
	announce_start(member->group, BIT(member->id));
	vipfo_netlink_notify_failover(member, VIPFO_REASON_MAC_CHANGE,
				      VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
}

/*
 * The carrier poll. The kernel tells notifiers about the carrier of an
 * ordinary NIC from linkwatch, which handles such devices at most once a
 * second for the whole host: a failure right after any other link event
 * would wait for up to a second. So every carrier_poll ms the members'
 * carrier bit is read directly, under RCU and without a lock; a loss
 * starts the failover at once, and linkwatch's event later finds the
 * member failed already.
 */
static enum hrtimer_restart carrier_poll(struct hrtimer *timer)
{
	struct vipfo_group *group =
		container_of(timer, struct vipfo_group, carrier_timer);
	struct vipfo_member *member;
	u32 interval;

	rcu_read_lock();
	list_for_each_entry_rcu(member, &group->members, group_node) {
		if (netif_running(member->dev) &&
		    !netif_carrier_ok(member->dev) &&
		    !test_bit(VIPFO_MEMBER_FAILED, &member->flags))
			member_failed(member, VIPFO_REASON_CARRIER_LOSS,
				      VIPFO_DETECTED_BY_POLL, GFP_ATOMIC);
	}
	rcu_read_unlock();

	interval = READ_ONCE(group->carrier_poll);
	if (!interval || !READ_ONCE(group->n_members))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ms_to_ktime(interval));
	return HRTIMER_RESTART;
}

void vipfo_carrier_poll_init(struct vipfo_group *group)
{
	hrtimer_init(&group->carrier_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_SOFT);
	group->carrier_timer.function = carrier_poll;
}

/* Runs only while the group has members and polling is on. */
void vipfo_carrier_poll_kick(struct vipfo_group *group)
{
	ASSERT_RTNL();
	if (group->carrier_poll && group->n_members &&
	    !hrtimer_is_queued(&group->carrier_timer))
		hrtimer_start(&group->carrier_timer,
			      ms_to_ktime(group->carrier_poll),
			      HRTIMER_MODE_REL_SOFT);
}

void vipfo_carrier_poll_stop(struct vipfo_group *group)
{
	hrtimer_cancel(&group->carrier_timer);
}

/* A member added while down must report its recovery, not a failure. */
void vipfo_failover_member_added(struct vipfo_member *member)
{
	if (!vipfo_member_live(member))
		set_bit(VIPFO_MEMBER_FAILED, &member->flags);
}

static int vipfo_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vipfo_net *vn = vipfo_net(dev_net(dev));
	struct vipfo_member *member;

	/* Devices of a namespace being set up before our pernet init. */
	if (!vn || !vn->net)
		return NOTIFY_DONE;
	member = vipfo_member_find(vn, dev);
	if (!member)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_DOWN:
		member_failed(member, dev->dismantle ?
			      VIPFO_REASON_UNREGISTER :
			      VIPFO_REASON_ADMIN_DOWN,
			      VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
		break;
	case NETDEV_UP:
	case NETDEV_CHANGE:
		if (!netif_running(dev))
			break;
		if (netif_carrier_ok(dev))
			member_recovered(member);
		else
			member_failed(member, VIPFO_REASON_CARRIER_LOSS,
				      VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
		break;
	case NETDEV_CHANGEADDR:
		member_mac_changed(member);
		break;
	case NETDEV_UNREGISTER:
		/* Also when the device moves to another namespace. */
		member_failed(member, VIPFO_REASON_UNREGISTER,
			      VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
		vipfo_netlink_notify_dev_removed(member);
		vipfo_member_remove(member);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vipfo_netdev_notifier = {
	.notifier_call = vipfo_netdev_event,
};

int vipfo_failover_init(void)
{
	return register_netdevice_notifier(&vipfo_netdev_notifier);
}

void vipfo_failover_uninit(void)
{
	unregister_netdevice_notifier(&vipfo_netdev_notifier);
}
