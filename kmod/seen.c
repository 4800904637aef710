// SPDX-License-Identifier: GPL-2.0
/*
 * The receive paths' two lossy caches, lock-free, one 64-bit word a slot:
 * which members saw a request (its sibling copies get no second round of
 * replies), and whether a MAC that claims a VIP is one of the host's own
 * (see struct vipfo_seen and struct vipfo_claims).
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/jhash.h>
#include <linux/netdevice.h>

#include "group.h"
#include "net.h"
#include "request.h"
#include "seen.h"
#include "vip.h"

/* Sibling copies of one broadcast arrive within microseconds. */
#define SEEN_WINDOW	(HZ / 4)

/* A hash of a request: who asks for what, from which MAC, which kind. */
static u32 request_hash(const struct vipfo_request *req)
{
	const u8 *mac = req->sha ?: req->src;
	u32 words[10] = {
		get_unaligned((const u32 *)mac),
		get_unaligned((const u16 *)(mac + 4)) | req->request << 16 |
			req->family << 17,
	};
	unsigned int n = 2;

	if (req->family == AF_INET) {
		words[n++] = (__force u32)req->sip;
		words[n++] = (__force u32)req->tip;
	} else {
		memcpy(&words[n], &req->saddr, sizeof(req->saddr));
		n += 4;
		memcpy(&words[n], &req->target, sizeof(req->target));
		n += 4;
	}
	return jhash2(words, n, vipfo_request_seed) | 1;
}

/* vipfo_first_copy() at @jif: the self-tests set the clock. */
static bool first_copy(struct vipfo_group *group,
		       const struct vipfo_member *member,
		       const struct vipfo_request *req, unsigned long jif)
{
	u32 key = request_hash(req);
	atomic64_t *slot = &group->seen.slot[key % VIPFO_SEEN_SLOTS];
	u16 now = (u16)jif;
	s64 old = atomic64_read(slot), new;
	bool first;

	do {
		first = (u32)((u64)old >> 32) != key ||
			(u16)(now - (u16)(old >> 16)) >= SEEN_WINDOW ||
			(old & BIT(member->id));
		if (first)
			new = (s64)((u64)key << 32 | (u64)now << 16 |
				    BIT(member->id));
		else
			new = old | BIT(member->id);
	} while (!atomic64_try_cmpxchg(slot, &old, new));
	return first;
}

/* One more walk over the namespace's devices this second? */
static bool claim_walk_allowed(struct vipfo_claims *c, unsigned long now)
{
	long start = atomic_long_read(&c->window);

	/* Not @now read before another CPU started this second. */
	if (time_after_eq(now, (unsigned long)start + HZ) &&
	    atomic_long_try_cmpxchg(&c->window, &start, now))
		atomic_set(&c->checks, 0);
	return atomic_inc_return(&c->checks) <= VIPFO_CLAIM_CHECKS;
}

/* vipfo_claim_sender() at @jif: the self-tests set the clock. */
static enum vipfo_claim_sender claim_sender(struct vipfo_net *vn,
					    struct vipfo_group *group,
					    const struct vipfo_vip *vip,
					    const u8 *mac, unsigned long jif)
{
	u64 addr = ether_addr_to_u64(mac);
	atomic64_t *slot = &group->claims.slot[jhash_2words((u32)addr,
							    (u32)(addr >> 32),
							    vipfo_request_seed) %
					       VIPFO_CLAIM_SLOTS];
	u64 old = atomic64_read(slot);
	u16 now = (u16)jif & 0x7fff;
	bool ours;

	BUILD_BUG_ON(HZ >= 0x8000);
	if (old >> 16 == addr && ((now - ((u16)old >> 1)) & 0x7fff) < HZ)
		return old & 1 ? VIPFO_SENDER_OURS : VIPFO_SENDER_OTHER;
	if (time_before(jif, READ_ONCE(vip->defended) + HZ) ||
	    !claim_walk_allowed(&group->claims, jif))
		return VIPFO_SENDER_UNCHECKED;
	ours = dev_getbyhwaddr_rcu(vn->net, ARPHRD_ETHER, (const char *)mac);
	atomic64_set(slot, addr << 16 | now << 1 | ours);
	return ours ? VIPFO_SENDER_OURS : VIPFO_SENDER_OTHER;
}

/**
 * vipfo_first_copy() - Whether a frame is the first copy of a request
 * @group: the group of @member
 * @member: the member the frame arrived on
 * @req: the frame, of either family
 *
 * Remembers that @member saw @req, in the group's seen cache (see struct
 * vipfo_seen).
 *
 * Context: RCU read-side critical section (a hook, in softirq); lock-free.
 * Return: true for the first copy of a request (or for the same request
 * sent again), false for a sibling copy of one seen on another member.
 */
bool vipfo_first_copy(struct vipfo_group *group,
		      const struct vipfo_member *member,
		      const struct vipfo_request *req)
{
	return first_copy(group, member, req, jiffies);
}

/**
 * vipfo_claim_sender() - Whose is the MAC that claims a VIP
 * @vn: the namespace's state
 * @group: the group of @vip
 * @vip: the claimed VIP
 * @mac: the claim's sender MAC, no member's
 *
 * Known for a second once checked; checked only for a claim that would be
 * answered (@vip not answered within the last second, see
 * vipfo_announce_conflict()) while the group's walks of this second allow
 * it. A slot holds a MAC (bits 63-16), when it was checked (bits 15-1:
 * jiffies, mod 2^15) and whether it is ours (bit 0).
 *
 * Context: RCU read-side critical section (the ARP hook, in softirq).
 * Return: VIPFO_SENDER_OURS for a device of the namespace,
 * VIPFO_SENDER_OTHER for another host, VIPFO_SENDER_UNCHECKED when not
 * known and not checked now.
 */
enum vipfo_claim_sender vipfo_claim_sender(struct vipfo_net *vn,
					   struct vipfo_group *group,
					   const struct vipfo_vip *vip,
					   const u8 *mac)
{
	return claim_sender(vn, group, vip, mac, jiffies);
}

#ifdef VIPFO_DEBUG
#include "selftest/seen.c"
#endif
