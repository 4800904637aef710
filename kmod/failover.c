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
#include <linux/user_namespace.h>

#include "arp.h"
#include "failover.h"
#include "group.h"
#include "limits.h"
#include "net.h"
#include "netlink.h"
#include "vip.h"

/* Frames one round may send from the notifier before it is deferred. */
#define INLINE_FRAMES	64
/*
 * The pacing of a round sent by the work. Each member's announcements are
 * charged to a socket of its own until they are freed (arp.c), so the work
 * knows how many of them the member's queues still hold, whatever they
 * are: a qdisc, a driver's ring, a veth peer's backlog. It keeps a few
 * there (VIPFO_ROUND_QUEUED), as TCP Small Queues does, and sleeps while a
 * member has that many. Drop codes alone cannot pace: fq_codel drops the
 * oldest frames of the fattest flow and says NET_XMIT_CN, or nothing when
 * another flow paid; CoDel drops at dequeue what waited too long; veth
 * behind a qdisc drops what the peer's backlog cannot take and tells no
 * one. With a few frames queued, ours is never the fattest flow, its
 * frames never wait long, and CoDel leaves a queue holding no more than
 * an MTU alone; other traffic in the queue does not hold the round up.
 *
 * A frame a queue still drops (-ENOBUFS: a full pfifo or veth backlog) is
 * sent again once the queue had time to drain, the wait doubling from
 * DROP_WAIT_US. -EBUSY (NET_XMIT_CN) may have dropped any of the member's
 * queued frames: the round goes back by that many VIPs, which every member
 * sends again to keep their order. Either way the member may queue half as
 * many for the rest of the round, so that going back stops.
 *
 * Every wait is bounded: a member whose queue frees none of our frames
 * for QUEUE_WAIT_MS, or drops one DROP_RETRIES times, is stuck: for the
 * rest of the round it gets each frame once, without waiting, and what
 * its queue refuses counts as lost (tx_errors). A slow queue that frees
 * frames, however slowly, is waited for: a second without any is long
 * for a queue, and is what a busy VM may take to run the softirq that
 * drains it.
 */
#define QUEUE_WAIT_US	20
#define QUEUE_WAIT_MS	1000
#define DROP_WAIT_US	200
#define DROP_RETRIES	20

/* The active members among @members, in list order; returns their number. */
static unsigned int live_members(struct vipfo_group *group,
				 unsigned long members,
				 struct vipfo_member **live)
{
	struct vipfo_member *member;
	unsigned int n = 0;

	list_for_each_entry_rcu(member, &group->members, group_node,
				lockdep_rtnl_is_held())
		if ((members & BIT(member->id)) && vipfo_member_active(member))
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
 * One VIP of a paced round, at r->next and position seq in it: sent from
 * every live member in turn, each once its queues hold fewer of our
 * frames than it may queue. Returns how many VIPs the round goes back by
 * (0: on to the next), or -1 when the round ends: no live member is left,
 * or a newer failover wants a fresh round.
 */
static int announce_vip_paced(struct vipfo_group *group,
			      unsigned long members, struct vipfo_round *r,
			      unsigned int seq)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS], *member;
	const struct in6_addr *addr = &r->vips[r->next].addr;
	unsigned int n, i = 0, tries = 0, naps = 0, queued, last = 0, back = 0;
	unsigned long deadline = 0;
	bool full = false;
	u8 *quota;
	int err;

	for (;;) {
		rcu_read_lock();
		/* Members may fail or go while the work sleeps. */
		n = live_members(group, members, live);
		for (; i < n; i++, tries = 0, naps = 0, deadline = 0) {
			member = sender(live, n, seq, i);
			quota = &r->queued_max[member->id];
			queued = vipfo_arp_garps_queued(member);
			full = queued >= *quota &&
			       !test_bit(member->id, &r->stuck);
			if (full) {
				if (!deadline || queued < last)
					deadline = jiffies +
						msecs_to_jiffies(QUEUE_WAIT_MS);
				last = queued;
				if (time_before(jiffies, deadline))
					break;
				__set_bit(member->id, &r->stuck);
				full = false;
			}
			err = announce(member, addr);
			if (!err)
				continue;
			if ((err != -ENOBUFS && err != -EBUSY) ||
			    test_bit(member->id, &r->stuck)) {
				announce_lost(member);
				continue;
			}
			if (tries++ == DROP_RETRIES) {
				__set_bit(member->id, &r->stuck);
				announce_lost(member);
				continue;
			}
			*quota = max(*quota / 2, 1);
			if (err == -EBUSY)
				back = min(queued, r->next - r->first);
			break;
		}
		rcu_read_unlock();
		if (back)
			return back;
		if (i >= n)
			return n ? 0 : -1;
		if (READ_ONCE(group->announce.restart))
			return -1;
		if (full)
			usleep_range(QUEUE_WAIT_US << min(naps, 5U),
				     QUEUE_WAIT_US << min(naps + 1, 6U));
		else
			usleep_range(DROP_WAIT_US << min(tries - 1, 6U),
				     DROP_WAIT_US << min(tries, 7U));
		naps += full;
	}
}

static void round_start(struct vipfo_group *group, struct vipfo_round *r)
{
	r->first = VIPFO_ROUND_QUEUED;
	r->next = VIPFO_ROUND_QUEUED;
	r->end = VIPFO_ROUND_QUEUED;
	r->last_seq = READ_ONCE(group->vip_seq);
	r->copied_all = false;
	memset(r->queued_max, VIPFO_ROUND_QUEUED, sizeof(r->queued_max));
	r->stuck = 0;
}

/*
 * Copies the next VIPFO_ROUND_CHUNK VIPs of the round, once all copied
 * before are sent, in one short RCU section: no allocation and no long
 * section, whatever the number of VIPs. The last VIPFO_ROUND_QUEUED sent
 * stay in front, to be sent again. The copy resumes after the newest VIP
 * copied that is still the group's, found by its address in the hash
 * table (its seq tells it from one deleted and added again since, which
 * is at the end of the list now); when all of them are gone, from the
 * head, past what was copied. VIPs added since the round began are not
 * part of it. Returns false when the round has no VIP left.
 */
static bool round_copy(struct vipfo_group *group, struct vipfo_round *r)
{
	unsigned int keep = min(r->end - r->first, VIPFO_ROUND_QUEUED), i;
	struct vipfo_vip *vip = NULL;
	u64 copied = 0;

	if (r->copied_all)
		return false;
	if (r->end > r->first)
		copied = r->vips[r->end - 1].seq;
	rcu_read_lock();
	for (i = r->end; i > r->first && !vip; i--) {
		vip = vipfo_vip_lookup(group->vn, &r->vips[i - 1].addr);
		if (vip && (vip->group != group ||
			    vip->seq != r->vips[i - 1].seq))
			vip = NULL;
	}
	memmove(&r->vips[VIPFO_ROUND_QUEUED - keep], &r->vips[r->end - keep],
		keep * sizeof(r->vips[0]));
	r->first = VIPFO_ROUND_QUEUED - keep;
	r->next = VIPFO_ROUND_QUEUED;
	r->end = VIPFO_ROUND_QUEUED;
	vip = list_prepare_entry(vip, &group->vips, group_node);
	list_for_each_entry_continue_rcu(vip, &group->vips, group_node) {
		if (vip->seq <= copied)
			continue;
		if (vip->seq > r->last_seq || r->end == ARRAY_SIZE(r->vips))
			break;
		r->vips[r->end].addr = vip->addr;
		r->vips[r->end++].seq = vip->seq;
	}
	r->copied_all = list_entry_is_head(vip, &group->vips, group_node) ||
			vip->seq > r->last_seq;
	rcu_read_unlock();
	return r->end > r->next;
}

/*
 * A round from the work, paced by the members' queues (see QUEUE_WAIT_US
 * above). Returns false when a newer failover asked for a fresh round
 * before this one was done.
 */
static bool announce_round_paced(struct vipfo_group *group,
				 unsigned long members)
{
	struct vipfo_announce *a = &group->announce;
	struct vipfo_round *r = &a->round;
	unsigned long slept = jiffies;
	unsigned int seq = 0;
	int back;

	round_start(group, r);
	for (;;) {
		if (r->next == r->end && !round_copy(group, r))
			return true;
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
		if (READ_ONCE(a->restart))
			return false;
		back = announce_vip_paced(group, members, r, seq);
		if (back < 0)
			return !READ_ONCE(a->restart);
		if (back) {
			r->next -= back;
			seq -= back;
		} else {
			r->next++;
			seq++;
		}
	}
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

/* Whichever path sees a failure first starts the one failover it gets. */
static void member_failed(struct vipfo_member *member,
			  enum vipfo_reason reason,
			  enum vipfo_detector detector, gfp_t gfp)
{
	struct vipfo_group *group = member->group;

	hold_failed(member);
	if (test_and_set_bit(VIPFO_MEMBER_FAILED, &member->flags))
		return;
	vipfo_stats_inc(member->stats, VIPFO_FAILOVERS);
	vipfo_stats_inc(group->stats, VIPFO_FAILOVERS);
	/* The failed member is not active, so it is not among the senders. */
	announce_start(group, ~0UL);
	vipfo_netlink_notify_failover(member, reason, detector, gfp);
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
	if (!live_members(member->group, ~BIT(member->id), live))
		announce_start(member->group, BIT(member->id));
	vipfo_netlink_notify_recover(member, detector, gfp);
}

static void hold_expired(struct timer_list *t)
{
	struct vipfo_hold *h = from_timer(h, t, timer);
	struct vipfo_member *member = container_of(h, struct vipfo_member, hold);
	bool held;

	spin_lock(&h->lock);
	held = !h->gone && test_and_clear_bit(VIPFO_MEMBER_HELD, &member->flags);
	spin_unlock(&h->lock);
	/* A failure meanwhile would have ended the hold-down. */
	if (!held || !vipfo_member_live(member))
		return;
	rcu_read_lock();
	member_active(member, h->back_by, GFP_ATOMIC);
	rcu_read_unlock();
}

/*
 * A failed member is live again; like a failure, whichever path sees it
 * first reports it: it becomes active at once, or is held down.
 */
static void member_recovered(struct vipfo_member *member,
			     enum vipfo_detector detector, gfp_t gfp)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];
	struct vipfo_hold *h = &member->hold;
	unsigned long hold = 0;
	bool held = false;

	if (!test_bit(VIPFO_MEMBER_FAILED, &member->flags))
		return;
	if (live_members(member->group, ~BIT(member->id), live))
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
		vipfo_netlink_notify_hold(member, detector, gfp);
	else
		member_active(member, detector, gfp);
}

/* Milliseconds a held down member has left, for dumps and events. */
unsigned int vipfo_failover_held_ms(const struct vipfo_member *member)
{
	long left = READ_ONCE(member->hold.until) - jiffies;

	if (!test_bit(VIPFO_MEMBER_HELD, &member->flags) || left <= 0)
		return 0;
	return jiffies_to_msecs(left);
}

/* Peers that chose this member hold its old MAC: announce the new one. */
static void member_mac_changed(struct vipfo_member *member)
{
	if (!vipfo_member_active(member))
		return;
	announce_start(member->group, BIT(member->id));
	vipfo_netlink_notify_failover(member, VIPFO_REASON_MAC_CHANGE,
				      VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
}

/* The shortest carrier poll of this namespace's groups; NULL: no floor. */
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
		write_lock(&dev_base_lock);
		WRITE_ONCE(dev->operstate,
			   dev->ifindex != dev_get_iflink(dev) ?
			   IF_OPER_LOWERLAYERDOWN : IF_OPER_DOWN);
		write_unlock(&dev_base_lock);
		netdev_state_change(dev);
	}
	rtnl_unlock();
}

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

/*
 * After a change of a group's carrier_poll, members or existence, under
 * RTNL. A shorter interval takes effect at once, not when the timer armed
 * with the old one expires; with nothing to poll the timer stops. Under
 * the lock the callback takes to re-arm itself, so that the two never
 * both arm it.
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

/*
 * A group goes: a poll in progress may still hold its members and start
 * its announcements. Wait for it, then poll on without the group. The
 * poll never takes RTNL, so waiting for it here is safe.
 */
void vipfo_carrier_poll_sync(struct vipfo_net *vn)
{
	ASSERT_RTNL();
	hrtimer_cancel(&vn->carrier_timer);
	vipfo_carrier_poll_update(vn);
}

/* The namespace goes, after its groups. */
void vipfo_carrier_poll_stop(struct vipfo_net *vn)
{
	hrtimer_cancel(&vn->carrier_timer);
	cancel_delayed_work_sync(&vn->carrier_report);
}

/* A member added while down must report its recovery, not a failure. */
void vipfo_failover_member_added(struct vipfo_member *member)
{
	struct vipfo_hold *h = &member->hold;

	timer_setup(&h->timer, hold_expired, 0);
	spin_lock_init(&h->lock);
	h->active_since = jiffies;
	if (!vipfo_member_live(member))
		set_bit(VIPFO_MEMBER_FAILED, &member->flags);
}

/*
 * Unlinked from its group: its hold-down ends, and nothing arms it again
 * (the carrier poll may still see it until a grace period has passed).
 * Under RTNL, so waiting for a running timer is fine: it takes no lock
 * that RTNL holders take.
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

/*
 * A member leaves its group while it may still be live (vipctl dev del,
 * or its device can no longer be one): peers that chose it must move, as
 * after a failure. Called between vipfo_member_unlink(), so that it is not
 * among the senders, and vipfo_member_free().
 */
void vipfo_failover_member_left(struct vipfo_member *member,
				enum vipfo_reason reason)
{
	ASSERT_RTNL();
	member_failed(member, reason, VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
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
		member_failed(member, dev->dismantle ?
			      VIPFO_REASON_UNREGISTER :
			      VIPFO_REASON_ADMIN_DOWN,
			      VIPFO_DETECTED_BY_NOTIFIER, GFP_KERNEL);
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
		if (vipfo_member_no_carrier(member))
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

int vipfo_failover_init(void)
{
	return register_netdevice_notifier(&vipfo_netdev_notifier);
}

void vipfo_failover_uninit(void)
{
	unregister_netdevice_notifier(&vipfo_netdev_notifier);
}
