// SPDX-License-Identifier: GPL-2.0
/*
 * Announcements: when the rounds of gratuitous ARPs (IPv4 VIPs) and
 * unsolicited neighbour advertisements (IPv6 VIPs) go, which the failover
 * policy (failover.c) asks for: garp_count rounds, garp_interval apart,
 * the first small one at once from the caller, large ones and the rest
 * from a work item (how a round is sent: round.c). And the answer to
 * another host's claim on a VIP (see vipfo_announce_conflict()).
 */

#include <linux/rtnetlink.h>

#include "announce.h"
#include "group.h"
#include "netlink_notify.h"
#include "ratelimit.h"
#include "round.h"
#include "vip.h"

static void announce_work(struct work_struct *work)
{
	struct vipfo_announce *a =
		container_of(to_delayed_work(work), struct vipfo_announce, work);
	struct vipfo_group *group =
		container_of(a, struct vipfo_group, announce);
	unsigned long start = jiffies, delay = 0, members;
	struct vipfo_round_vip from;
	bool last, more;
	u64 upto;

	spin_lock_bh(&a->lock);
	/* Rounds still due when garp_count was set to 0 are not sent. */
	if (!READ_ONCE(group->garp_count)) {
		a->cur.left = 0;
		a->next.left = 0;
	}
	/* The rounds before are done: the VIPs added since, their turn. */
	if (!a->cur.left) {
		a->cur = a->next;
		a->next.left = 0;
		a->next.members = 0;
		a->upto = 0;
	}
	/* Running now, it takes what vipfo_announce_wake() would queue it for. */
	a->wake = false;
	if (!a->cur.left) {
		a->cur.members = 0;
		spin_unlock_bh(&a->lock);
		return;
	}
	/* The first round fixes the last VIP of them all. */
	if (!a->upto)
		a->upto = a->cur.from.seq ? a->known : READ_ONCE(group->vip_seq);
	members = a->cur.members;
	from = a->cur.from;
	upto = a->upto;
	last = !--a->cur.left;
	more = !last || a->next.left;
	WRITE_ONCE(a->restart, false);
	spin_unlock_bh(&a->lock);

	/* Cut short: the work is queued again for the fresh round. */
	if (!vipfo_round_paced(group, &a->round, members, &from, upto) ||
	    !more)
		return;
	/*
	 * The next round garp_interval after this one began, if it can; the
	 * VIPs that waited for these rounds to end, at once.
	 */
	if (!last) {
		delay = msecs_to_jiffies(READ_ONCE(group->garp_interval));
		delay -= min(delay, jiffies - start);
	}
	queue_delayed_work(system_unbound_wq, &a->work, delay);
}

/**
 * vipfo_announce_init() - Set up a new group's announcement work
 * @group: the group, not linked yet
 *
 * Context: RTNL held.
 */
void vipfo_announce_init(struct vipfo_group *group)
{
	INIT_DELAYED_WORK(&group->announce.work, announce_work);
	spin_lock_init(&group->announce.lock);
}

/**
 * vipfo_announce_cancel() - Drop a group's pending rounds
 * @group: the group, whose members are gone already
 *
 * Waits for a round in progress, which ends as soon as its members are
 * gone.
 *
 * Context: Process context; sleeps. RTNL may be held: the work never
 * takes it.
 */
void vipfo_announce_cancel(struct vipfo_group *group)
{
	cancel_delayed_work_sync(&group->announce.work);
}

/*
 * Rounds @r merged into @into: from the older first VIP, from the members
 * of both, the most rounds. Rounds all sent are none: their members too.
 */
static void rounds_merge(struct vipfo_rounds *into, const struct vipfo_rounds *r)
{
	if (!r->left)
		return;
	if (!into->left) {
		*into = *r;
		return;
	}
	if (r->from.seq < into->from.seq)
		into->from = r->from;
	into->members |= r->members;
	into->left = max(into->left, r->left);
}

/*
 * garp_count rounds from @from, garp_interval apart, each VIP once per
 * round. A failover (from the head) cuts a round in progress short for a
 * fresh one of every VIP, and takes in the rounds still pending. VIPs just
 * added join the rounds pending when these have not begun; else they wait
 * for them to end, as they are not part of them and those may be long.
 * New rounds small enough begin at once, from the caller; when the work is
 * due at once, vipfo_announce_wake() queues it.
 */
static void announce_from(struct vipfo_group *group, unsigned long members,
			  const struct vipfo_round_vip *from)
{
	struct vipfo_announce *a = &group->announce;
	struct vipfo_rounds r = { .members = members, .from = *from };
	bool small, begin = false, wait = false, pending;
	u64 upto = 0;

	/* garp_count 0: the group answers, never announces. */
	r.left = READ_ONCE(group->garp_count);
	if (!r.left)
		return;
	small = vipfo_round_small(group, members, from);
	spin_lock_bh(&a->lock);
	/* VIPs are added under RTNL, these all before their rounds are asked. */
	if (from->seq)
		a->known = READ_ONCE(group->vip_seq);
	if (!from->seq) {
		rounds_merge(&r, &a->next);
		rounds_merge(&a->cur, &r);
		a->cur.from = *from;
		a->next.left = 0;
		a->next.members = 0;
		a->upto = 0;
		WRITE_ONCE(a->restart, true);
		begin = true;
	} else if (a->next.left || (a->cur.left && a->upto)) {
		rounds_merge(&a->next, &r);
		wait = true;
	} else if (!a->cur.left) {
		a->cur = r;
		a->upto = 0;
		begin = true;
	} else {
		rounds_merge(&a->cur, &r);
	}
	if (begin && small) {
		/* The first round, here: it fixes the last VIP of them all. */
		upto = from->seq ? a->known : READ_ONCE(group->vip_seq);
		a->upto = upto;
		a->cur.left--;
	}
	pending = a->cur.left || a->next.left;
	/*
	 * VIPs that wait for rounds under way leave the work alone: it runs
	 * again after each of those rounds, and takes them after the last.
	 * Queued now, it would send the next round as soon as this one ends,
	 * not garp_interval after it began.
	 */
	if (pending && !wait && !upto)
		a->wake = true;
	spin_unlock_bh(&a->lock);
	if (!upto)
		return;
	vipfo_round_now(group, members, from, upto);
	/* The next round: a timer, which wakes nobody now. */
	if (pending)
		mod_delayed_work(system_unbound_wq, &a->work,
				 msecs_to_jiffies(READ_ONCE(group->garp_interval)));
}

/**
 * vipfo_announce_start() - Start (or restart) a group's announcement rounds
 * @group: the group
 * @members: a mask of the ids of the members to announce from; those not
 *           active when a round runs are skipped
 *
 * Every VIP, garp_count rounds, garp_interval apart. A first round small
 * enough is sent at once, from here; the rest go to a work item. Rounds
 * still pending start afresh, from their members and @members. The caller
 * reports its event, then calls vipfo_announce_wake().
 *
 * Context: RTNL held (the notifier, netlink), or an RCU read-side critical
 * section in softirq (the carrier poll, the hold-down timer). Does not
 * sleep.
 */
void vipfo_announce_start(struct vipfo_group *group, unsigned long members)
{
	static const struct vipfo_round_vip all_vips;

	announce_from(group, members, &all_vips);
}

/**
 * vipfo_announce_wake() - Queue the work for rounds due at once
 * @group: the group, after vipfo_announce_start()
 *
 * Apart from vipfo_announce_start(), so that its caller's event goes
 * between them: a small first round goes before the event, which then
 * does not delay the first frames; a large one is the work's, and the
 * work woken before the event could take this CPU from the caller at the
 * event's GFP_KERNEL allocation, with RTNL held (the fan-out bench saw the
 * notifier held off for 12 ms that way). The work is not a high-priority
 * one for the same reason.
 *
 * Context: as vipfo_announce_start().
 */
void vipfo_announce_wake(struct vipfo_group *group)
{
	struct vipfo_announce *a = &group->announce;
	bool wake;

	spin_lock_bh(&a->lock);
	wake = a->wake;
	a->wake = false;
	spin_unlock_bh(&a->lock);
	if (wake)
		mod_delayed_work(system_unbound_wq, &a->work, 0);
}

/**
 * vipfo_announce_added() - Announce the VIPs just added to a group
 * @group: the group
 * @first: the first of them; the others were added after it
 *
 * From every live member, garp_count rounds as after a failure, the first
 * at once when small enough; rounds already pending include them.
 *
 * Context: RTNL held. Does not sleep.
 */
void vipfo_announce_added(struct vipfo_group *group, struct vipfo_vip *first)
{
	struct vipfo_round_vip from = { .addr = first->addr, .seq = first->seq };

	ASSERT_RTNL();
	announce_from(group, ~0UL, &from);
	vipfo_announce_wake(group);
}

/**
 * vipfo_announce_conflict() - Answer another host's claim on a VIP
 * @member: the member the claim arrived on
 * @vip: the claimed VIP
 * @mac: the claim's sender MAC
 * @answered: the claim was a DAD probe, which every live member has
 *            answered to all nodes already: that is the announcement
 *
 * Every live member announces the VIP again, once, in the rotating order
 * of a failover round (a peer keeps the last update it hears); with
 * garp_count 0 nothing is announced, the claim only reported. Two hosts
 * fighting over an address must not make an ARP storm: a VIP is answered
 * at most once a second, the event likewise, and the frames are paid from
 * the group's reply budget, so claims on thousands of VIPs at once are
 * bounded too.
 *
 * Context: RCU read-side critical section (a hook, in softirq): one
 * frame per member, sent right here.
 */
void vipfo_announce_conflict(struct vipfo_member *member,
			     struct vipfo_vip *vip, const u8 *mac,
			     bool answered)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];
	struct vipfo_group *group = member->group;
	unsigned long last = READ_ONCE(vip->defended), now = jiffies;
	unsigned int n;

	if (time_before(now, last + HZ) ||
	    !try_cmpxchg(&vip->defended, &last, now))
		return;
	n = answered ? 0 : vipfo_live_members(group, ~0UL, live);
	/* The members' order from the low 32 bits of either family's address. */
	if (n && READ_ONCE(group->garp_count) && vipfo_ratelimit_spend(group, n))
		vipfo_round_send_vip(live, n, ntohl(vip->addr.s6_addr32[3]),
				     &vip->addr);
	vipfo_netlink_notify_conflict(member, vip, mac);
}
