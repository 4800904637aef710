// SPDX-License-Identifier: GPL-2.0
/*
 * Failover policy: what vipfo does when a member fails, comes back or
 * changes its MAC, and when VIPs arrive. Device events arrive here from
 * the netdevice notifier, carrier losses the kernel would report late
 * from the carrier poll (carrier.c); this file is the one place a smarter
 * policy would replace.
 *
 * Today's policy: on a failure every surviving member broadcasts a
 * gratuitous ARP for every IPv4 VIP of the group, and an unsolicited
 * neighbour advertisement for every IPv6 one, garp_count rounds,
 * garp_interval apart, the first round at once (announce.c). VIPs added
 * to a group are announced likewise, from every live member.
 */

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

#include "announce.h"
#include "failover.h"
#include "group.h"
#include "net.h"
#include "netlink_notify.h"

/* A hold-down doubles at most this many times: 32 x up_delay. */
#define VIPFO_HOLD_MAX_SHIFT	5
/* Active for this many up_delays without a failure: no longer flapping. */
#define VIPFO_FLAP_STABLE	10

/*
 * Flap damping. A member that comes back is held down: it neither answers
 * nor announces until it stayed up for its hold-down, up_delay doubled
 * for each flap in a row (a failure while held down, or soon after it
 * became active again). So a flaky link costs one failover, not one
 * announcement storm per flap. A failure is never delayed, and a member
 * that comes back while no other is active is not held down: the VIPs
 * would be unreachable meanwhile.
 */

/*
 * Counts a failure of a member held down, or active again for less than
 * VIPFO_FLAP_STABLE up_delays, as a flap. A member's first failure since
 * it was added is none.
 */
static void hold_failed(struct vipfo_member *member)
{
	struct vipfo_hold *h = &member->hold;
	unsigned long stable = msecs_to_jiffies(READ_ONCE(member->group->up_delay)) *
			       VIPFO_FLAP_STABLE;
	bool held;

	spin_lock_bh(&h->lock);
	held = test_and_clear_bit(VIPFO_MEMBER_HELD, &member->flags);
	if (held || !test_bit(VIPFO_MEMBER_FAILED, &member->flags)) {
		if (held || (READ_ONCE(h->returned) &&
			     time_before(jiffies, READ_ONCE(h->active_since) + stable)))
			h->flaps = min_t(u8, h->flaps + 1, VIPFO_HOLD_MAX_SHIFT);
		else
			h->flaps = 0;
	}
	spin_unlock_bh(&h->lock);
	/* A timer already running finds the member no longer held. */
	if (held)
		del_timer(&h->timer);
}

/* The counter of failovers for @reason: every reason but MAC_CHANGE. */
static enum vipfo_counter reason_counter(enum vipfo_reason reason)
{
	switch (reason) {
	case VIPFO_REASON_ADMIN_DOWN:
		return VIPFO_FAILOVERS_ADMIN_DOWN;
	case VIPFO_REASON_CARRIER_LOSS:
		return VIPFO_FAILOVERS_CARRIER_LOSS;
	case VIPFO_REASON_UNREGISTER:
		return VIPFO_FAILOVERS_UNREGISTER;
	case VIPFO_REASON_REMOVED:
		return VIPFO_FAILOVERS_REMOVED;
	default:
		return VIPFO_FAILOVERS_UNFIT;
	}
}

/**
 * vipfo_failover_member_failed() - A member failed
 * @member: the member
 * @reason: why, for the event
 * @detector: who saw it, for the event
 * @gfp: allocation flags for the event
 *
 * Whichever path sees a failure first starts the one failover it gets:
 * the survivors announce every VIP, and a FAILOVER event goes out. A
 * failure while held down, or soon after coming back, counts as a flap.
 *
 * Context: RTNL held (the notifier, netlink) with GFP_KERNEL, or an RCU
 * read-side critical section in softirq (the carrier poll) with
 * GFP_ATOMIC.
 */
void vipfo_failover_member_failed(struct vipfo_member *member,
				  enum vipfo_reason reason,
				  enum vipfo_detector detector, gfp_t gfp)
{
	struct vipfo_group *group = member->group;

	hold_failed(member);
	if (test_and_set_bit(VIPFO_MEMBER_FAILED, &member->flags))
		return;
	vipfo_stats_inc(member->stats, VIPFO_FAILOVERS);
	vipfo_stats_inc(group->stats, VIPFO_FAILOVERS);
	vipfo_stats_inc(member->stats, reason_counter(reason));
	vipfo_stats_inc(group->stats, reason_counter(reason));
	/* The failed member is not active, so it is not among the senders. */
	vipfo_announce_start(group, ~0UL);
	vipfo_netlink_notify_failover(member, reason, detector, gfp);
	vipfo_announce_wake(group);
}

/*
 * A failed member is active again. When it is the only one, the peers
 * still hold the MACs of dead adapters (nobody was left to announce): it
 * announces every VIP. Otherwise the peers are on survivors already.
 */
static void member_active(struct vipfo_member *member,
			  enum vipfo_detector detector, gfp_t gfp)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];

	WRITE_ONCE(member->hold.active_since, jiffies);
	WRITE_ONCE(member->hold.returned, true);
	if (!test_and_clear_bit(VIPFO_MEMBER_FAILED, &member->flags))
		return;
	if (!vipfo_live_members(member->group, ~BIT(member->id), live))
		vipfo_announce_start(member->group, BIT(member->id));
	vipfo_netlink_notify_recover(member, detector, gfp);
	vipfo_announce_wake(member->group);
}

static void hold_expired(struct timer_list *t)
{
	struct vipfo_hold *h = from_timer(h, t, timer);
	struct vipfo_member *member = container_of(h, struct vipfo_member, hold);
	bool held, live = vipfo_member_live(member);

	spin_lock(&h->lock);
	held = !h->gone && test_and_clear_bit(VIPFO_MEMBER_HELD, &member->flags);
	/*
	 * Its link failed while held down, and nobody reported it yet (the
	 * link watch can be a second late): a flap all the same, or the
	 * report that comes after this finds a member neither held down
	 * nor active and does not count it.
	 */
	if (held && !live)
		h->flaps = min_t(u8, h->flaps + 1, VIPFO_HOLD_MAX_SHIFT);
	spin_unlock(&h->lock);
	/* A failure reported meanwhile would have ended the hold-down. */
	if (!held || !live)
		return;
	rcu_read_lock();
	member_active(member, h->back_by, GFP_ATOMIC);
	rcu_read_unlock();
}

/**
 * vipfo_failover_member_recovered() - A failed member is live again
 * @member: the member
 * @detector: who saw it, for the event
 * @gfp: allocation flags for the event
 *
 * Like a failure, whichever path sees it first reports it. The member is
 * held down for up_delay, doubled for each flap in a row (HOLD event), or
 * active at once when no other member is active or up_delay is 0
 * (RECOVER event). Nothing happens for a member that is not failed, or
 * held down already.
 *
 * Context: as vipfo_failover_member_failed().
 */
void vipfo_failover_member_recovered(struct vipfo_member *member,
				     enum vipfo_detector detector, gfp_t gfp)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];
	struct vipfo_hold *h = &member->hold;
	unsigned long hold = 0;
	bool held = false;

	if (!test_bit(VIPFO_MEMBER_FAILED, &member->flags))
		return;
	if (vipfo_live_members(member->group, ~BIT(member->id), live))
		hold = msecs_to_jiffies(READ_ONCE(member->group->up_delay));

	spin_lock_bh(&h->lock);
	if (h->gone || test_bit(VIPFO_MEMBER_HELD, &member->flags)) {
		spin_unlock_bh(&h->lock);
		return;
	}
	if (hold) {
		hold <<= h->flaps;
		h->until = jiffies + hold;
		h->back_by = detector;
		set_bit(VIPFO_MEMBER_HELD, &member->flags);
		mod_timer(&h->timer, h->until);
		held = true;
	}
	spin_unlock_bh(&h->lock);
	if (held)
		vipfo_netlink_notify_hold(member, jiffies_to_msecs(hold),
					  detector, gfp);
	else
		member_active(member, detector, gfp);
}

/**
 * vipfo_failover_held_ms() - What a member's hold-down has left
 * @member: the member
 *
 * Context: RTNL held or RCU read-side critical section.
 * Return: milliseconds, or 0 when the member is not held down.
 */
unsigned int vipfo_failover_held_ms(const struct vipfo_member *member)
{
	long left = READ_ONCE(member->hold.until) - jiffies;

	if (!test_bit(VIPFO_MEMBER_HELD, &member->flags) || left <= 0)
		return 0;
	return jiffies_to_msecs(left);
}

/**
 * vipfo_failover_vips_added() - VIPs were added to a group
 * @group: the group
 * @first: the first of them; the others were added after it
 *
 * A VIP that arrives may have moved here from another host (VRRP, a
 * migration), and the peers' caches still hold that host's MAC: every
 * live member announces the new VIPs, as survivors do after a failure.
 *
 * Context: RTNL held.
 */
void vipfo_failover_vips_added(struct vipfo_group *group,
			       struct vipfo_vip *first)
{
	vipfo_announce_added(group, first);
}

/* Peers that chose this member hold its old MAC: announce the new one. */
static void member_mac_changed(struct vipfo_member *member)
{
	if (!vipfo_member_active(member))
		return;
	vipfo_announce_start(member->group, BIT(member->id));
	vipfo_netlink_notify_failover(member, VIPFO_REASON_MAC_CHANGE,
				      VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
	vipfo_announce_wake(member->group);
}

/**
 * vipfo_failover_member_added() - Set up a new member's failover state
 * @member: the member, with its device, not linked yet
 *
 * A member added while it is not live starts failed: it will report its
 * recovery, not a failure.
 *
 * Context: RTNL held.
 */
void vipfo_failover_member_added(struct vipfo_member *member)
{
	struct vipfo_hold *h = &member->hold;

	timer_setup(&h->timer, hold_expired, 0);
	spin_lock_init(&h->lock);
	h->active_since = jiffies;
	if (!vipfo_member_live(member))
		set_bit(VIPFO_MEMBER_FAILED, &member->flags);
}

/**
 * vipfo_failover_member_unlinked() - End a member's hold-down for good
 * @member: the member, just unlinked from its group
 *
 * Nothing arms the hold-down again (the carrier poll may still see the
 * member until a grace period has passed).
 *
 * Context: RTNL held; waits for a running hold-down timer, which takes no
 * lock that RTNL holders take.
 */
void vipfo_failover_member_unlinked(struct vipfo_member *member)
{
	struct vipfo_hold *h = &member->hold;

	ASSERT_RTNL();
	spin_lock_bh(&h->lock);
	h->gone = true;
	clear_bit(VIPFO_MEMBER_HELD, &member->flags);
	spin_unlock_bh(&h->lock);
	del_timer_sync(&h->timer);
}

/**
 * vipfo_failover_member_left() - A member left its group while maybe live
 * @member: the member, between vipfo_member_unlink() (so that it is not
 *          among the senders) and vipfo_member_free()
 * @reason: why (vipctl dev del, or its device can no longer be one)
 *
 * Peers that chose it must move, as after a failure.
 *
 * Context: RTNL held.
 */
void vipfo_failover_member_left(struct vipfo_member *member,
				enum vipfo_reason reason)
{
	ASSERT_RTNL();
	vipfo_failover_member_failed(member, reason,
				     VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
}

/* A member's device became a port of a master: it no longer sees its
 * frames. Refused, with a message for `ip link set ... master`; a VRF is
 * no such master (its ports see their own frames).
 */
static int member_may_link(struct netdev_notifier_changeupper_info *info)
{
	if (!info->linking || !info->master ||
	    netif_is_l3_master(info->upper_dev))
		return NOTIFY_DONE;
	NL_SET_ERR_MSG(netdev_notifier_info_to_extack(&info->info),
		       "device is a vipfo member: remove it from its group first");
	return notifier_from_errno(-EBUSY);
}

/* A member's device can no longer be one (ARP turned off, a master that
 * got past member_may_link()): it leaves its group, and says why.
 */
static void member_unfit(struct vipfo_member *member, const char *why)
{
	struct net_device *dev = member->dev;

	pr_info("%s leaves group %s: %s\n", dev->name, member->group->name,
		why);
	vipfo_member_unlink(member);
	vipfo_failover_member_left(member, VIPFO_REASON_UNFIT);
	vipfo_netlink_notify_dev_removed(member, VIPFO_REASON_UNFIT);
	vipfo_member_free(member);
}

/*
 * A member lost its carrier, and the kernel has marked its IPv6 routes
 * linkdown (addrconf's notifier runs before ours). Unlike IPv4, which
 * flushes its route cache, IPv6 (6.1's fib6_ifdown(), NETDEV_CHANGE)
 * leaves the routes that established sockets cached valid: a TCP
 * connection to a VIPv6 would go on sending its ACKs into the adapter
 * without carrier while vipfo moves its peer to a survivor. A new
 * generation makes them look their route up again.
 */
static void ipv6_routes_linkdown(struct net_device *dev)
{
	rt_genid_bump_ipv6(dev_net(dev));
}

static int vipfo_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vipfo_net *vn = vipfo_net(dev_net(dev));
	struct vipfo_member *member;
	const char *unfit;

	/* Devices of a namespace being set up before our pernet init. */
	if (!vn || !vn->net)
		return NOTIFY_DONE;
	member = vipfo_member_find(vn, dev);
	if (!member)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_PRECHANGEUPPER:
		return member_may_link(ptr);
	case NETDEV_DOWN:
		vipfo_failover_member_failed(member, dev->dismantle ?
					     VIPFO_REASON_UNREGISTER :
					     VIPFO_REASON_ADMIN_DOWN,
					     VIPFO_DETECTED_BY_NOTIFIER,
					     GFP_KERNEL);
		break;
	case NETDEV_CHANGEUPPER:
	case NETDEV_UP:
	case NETDEV_CHANGE:
		unfit = vipfo_member_dev_unfit(dev);
		if (unfit) {
			member_unfit(member, unfit);
			break;
		}
		if (event == NETDEV_CHANGEUPPER || !netif_running(dev))
			break;
		if (event == NETDEV_CHANGE && !netif_carrier_ok(dev))
			ipv6_routes_linkdown(dev);
		if (vipfo_member_no_carrier(member))
			vipfo_failover_member_failed(member,
						     VIPFO_REASON_CARRIER_LOSS,
						     VIPFO_DETECTED_BY_NOTIFIER,
						     GFP_KERNEL);
		else if (vipfo_member_live(member))
			vipfo_failover_member_recovered(member,
							VIPFO_DETECTED_BY_NOTIFIER,
							GFP_KERNEL);
		break;
	case NETDEV_CHANGEADDR:
		member_mac_changed(member);
		break;
	case NETDEV_UNREGISTER:
		/* Also when the device moves to another namespace. */
		vipfo_failover_member_failed(member, VIPFO_REASON_UNREGISTER,
					     VIPFO_DETECTED_BY_NOTIFIER,
					     GFP_KERNEL);
		vipfo_netlink_notify_dev_removed(member,
						 VIPFO_REASON_UNREGISTER);
		vipfo_member_remove(member);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vipfo_netdev_notifier = {
	.notifier_call = vipfo_netdev_event,
};

/**
 * vipfo_failover_init() - Register the netdevice notifier
 *
 * Context: Process context (module load); takes RTNL.
 * Return: 0, or a negative errno.
 */
int vipfo_failover_init(void)
{
	return register_netdevice_notifier(&vipfo_netdev_notifier);
}

/**
 * vipfo_failover_uninit() - Unregister the netdevice notifier
 *
 * Description: Only once no group is left: the notifier's unregistration
 * replays a DOWN and an UNREGISTER of every device.
 *
 * Context: Process context (module unload); takes RTNL.
 */
void vipfo_failover_uninit(void)
{
	unregister_netdevice_notifier(&vipfo_netdev_notifier);
}
