// SPDX-License-Identifier: GPL-2.0
/*
 * What the receive paths of both families (arp_in.c, ndisc_in.c) do with
 * a peer's request for a VIP: every live member of the VIP's group
 * answers with its own MAC, within the group's reply budget; beyond it,
 * the receiving member alone. And with another host's claim on a VIP: it
 * is counted, and answered (announce.c).
 */

#include <linux/etherdevice.h>
#include <linux/jhash.h>

#include "answer.h"
#include "announce.h"
#include "arp_out.h"
#include "group.h"
#include "ndisc_out.h"
#include "ratelimit.h"
#include "request.h"
#include "seen.h"
#include "vip.h"

u32 vipfo_request_seed __read_mostly;

/* One reply from @member, counted. */
static void reply(struct vipfo_member *member, const struct vipfo_request *req)
{
	enum vipfo_counter counter = VIPFO_REPLIES;
	int err;

	if (req->family == AF_INET)
		err = vipfo_arp_reply(member, req);
	else
		err = vipfo_ndisc_reply(member, req);
	if (err)
		counter = VIPFO_TX_ERRORS;
	vipfo_stats_inc(member->stats, counter);
	vipfo_stats_inc(member->group->stats, counter);
}

/*
 * Beyond the budget: one reply, from the member the request arrived on,
 * or, while that one is not active (held down), from the first that is.
 */
static void reply_from_one(struct vipfo_group *group,
			   struct vipfo_member *member,
			   const struct vipfo_request *req)
{
	if (!vipfo_member_active(member)) {
		list_for_each_entry_rcu(member, &group->members, group_node)
			if (vipfo_member_active(member))
				break;
		if (list_entry_is_head(member, &group->members, group_node))
			return;
	}
	reply(member, req);
}

static u32 requester_hash(const struct vipfo_request *req)
{
	if (req->family == AF_INET)
		return jhash_1word((__force u32)req->sip, vipfo_request_seed);
	return jhash2((const u32 *)&req->saddr, 4, vipfo_request_seed);
}

/*
 * Every active member replies, or none when the group's budget cannot pay
 * for all of them: false then (the caller answers from one). A Linux
 * requester keeps the first reply, so the round starts at a member picked
 * by the requester's address: peers spread over the adapters instead of
 * all landing on the first one.
 */
static bool reply_from_all(struct vipfo_group *group,
			   const struct vipfo_request *req)
{
	struct vipfo_member *member;
	unsigned int live = 0, first, i, pass;

	list_for_each_entry_rcu(member, &group->members, group_node)
		live += vipfo_member_active(member);
	if (!live)
		return true;
	if (!vipfo_ratelimit_spend(group, live))
		return false;
	first = reciprocal_scale(requester_hash(req), live);

	for (pass = 0; pass < 2; pass++) {
		i = 0;
		list_for_each_entry_rcu(member, &group->members, group_node) {
			if (!vipfo_member_active(member))
				continue;
			if ((i++ >= first) == !pass)
				reply(member, req);
		}
	}
	return true;
}

/**
 * vipfo_from_member() - Whether a MAC is one of a group's members'
 * @group: the group
 * @mac: the MAC, or NULL
 *
 * Context: RCU read-side critical section.
 * Return: true when a member of @group has @mac.
 */
bool vipfo_from_member(const struct vipfo_group *group, const u8 *mac)
{
	const struct vipfo_member *member;

	if (!mac)
		return false;
	list_for_each_entry_rcu(member, &group->members, group_node)
		if (ether_addr_equal(member->dev->dev_addr, mac))
			return true;
	return false;
}

/**
 * vipfo_answer() - Answer a peer's request for a VIP
 * @member: the member it arrived on
 * @req: the request (an ARP request, a neighbour solicitation)
 * @first: whether this is its first copy (vipfo_first_copy()): a sibling
 *         copy is counted by @member, and not answered again
 *
 * Context: RCU read-side critical section (a hook, in softirq).
 */
void vipfo_answer(struct vipfo_member *member, const struct vipfo_request *req,
		  bool first)
{
	struct vipfo_group *group = member->group;

	vipfo_stats_inc(member->stats, VIPFO_REQUESTS);
	if (!first)
		return;
	vipfo_stats_inc(group->stats, VIPFO_REQUESTS);
	/*
	 * Beyond the budget, one reply per request, as the kernel would give:
	 * no amplification, and no peer left without an answer by another's
	 * flood.
	 */
	if (!reply_from_all(group, req)) {
		reply_from_one(group, member, req);
		vipfo_stats_inc(member->stats, VIPFO_RATE_LIMITED);
		vipfo_stats_inc(group->stats, VIPFO_RATE_LIMITED);
	}
}

/**
 * vipfo_claimed() - Whether a frame claims a VIP for another host
 * @group: the group of the member the frame arrived on
 * @vip: the VIP the frame says its sender has, or NULL
 * @mac: the sender MAC it gives
 * @checked: set to whether @mac is known to be no device of ours
 *
 * A claim names a VIP of @group with a MAC of no device of ours: neither
 * a member's (our own announcements and requests, heard on a sibling) nor
 * any other device's of the namespace (the host's own requests through a
 * non-member adapter on the same segment). That walk over the namespace's
 * devices is rate-limited (vipfo_claim_sender()): a claim whose MAC was
 * not checked is counted, but *@checked is false and it is neither
 * answered nor reported.
 *
 * Context: RCU read-side critical section (a hook, in softirq).
 * Return: @vip when the frame claims it, or NULL.
 */
struct vipfo_vip *vipfo_claimed(struct vipfo_group *group,
				struct vipfo_vip *vip, const u8 *mac,
				bool *checked)
{
	enum vipfo_claim_sender sender;

	if (!vip || vip->group != group || !mac ||
	    !is_valid_ether_addr(mac) || vipfo_from_member(group, mac))
		return NULL;
	sender = vipfo_claim_sender(group->vn, group, vip, mac);
	if (sender == VIPFO_SENDER_OURS)
		return NULL;
	*checked = sender == VIPFO_SENDER_OTHER;
	return vip;
}

/**
 * vipfo_claim_seen() - Count another host's claim on a VIP, and answer it
 * @member: the member it arrived on
 * @vip: the claimed VIP, of @member's group
 * @mac: the claim's sender MAC
 * @first: whether this is its first copy (vipfo_first_copy())
 * @checked: whether @mac is known to be no device of ours
 *           (vipfo_claim_sender()): only then is the claim answered and
 *           reported
 * @answered: a DAD probe, which vipfo_answer() answers to all nodes: the
 *            claim is reported, and no second announcement sent
 *
 * Context: RCU read-side critical section (a hook, in softirq).
 */
void vipfo_claim_seen(struct vipfo_member *member, struct vipfo_vip *vip,
		      const u8 *mac, bool first, bool checked, bool answered)
{
	vipfo_stats_inc(member->stats, VIPFO_CONFLICTS);
	if (!first)
		return;
	vipfo_stats_inc(member->group->stats, VIPFO_CONFLICTS);
	if (checked)
		vipfo_announce_conflict(member, vip, mac, answered);
}
