// SPDX-License-Identifier: GPL-2.0
/*
 * Announcements: the rounds of gratuitous ARPs (IPv4 VIPs) and unsolicited
 * neighbour advertisements (IPv6 VIPs) that the failover policy
 * (failover.c) starts, and the answer to another host's claim on a VIP.
 * Small rounds leave from the notifier itself; large ones go to a work
 * item, so that thousands of VIPs are never sent while holding RTNL, and
 * are paced by the transmit queues. The work reads the group under RCU
 * only and never takes RTNL, so RTNL holders may wait for it: a round ends
 * as soon as its members are gone, and waits for a full queue only so
 * long. When another host claims one of our VIPs, the live members
 * announce that VIP again (see vipfo_announce_conflict()).
 */

#include <linux/delay.h>
#include <linux/rtnetlink.h>

#include "announce.h"
#include "arp_out.h"
#include "ndisc_out.h"
#include "group.h"
#include "net.h"
#include "netlink_notify.h"
#include "ratelimit.h"
#include "tx.h"
#include "vip.h"

/* Frames one round may send from the notifier before it is deferred. */
#define INLINE_FRAMES	64
/*
 * The pacing of a round sent by the work. Each member's announcements are
 * charged to a socket of its own until they are freed (tx.c), so the work
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

/**
 * vipfo_live_members() - Collect a group's active members among a mask
 * @group: the group
 * @members: a mask of member ids
 * @live: filled with the active members among @members, in list order;
 *        room for VIPFO_MAX_MEMBERS
 *
 * Context: RCU read-side critical section, or RTNL held: the members in
 * @live are valid as long as it lasts.
 * Return: how many members @live holds.
 */
unsigned int vipfo_live_members(struct vipfo_group *group,
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

/*
 * A gratuitous ARP for an IPv4 VIP, an unsolicited neighbour advertisement
 * for an IPv6 one. 0, or an error: -ENOBUFS when a full queue dropped the
 * frame.
 */
static int announce(struct vipfo_member *member, const struct in6_addr *addr)
{
	if (ipv6_addr_v4mapped(addr))
		return vipfo_arp_send_garp(member, addr->s6_addr32[3]);
	return vipfo_ndisc_send_unsol_na(member, addr);
}

static void announce_lost(struct vipfo_member *member)
{
	vipfo_stats_inc(member->stats, VIPFO_TX_ERRORS);
	vipfo_stats_inc(member->group->stats, VIPFO_TX_ERRORS);
}

static struct vipfo_vip *next_vip(struct vipfo_group *group,
				  struct vipfo_vip *vip)
{
	return list_next_or_null_rcu(&group->vips, &vip->group_node,
				     struct vipfo_vip, group_node);
}

/*
 * Where rounds from @from start: the VIP itself when it is still the
 * group's, else the head; callers skip what is older than @from.
 * Context: RCU read-side critical section.
 */
static struct vipfo_vip *first_vip(struct vipfo_group *group,
				   const struct vipfo_round_vip *from)
{
	struct vipfo_vip *vip = NULL;

	if (from->seq)
		vip = vipfo_vip_lookup(group->vn, &from->addr);
	if (vip && vip->group == group && vip->seq == from->seq)
		return vip;
	return list_first_or_null_rcu(&group->vips, struct vipfo_vip,
				      group_node);
}

/* At most how many VIPs a round from @from has. */
static unsigned int round_size(struct vipfo_group *group,
			       const struct vipfo_round_vip *from)
{
	u64 n = READ_ONCE(group->n_vips);

	if (from->seq)
		n = min(n, READ_ONCE(group->vip_seq) - from->seq + 1);
	return n;
}

/*
 * A small round, the VIPs from @from to @upto, sent at once from the
 * notifier or the carrier poll.
 */
static void announce_round_now(struct vipfo_group *group,
			       unsigned long members,
			       const struct vipfo_round_vip *from, u64 upto)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS], *member;
	unsigned int n, seq = 0, i;
	struct vipfo_vip *vip;

	rcu_read_lock();
	n = vipfo_live_members(group, members, live);
	for (vip = first_vip(group, from); vip; vip = next_vip(group, vip)) {
		if (vip->seq < from->seq)
			continue;
		if (vip->seq > upto)
			break;
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
		n = vipfo_live_members(group, members, live);
		for (; i < n; i++, tries = 0, naps = 0, deadline = 0) {
			member = sender(live, n, seq, i);
			quota = &r->queued_max[member->id];
			queued = vipfo_tx_queued(member);
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

static void round_start(struct vipfo_round *r,
			const struct vipfo_round_vip *from, u64 upto)
{
	r->first = VIPFO_ROUND_QUEUED;
	r->next = VIPFO_ROUND_QUEUED;
	r->end = VIPFO_ROUND_QUEUED;
	r->from = *from;
	r->last_seq = upto;
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
 * is at the end of the list now); when all of them are gone (or none was
 * copied yet), from the round's first VIP, past what was copied. VIPs
 * added after the round's last are not part of it. Returns false when the
 * round has no VIP left.
 */
static bool round_copy(struct vipfo_group *group, struct vipfo_round *r)
{
	unsigned int keep = min(r->end - r->first, VIPFO_ROUND_QUEUED), i;
	struct vipfo_vip *vip = NULL;
	/* Older than the round's first VIP: as good as copied. */
	u64 copied = r->from.seq ? r->from.seq - 1 : 0;

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
	vip = vip ? next_vip(group, vip) : first_vip(group, &r->from);
	for (; vip; vip = next_vip(group, vip)) {
		if (vip->seq <= copied)
			continue;
		if (vip->seq > r->last_seq || r->end == ARRAY_SIZE(r->vips))
			break;
		r->vips[r->end].addr = vip->addr;
		r->vips[r->end++].seq = vip->seq;
	}
	r->copied_all = !vip || vip->seq > r->last_seq;
	rcu_read_unlock();
	return r->end > r->next;
}

/*
 * A round from the work, the VIPs from @from to @upto, paced by the
 * members' queues (see QUEUE_WAIT_US above). Returns false when a newer
 * failover asked for a fresh round before this one was done.
 */
static bool announce_round_paced(struct vipfo_group *group,
				 unsigned long members,
				 const struct vipfo_round_vip *from, u64 upto)
{
	struct vipfo_announce *a = &group->announce;
	struct vipfo_round *r = &a->round;
	unsigned long slept = jiffies;
	unsigned int seq = 0;
	int back;

	round_start(r, from, upto);
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
		 * hence a quiescent state, and keeps grace periods as short as
		 * when idle (bench/announce_rcu.sh measures it).
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
	if (!announce_round_paced(group, members, &from, upto) || !more)
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
 * New rounds small enough begin at once, from the caller.
 */
static void announce_from(struct vipfo_group *group, unsigned long members,
			  const struct vipfo_round_vip *from)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];
	struct vipfo_announce *a = &group->announce;
	struct vipfo_rounds r = { .members = members, .from = *from };
	bool small, begin = false, wait = false, pending;
	unsigned long delay = 0;
	u64 upto = 0;

	/* garp_count 0: the group answers, never announces. */
	r.left = READ_ONCE(group->garp_count);
	if (!r.left)
		return;
	small = round_size(group, from) *
		vipfo_live_members(group, members, live) <= INLINE_FRAMES;
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
		delay = msecs_to_jiffies(READ_ONCE(group->garp_interval));
	}
	pending = a->cur.left || a->next.left;
	spin_unlock_bh(&a->lock);
	if (upto)
		announce_round_now(group, members, from, upto);
	/*
	 * VIPs that wait for rounds under way leave the work alone: it runs
	 * again after each of those rounds, and takes them after the last.
	 * Queued now, it would send the next round as soon as this one ends,
	 * not garp_interval after it began.
	 */
	if (!pending || wait)
		return;
	/*
	 * Not a high-priority worker: on the notifier's CPU it would preempt
	 * the notifier while it still holds RTNL.
	 */
	mod_delayed_work(system_unbound_wq, &a->work, delay);
}

/**
 * vipfo_announce_at_once() - Whether a failover's first round goes at once
 * @group: the group
 * @members: a mask of the ids of the members to announce from
 *
 * Small enough, vipfo_announce_start() sends it from its caller; else the
 * announcement's work does, woken at once.
 *
 * Context: RCU read-side critical section, or RTNL held.
 * Return: true when the first round would go from the caller.
 */
bool vipfo_announce_at_once(struct vipfo_group *group, unsigned long members)
{
	static const struct vipfo_round_vip all_vips;
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];

	return READ_ONCE(group->garp_count) &&
	       round_size(group, &all_vips) *
	       vipfo_live_members(group, members, live) <= INLINE_FRAMES;
}

/**
 * vipfo_announce_start() - Start (or restart) a group's announcement rounds
 * @group: the group
 * @members: a mask of the ids of the members to announce from; those not
 *           active when a round runs are skipped
 *
 * Every VIP, garp_count rounds, garp_interval apart. A round small enough
 * is sent at once, from the caller; the rest go to a work item. Rounds
 * still pending start afresh, from their members and @members.
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
	struct vipfo_member *live[VIPFO_MAX_MEMBERS], *from;
	struct vipfo_group *group = member->group;
	unsigned long last = READ_ONCE(vip->defended), now = jiffies;
	unsigned int n, i, seq;

	if (time_before(now, last + HZ) ||
	    !try_cmpxchg(&vip->defended, &last, now))
		return;
	n = answered ? 0 : vipfo_live_members(group, ~0UL, live);
	if (n && READ_ONCE(group->garp_count) && vipfo_ratelimit_spend(group, n)) {
		/* The low 32 bits of either family's address. */
		seq = ntohl(vip->addr.s6_addr32[3]);
		for (i = 0; i < n; i++) {
			from = sender(live, n, seq, i);
			if (announce(from, &vip->addr))
				announce_lost(from);
		}
	}
	vipfo_netlink_notify_conflict(member, vip, mac);
}
