// SPDX-License-Identifier: GPL-2.0
/*
 * A round of announcements: every VIP of a group (or those from one on),
 * once from every live member, gratuitous ARPs for IPv4 VIPs and
 * unsolicited neighbour advertisements for IPv6 ones. A small round is
 * sent at once by its caller; a large one by the announcement's work
 * (announce.c decides which, and when), paced by the members' transmit
 * queues so that thousands of frames are neither dropped nor sent while
 * holding RTNL. The work reads the group under RCU only and never takes
 * RTNL, so RTNL holders may wait for it: a round ends as soon as its
 * members are gone, and waits for a full queue only so long.
 */

#include <linux/delay.h>
#include <linux/rtnetlink.h>

#include "arp_out.h"
#include "group.h"
#include "ndisc_out.h"
#include "net.h"
#include "round.h"
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

/**
 * vipfo_round_send_vip() - One VIP of a round, from every live member
 * @live: the live members
 * @n: how many
 * @seq: the VIP's position in its round, which sets the members' order
 * @addr: the VIP
 *
 * Each frame a queue refuses counts as lost (tx_errors): this is for a
 * round sent at once, which does not wait for queues.
 *
 * Context: RCU read-side critical section, or RTNL held.
 */
void vipfo_round_send_vip(struct vipfo_member **live, unsigned int n,
			  unsigned int seq, const struct in6_addr *addr)
{
	struct vipfo_member *member;
	unsigned int i;

	for (i = 0; i < n; i++) {
		member = sender(live, n, seq, i);
		if (announce(member, addr))
			announce_lost(member);
	}
}

/**
 * vipfo_round_small() - Whether a round may go at once, from its caller
 * @group: the group
 * @members: a mask of the ids of the members to announce from
 * @from: the round's first VIP (seq 0: every VIP)
 *
 * A round of at most INLINE_FRAMES frames goes from the notifier, the
 * carrier poll or netlink; a larger one from the announcement's work.
 *
 * Context: RCU read-side critical section, or RTNL held.
 * Return: true when the round is small enough to go at once.
 */
bool vipfo_round_small(struct vipfo_group *group, unsigned long members,
		       const struct vipfo_round_vip *from)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];

	return round_size(group, from) *
	       vipfo_live_members(group, members, live) <= INLINE_FRAMES;
}

/**
 * vipfo_round_now() - A round sent at once
 * @group: the group
 * @members: a mask of the ids of the members to announce from
 * @from: the round's first VIP (seq 0: every VIP)
 * @upto: the seq of its last VIP
 *
 * For a small round (vipfo_round_small()), from the notifier, the carrier
 * poll or netlink.
 *
 * Context: RTNL held, or an RCU read-side critical section. Does not sleep.
 */
void vipfo_round_now(struct vipfo_group *group, unsigned long members,
		     const struct vipfo_round_vip *from, u64 upto)
{
	struct vipfo_member *live[VIPFO_MAX_MEMBERS];
	unsigned int n, seq = 0;
	struct vipfo_vip *vip;

	rcu_read_lock();
	n = vipfo_live_members(group, members, live);
	for (vip = first_vip(group, from); vip; vip = next_vip(group, vip)) {
		if (vip->seq < from->seq)
			continue;
		if (vip->seq > upto)
			break;
		vipfo_round_send_vip(live, n, seq++, &vip->addr);
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
static int vip_paced(struct vipfo_group *group, unsigned long members,
		     struct vipfo_round *r, unsigned int seq)
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

/**
 * vipfo_round_paced() - A round paced by the members' queues
 * @group: the group
 * @r: the round's state, the work's own
 * @members: a mask of the ids of the members to announce from
 * @from: the round's first VIP (seq 0: every VIP)
 * @upto: the seq of its last VIP
 *
 * Sends the VIPs from @from to @upto from every live member, keeping a few
 * frames in each member's queues (see QUEUE_WAIT_US above). Ends early when
 * the group's announcement asks for a fresh round (a newer failover), or
 * when no member is left.
 *
 * Context: Process context (the announcement's work); sleeps. Never takes
 * RTNL.
 * Return: false when it ended early for a fresh round.
 */
bool vipfo_round_paced(struct vipfo_group *group, struct vipfo_round *r,
		       unsigned long members,
		       const struct vipfo_round_vip *from, u64 upto)
{
	struct vipfo_announce *a = &group->announce;
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
		back = vip_paced(group, members, r, seq);
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
