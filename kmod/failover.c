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
 * VIPs are never sent while holding RTNL, and are paced by the transmit
 * queues. The work reads the group under RCU only and never takes RTNL,
 * so RTNL holders may wait for it: a round ends as soon as its members are
 * gone, and waits for a full queue only so long. Besides
 * the notifier, a carrier poll catches carrier losses that the kernel
 * would report late (see carrier_poll()). When another host claims one of
 * our VIPs, the live members announce that VIP again (see
 * vipfo_failover_conflict()).
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
/*
 * A full transmit queue (a qdisc, or a veth peer's backlog) drops a frame:
 * the work waits for the queue to drain and sends the frame again, up to
 * DROP_RETRIES times, the wait doubling from DROP_WAIT_US to 64 times
 * that: quick while the queue drains fast, about 200 ms in all for one
 * frame when the CPU that drains it is starved. A frame lost even so
 * means a queue that does not drain: the rest of the round no longer
 * waits.
 */
#define DROP_WAIT_US	200
#define DROP_RETRIES	20

/* The live members among @members, in list order; returns their number. */
static unsigned int live_members(struct vipfo_group *group,
				 unsigned long members,
				 struct vipfo_member **live)
{
	struct vipfo_member *member;
	unsigned int n = 0;

	list_for_each_entry_rcu(member, &group->members, group_node,
				lockdep_rtnl_is_held())
		if ((members & BIT(member->id)) && vipfo_member_live(member))
			live[n++] = member;
	return n;
}

/*
 * The n live members announce a VIP in the order live[seq % n],
 * live[(seq + 1) % n], ...: a peer keeps the last update it hears, so
 * rotating the order with the VIP's position seq in the round spreads the
 * VIPs over the survivors.
 */
static struct vipfo_member *sender(struct vipfo_member **live, unsigned int n,
				   unsigned int seq, unsigned int i)
{
	return live[(seq + i) % n];
}

/* 0, or an error: -ENOBUFS when a full queue dropped the frame. */
static int announce(struct vipfo_member *member, const struct in6_addr *addr)
{
	if (!ipv6_addr_v4mapped(addr))
		return 0;	/* no IPv6 VIPs yet */
	return vipfo_arp_send_garp(member, addr->s6_addr32[3]);
}

static void announce_lost(struct vipfo_member *member)
{
	vipfo_stats_inc(member->stats, VIPFO_TX_ERRORS);
	vipfo_stats_inc(member->group->stats, VIPFO_TX_ERRORS);
}

/* A small round, sent at once from the notifier or the carrier poll. */
static void announce_round_now(struct vipfo_group *group,
			       unsigned long members)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS], *member;
	unsigned int n, seq = 0, i;
	struct vipfo_vip *vip;

	rcu_read_lock();
	n = live_members(group, members, live);
	list_for_each_entry_rcu(vip, &group->vips, group_node) {
		for (i = 0; i < n; i++) {
			member = sender(live, n, seq, i);
			if (announce(member, &vip->addr))
				announce_lost(member);
		}
		seq++;
	}
	rcu_read_unlock();
}

/*
 * One VIP of a round from the work, which may sleep: a frame that a full
 * queue dropped is sent again once the queue had time to drain, unless
 * *stuck. Returns the number of live senders; 0 ends the round.
 */
static unsigned int announce_vip_paced(struct vipfo_group *group,
				       unsigned long members,
				       const struct in6_addr *addr,
				       unsigned int seq, bool *stuck)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS], *member;
	unsigned int n, i = 0, tries = 0;
	int err;

	for (;;) {
		rcu_read_lock();
		/* Members may fail or go while the work sleeps. */
		n = live_members(group, members, live);
		for (; i < n; i++, tries = 0) {
			member = sender(live, n, seq, i);
			err = announce(member, addr);
			if (!err)
				continue;
			if (err == -ENOBUFS && !*stuck &&
			    tries++ < DROP_RETRIES)
				break;
			*stuck |= err == -ENOBUFS;
			announce_lost(member);
		}
		rcu_read_unlock();
		if (i >= n)
			return n;
		usleep_range(DROP_WAIT_US << min(tries - 1, 6U),
			     DROP_WAIT_US << min(tries, 7U));
	}
}

/* The VIPs of a round, copied so that the work can sleep between frames. */
static struct in6_addr *vips_copy(struct vipfo_group *group, unsigned int *n)
{
	unsigned int max = READ_ONCE(group->n_vips), i = 0;
	struct in6_addr *addrs;
	struct vipfo_vip *vip;

	addrs = kvmalloc_array(max ?: 1, sizeof(*addrs), GFP_KERNEL);
	if (!addrs)
		return NULL;
	rcu_read_lock();
	list_for_each_entry_rcu(vip, &group->vips, group_node) {
		if (i == max)
			break;	/* added since the failure: not announced */
		addrs[i++] = vip->addr;
	}
	rcu_read_unlock();
	*n = i;
	return addrs;
}

/*
 * A round from the work, paced by the transmit queues: thousands of
 * frames at once would overflow them. Returns false when a newer failover
 * asked for a fresh round before this one was done.
 */
static bool announce_round_paced(struct vipfo_group *group,
				 unsigned long members)
{
	struct vipfo_announce *a = &group->announce;
	unsigned long slept = jiffies;
	unsigned int n, seq;
	struct in6_addr *addrs;
	bool done = true, stuck = false;

	addrs = vips_copy(group, &n);
	if (!addrs) {
		announce_round_now(group, members);
		return true;
	}
	for (seq = 0; seq < n; seq++) {
		/*
		 * The work spends nearly all its time in RCU read-side or
		 * BH-disabled sections: each frame also runs the receivers'
		 * softirq work (a bridge floods it) nested in them. A tick
		 * that lands there reports no quiescent state, and under
		 * preemptible RCU (Debian's kernel) cond_resched() reports one
		 * only when it switches. A short sleep once a jiffy is a switch,
		 * hence a quiescent state: during a 5,000-VIP announcement the
		 * longest grace period of a run took 20-27 ms with it (as when
		 * idle), 23-83 ms without, at the same pace
		 * (bench/announce_rcu.sh).
		 */
		if (time_after(jiffies, slept)) {
			usleep_range(20, 50);
			slept = jiffies;
		} else {
			cond_resched();
		}
		if (READ_ONCE(a->restart)) {
			done = false;
			break;
		}
		if (!announce_vip_paced(group, members, &addrs[seq], seq,
					&stuck))
			break;
	}
	kvfree(addrs);
	return done;
}

static void announce_work(struct work_struct *work)
{
	struct vipfo_announce *a =
		container_of(to_delayed_work(work), struct vipfo_announce, work);
	struct vipfo_group *group =
		container_of(a, struct vipfo_group, announce);
	unsigned long start = jiffies, delay, members;
	bool more;

	spin_lock_bh(&a->lock);
	/* Rounds still due when garp_count was set to 0 are not sent. */
	if (!READ_ONCE(group->garp_count))
		a->rounds_left = 0;
	if (!a->rounds_left) {
		a->members = 0;
		spin_unlock_bh(&a->lock);
		return;
	}
	members = a->members;
	more = --a->rounds_left > 0;
	if (!more)
		a->members = 0;
	WRITE_ONCE(a->restart, false);
	spin_unlock_bh(&a->lock);

	/* Cut short: the work is queued again for the fresh round. */
	if (!announce_round_paced(group, members) || !more)
		return;
	/* The next round garp_interval after this one began, if it can. */
	delay = msecs_to_jiffies(READ_ONCE(group->garp_interval));
	delay -= min(delay, jiffies - start);
	queue_delayed_work(system_unbound_wq, &a->work, delay);
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
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];
	struct vipfo_announce *a = &group->announce;
	unsigned int rounds = READ_ONCE(group->garp_count);
	unsigned long delay = 0;

	/* garp_count 0: the group answers, never announces. */
	if (!rounds)
		return;
	if (READ_ONCE(group->n_vips) * live_members(group, members, live) <=
	    INLINE_FRAMES) {
		announce_round_now(group, members);
		rounds--;
		delay = msecs_to_jiffies(READ_ONCE(group->garp_interval));
	}
	if (!rounds)
		return;
	spin_lock_bh(&a->lock);
	a->members |= members;
	a->rounds_left = max(a->rounds_left, rounds);
	WRITE_ONCE(a->restart, true);
	spin_unlock_bh(&a->lock);
	/* Not a high-priority worker: on the notifier's CPU it would preempt
	 * the notifier while it still holds RTNL.
	 */
	mod_delayed_work(system_unbound_wq, &a->work, delay);
}

/*
 * Another host claims one of our VIPs: arp.c saw its frame arrive on
 * @member. Every live member announces the VIP again, once, in the
 * rotating order of a failover round (a peer keeps the last update it
 * hears); with garp_count 0 nothing is announced, the claim only
 * reported. Two hosts fighting over an address must not make an ARP
 * storm: a VIP is answered at most once a second, the event likewise,
 * and the frames are paid from the group's reply budget, so claims on
 * thousands of VIPs at once are bounded too. One frame per member: sent
 * right here, in softirq under RCU.
 */
void vipfo_failover_conflict(struct vipfo_member *member,
			     struct vipfo_vip *vip, const u8 *mac)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS], *from;
	struct vipfo_group *group = member->group;
	unsigned long last = READ_ONCE(vip->defended), now = jiffies;
	unsigned int n, i, seq;

	if (time_before(now, last + HZ) ||
	    !try_cmpxchg(&vip->defended, &last, now))
		return;
	n = live_members(group, ~0UL, live);
	if (n && READ_ONCE(group->garp_count) && vipfo_arp_budget(group, n)) {
		seq = ntohl(vipfo_vip_v4(vip));
		for (i = 0; i < n; i++) {
			from = sender(live, n, seq, i);
			if (announce(from, &vip->addr))
				announce_lost(from);
		}
	}
	vipfo_netlink_notify_conflict(member, vip, mac);
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

/*
 * A failed member is live again; like a failure, whichever path sees it
 * first reports it. When it is the only one, the peers still hold the MACs
 * of dead adapters (nobody was left to announce): it announces every VIP.
 * Otherwise the peers are on survivors already.
 */
static void member_recovered(struct vipfo_member *member,
			     enum vipfo_detector detector, gfp_t gfp)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];

	if (!test_and_clear_bit(VIPFO_MEMBER_FAILED, &member->flags))
		return;
	if (!live_members(member->group, ~BIT(member->id), live))
		announce_start(member->group, BIT(member->id));
	vipfo_netlink_notify_recover(member, detector, gfp);
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
 * member failed already. A carrier back before linkwatch's turn (the
 * device can still send) is a recovery at once too: a cable pulled again
 * within linkwatch's second is a new failure, not one that nobody sees
 * because the member still looks failed.
 */
static enum hrtimer_restart carrier_poll(struct hrtimer *timer)
{
	struct vipfo_group *group =
		container_of(timer, struct vipfo_group, carrier_timer);
	struct vipfo_member *member;
	bool failed = false, was_failed;
	u32 interval;

	rcu_read_lock();
	list_for_each_entry_rcu(member, &group->members, group_node) {
		if (!netif_running(member->dev))
			continue;
		was_failed = test_bit(VIPFO_MEMBER_FAILED, &member->flags);
		if (netif_carrier_ok(member->dev)) {
			/* Not yet if linkwatch has still to attach its
			 * qdiscs: its NETDEV_CHANGE will tell.
			 */
			if (was_failed && vipfo_member_live(member))
				member_recovered(member, VIPFO_DETECTED_BY_POLL,
						 GFP_ATOMIC);
		} else if (!was_failed) {
			member_failed(member, VIPFO_REASON_CARRIER_LOSS,
				      VIPFO_DETECTED_BY_POLL, GFP_ATOMIC);
			failed = true;
		}
	}
	rcu_read_unlock();
	if (failed)
		queue_delayed_work(system_unbound_wq, &group->carrier_report, 0);

	interval = READ_ONCE(group->carrier_poll);
	if (!interval || !READ_ONCE(group->n_members))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ms_to_ktime(interval));
	return HRTIMER_RESTART;
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
 * waited for: the group's destruction waits for this work under RTNL.
 */
static void carrier_report(struct work_struct *work)
{
	struct vipfo_group *group = container_of(to_delayed_work(work),
						 struct vipfo_group,
						 carrier_report);
	struct vipfo_member *member;
	struct net_device *dev;

	if (!rtnl_trylock()) {
		queue_delayed_work(system_unbound_wq, &group->carrier_report, 1);
		return;
	}
	list_for_each_entry(member, &group->members, group_node) {
		dev = member->dev;
		if (!netif_running(dev) || netif_carrier_ok(dev) ||
		    READ_ONCE(dev->operstate) != IF_OPER_UP)
			continue;
		write_lock(&dev_base_lock);
		WRITE_ONCE(dev->operstate,
			   dev->ifindex != dev_get_iflink(dev) ?
			   IF_OPER_LOWERLAYERDOWN : IF_OPER_DOWN);
		write_unlock(&dev_base_lock);
		netdev_state_change(dev);
	}
	rtnl_unlock();
}

void vipfo_carrier_poll_init(struct vipfo_group *group)
{
	hrtimer_init(&group->carrier_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_SOFT);
	group->carrier_timer.function = carrier_poll;
	INIT_DELAYED_WORK(&group->carrier_report, carrier_report);
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
	cancel_delayed_work_sync(&group->carrier_report);
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
		if (!netif_carrier_ok(dev))
			member_failed(member, VIPFO_REASON_CARRIER_LOSS,
				      VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
		else if (vipfo_member_live(member))
			member_recovered(member, VIPFO_DETECTED_BY_NOTIFIER,
					 GFP_KERNEL);
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
