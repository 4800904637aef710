/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vipfo: every adapter answers for the virtual IPs with its own MAC, and
 * the survivors announce them when one adapter fails.
 *
 * Generic netlink family "vipfo", version 1. State is per network
 * namespace. Commands that change state need CAP_NET_ADMIN in the user
 * namespace owning the network namespace; reading is open to everyone.
 * A request is applied completely or not at all; every rejection carries
 * an extended ack message naming the offending attribute. A namespace
 * holds at most max_groups groups and max_vips VIPs (module parameters,
 * default 4096 and 1048576): a request past one gets ENOSPC.
 *
 * Documentation/netlink/specs/vipfo.yaml describes this protocol too, and
 * scripts/spec-check keeps the two in agreement. Ranges are inclusive; MIN
 * is 0 where no VIPFO_*_MIN constant says otherwise.
 *
 * VIPFO_CMD_GROUP_NEW (reply: the group as in GET)
 *   VIPFO_A_GROUP_NAME            string, required, 1 to
 *                                 VIPFO_GROUP_NAME_SIZE - 1 chars [a-zA-Z0-9_.-]
 *   VIPFO_A_GARP_COUNT            u32, optional, 0..VIPFO_GARP_COUNT_MAX,
 *                                 default 3;
 *                                 0: answer, never announce
 *   VIPFO_A_GARP_INTERVAL         u32 ms, optional, VIPFO_GARP_INTERVAL_MIN..
 *                                 VIPFO_GARP_INTERVAL_MAX, default 200
 *   VIPFO_A_CARRIER_POLL          u32 ms, optional, 0..VIPFO_CARRIER_POLL_MAX,
 *                                 default 5;
 *                                 how often members' carrier is checked
 *                                 besides the device notifier (0 = never;
 *                                 one poll per namespace, at the shortest
 *                                 of its groups'). In a namespace not
 *                                 owned by the initial user namespace 0
 *                                 or at least the module parameter
 *                                 carrier_poll_min (default 10), and by
 *                                 default the larger of 5 and that
 *   VIPFO_A_REPLY_RATE            u32 frames/s, optional,
 *                                 0..VIPFO_REPLY_RATE_MAX,
 *                                 default 100000; most ARP frames the
 *                                 group sends per second in answer to
 *                                 frames it received (0 = no limit)
 *   VIPFO_A_UP_DELAY              u32 ms, optional, 0..VIPFO_UP_DELAY_MAX,
 *                                 default 1000;
 *                                 a member that comes back is held down
 *                                 this long before it answers and
 *                                 announces again, doubled for each flap
 *                                 in a row up to 32 times (0 = at once)
 *   VIPFO_A_DEVS                  nest, optional
 *     VIPFO_A_DEV (repeated)      nest
 *       VIPFO_DEV_A_IFINDEX       u32, required
 *   VIPFO_A_VIPS                  nest, optional
 *     VIPFO_A_VIP (repeated)      nest
 *       VIPFO_VIP_A_FAMILY        u16 AF_INET or AF_INET6, required
 *       VIPFO_VIP_A_ADDR          binary, 4 or 16 bytes by family, required
 *
 * VIPFO_CMD_GROUP_DEL
 *   VIPFO_A_GROUP_NAME            required
 *
 * VIPFO_CMD_GROUP_SET
 *   VIPFO_A_GROUP_NAME            required
 *   VIPFO_A_GARP_COUNT            optional
 *   VIPFO_A_GARP_INTERVAL         optional
 *   VIPFO_A_CARRIER_POLL          optional
 *   VIPFO_A_REPLY_RATE            optional
 *   VIPFO_A_UP_DELAY              optional
 *
 * VIPFO_CMD_DEV_ADD, VIPFO_CMD_DEV_DEL
 *   VIPFO_A_GROUP_NAME            required
 *   VIPFO_A_DEVS                  required, as in GROUP_NEW
 *
 * VIPFO_CMD_VIP_ADD, VIPFO_CMD_VIP_DEL
 *   VIPFO_A_GROUP_NAME            required
 *   VIPFO_A_VIPS                  required, as in GROUP_NEW
 *
 * VIPFO_CMD_GROUP_GET without NLM_F_DUMP: one group, without its VIP list
 *   VIPFO_A_GROUP_NAME            required
 * VIPFO_CMD_GROUP_GET with NLM_F_DUMP: every group (or the one named), each
 * in as many messages as it takes; the first message of a group carries
 * everything but VIPs that did not fit, the following ones repeat
 * VIPFO_A_GROUP_NAME and carry further VIPFO_A_VIPS. A dump interrupted by
 * a change is flagged with NLM_F_DUMP_INTR.
 *   VIPFO_A_GROUP_NAME            string
 *   VIPFO_A_GARP_COUNT            u32
 *   VIPFO_A_GARP_INTERVAL         u32
 *   VIPFO_A_CARRIER_POLL          u32
 *   VIPFO_A_REPLY_RATE            u32
 *   VIPFO_A_UP_DELAY              u32
 *   VIPFO_A_VIP_COUNT             u32, VIPs in the group
 *   VIPFO_A_STATS                 nest of VIPFO_STATS_A_*, u64 each
 *   VIPFO_A_DEVS                  nest
 *     VIPFO_A_DEV (repeated)      nest
 *       VIPFO_DEV_A_IFINDEX       u32
 *       VIPFO_DEV_A_IFNAME        string
 *       VIPFO_DEV_A_MAC           binary, ETH_ALEN
 *       VIPFO_DEV_A_STATE         u8, enum vipfo_dev_state
 *       VIPFO_DEV_A_HELD_MS       u32, while HELD_DOWN: ms it has left
 *       VIPFO_DEV_A_STATS         nest of VIPFO_STATS_A_*
 *   VIPFO_A_VIPS                  nest (dump only)
 *     VIPFO_A_VIP (repeated)      nest: FAMILY, ADDR
 *
 * Notifications, multicast group "events", in the namespace they concern:
 * VIPFO_CMD_CHANGE_NTF: the configuration changed
 *   VIPFO_A_GROUP_NAME, VIPFO_A_CHANGE (u8, the VIPFO_CMD_* applied),
 *   VIPFO_A_DEVS (devices added or removed, or the members of a new or
 *   deleted group), VIPFO_A_VIP_COUNT (VIPs added or removed) and
 *   VIPFO_A_VIPS (those VIPs, when they fit in one message); a DEV_DEL
 *   the kernel made itself also VIPFO_A_REASON (u8: UNREGISTER, the device
 *   went; UNFIT, it can no longer be a member)
 * VIPFO_CMD_FAILOVER_NTF: a member failed (or left its group while live)
 * and the survivors announce
 *   VIPFO_A_GROUP_NAME, VIPFO_A_FAILED_DEV (nest: IFINDEX, IFNAME, MAC),
 *   VIPFO_A_REASON (u8, enum vipfo_reason), VIPFO_A_DETECTED_BY (u8, enum
 *   vipfo_detector), VIPFO_A_DEVS (survivors), VIPFO_A_VIP_COUNT (VIPs
 *   announced by each survivor), VIPFO_A_GARP_COUNT
 * VIPFO_CMD_RECOVER_NTF: a failed member answers and announces again
 *   VIPFO_A_GROUP_NAME, VIPFO_A_DEVS (the recovered device),
 *   VIPFO_A_DETECTED_BY (u8, enum vipfo_detector: who saw it come back)
 * VIPFO_CMD_HOLD_NTF: a failed member came back and is held down (flap
 * damping) before it recovers; a failure meanwhile ends the hold-down
 *   VIPFO_A_GROUP_NAME, VIPFO_A_DEVS (the device, state HELD_DOWN and
 *   VIPFO_DEV_A_HELD_MS: how long), VIPFO_A_DETECTED_BY
 * VIPFO_CMD_CONFLICT_NTF: another host claims a VIP (an ARP request or
 * reply with the VIP as sender IP, or a neighbour advertisement or DAD
 * probe for the VIP, from a MAC of no device of ours arrived on a
 * member); the live members announce the VIP again. At most one per
 * VIP and second, however many such frames arrive.
 *   VIPFO_A_GROUP_NAME, VIPFO_A_VIPS (the VIP), VIPFO_A_DEVS (the member
 *   the frame arrived on), VIPFO_A_PEER_MAC (binary, ETH_ALEN: the sender
 *   MAC of the frame)
 */
#ifndef _UAPI_LINUX_VIPFO_H
#define _UAPI_LINUX_VIPFO_H

#define VIPFO_GENL_NAME		"vipfo"
#define VIPFO_GENL_VERSION	1
#define VIPFO_MCGRP_EVENTS	"events"

/* Longest group name, including the terminating NUL. */
#define VIPFO_GROUP_NAME_SIZE	32
/* Most member adapters in one group. */
#define VIPFO_MAX_MEMBERS	16

/* The ranges of the group options (inclusive). */
#define VIPFO_GARP_COUNT_MAX		100
#define VIPFO_GARP_INTERVAL_MIN		10		/* ms */
#define VIPFO_GARP_INTERVAL_MAX		60000		/* ms */
#define VIPFO_CARRIER_POLL_MAX		1000		/* ms */
#define VIPFO_REPLY_RATE_MAX		10000000	/* frames/s */
#define VIPFO_UP_DELAY_MAX		60000		/* ms */

/* IFA_PROTO value vipctl puts on the local addresses it adds for VIPs. */
#define VIPFO_IFA_PROTO		0x76

enum vipfo_cmd {
	VIPFO_CMD_UNSPEC,
	VIPFO_CMD_GROUP_NEW,
	VIPFO_CMD_GROUP_DEL,
	VIPFO_CMD_GROUP_SET,
	VIPFO_CMD_GROUP_GET,
	VIPFO_CMD_DEV_ADD,
	VIPFO_CMD_DEV_DEL,
	VIPFO_CMD_VIP_ADD,
	VIPFO_CMD_VIP_DEL,
	VIPFO_CMD_CHANGE_NTF,
	VIPFO_CMD_FAILOVER_NTF,
	VIPFO_CMD_RECOVER_NTF,
	VIPFO_CMD_CONFLICT_NTF,
	VIPFO_CMD_HOLD_NTF,

	__VIPFO_CMD_MAX
};
#define VIPFO_CMD_MAX (__VIPFO_CMD_MAX - 1)

enum vipfo_attr {
	VIPFO_A_UNSPEC,
	VIPFO_A_PAD,
	VIPFO_A_GROUP_NAME,
	VIPFO_A_GARP_COUNT,
	VIPFO_A_GARP_INTERVAL,
	VIPFO_A_DEVS,
	VIPFO_A_VIPS,
	VIPFO_A_VIP_COUNT,
	VIPFO_A_STATS,
	VIPFO_A_CHANGE,
	VIPFO_A_FAILED_DEV,
	VIPFO_A_REASON,
	VIPFO_A_DETECTED_BY,
	VIPFO_A_CARRIER_POLL,
	VIPFO_A_REPLY_RATE,
	VIPFO_A_PEER_MAC,
	VIPFO_A_UP_DELAY,

	__VIPFO_A_MAX
};
#define VIPFO_A_MAX (__VIPFO_A_MAX - 1)

/* The only attribute type inside VIPFO_A_DEVS and VIPFO_A_VIPS. */
enum vipfo_list_attr {
	VIPFO_A_LIST_UNSPEC,
	VIPFO_A_DEV,
	VIPFO_A_VIP,

	__VIPFO_A_LIST_MAX
};
#define VIPFO_A_LIST_MAX (__VIPFO_A_LIST_MAX - 1)

enum vipfo_dev_attr {
	VIPFO_DEV_A_UNSPEC,
	VIPFO_DEV_A_IFINDEX,
	VIPFO_DEV_A_IFNAME,
	VIPFO_DEV_A_MAC,
	VIPFO_DEV_A_STATE,
	VIPFO_DEV_A_STATS,
	VIPFO_DEV_A_HELD_MS,

	__VIPFO_DEV_A_MAX
};
#define VIPFO_DEV_A_MAX (__VIPFO_DEV_A_MAX - 1)

enum vipfo_vip_attr {
	VIPFO_VIP_A_UNSPEC,
	VIPFO_VIP_A_FAMILY,
	VIPFO_VIP_A_ADDR,

	__VIPFO_VIP_A_MAX
};
#define VIPFO_VIP_A_MAX (__VIPFO_VIP_A_MAX - 1)

enum vipfo_stats_attr {
	VIPFO_STATS_A_UNSPEC,
	VIPFO_STATS_A_PAD,
	VIPFO_STATS_A_REQUESTS,		/* ARP requests, NSs for a VIP matched */
	VIPFO_STATS_A_REPLIES,		/* ARP replies, solicited NAs sent */
	VIPFO_STATS_A_GARPS,		/* gratuitous ARPs sent */
	VIPFO_STATS_A_FAILOVERS,	/* failovers (group: started; dev: failed) */
	VIPFO_STATS_A_TX_ERRORS,	/* replies or GARPs that could not be sent */
	VIPFO_STATS_A_RATE_LIMITED,	/* over reply_rate: answered by one member */
	VIPFO_STATS_A_CONFLICTS,	/* frames of another host claiming a VIP */
	VIPFO_STATS_A_NAS,		/* unsolicited NAs sent (IPv6's GARPs) */
	/* FAILOVERS by enum vipfo_reason (MAC_CHANGE is no failover) */
	VIPFO_STATS_A_FAILOVERS_ADMIN_DOWN,
	VIPFO_STATS_A_FAILOVERS_CARRIER_LOSS,
	VIPFO_STATS_A_FAILOVERS_UNREGISTER,
	VIPFO_STATS_A_FAILOVERS_REMOVED,
	VIPFO_STATS_A_FAILOVERS_UNFIT,

	__VIPFO_STATS_A_MAX
};
#define VIPFO_STATS_A_MAX (__VIPFO_STATS_A_MAX - 1)

enum vipfo_dev_state {
	VIPFO_DEV_STATE_UP,		/* up with carrier: answers and announces */
	VIPFO_DEV_STATE_NO_CARRIER,	/* admin up, carrier lost */
	VIPFO_DEV_STATE_DOWN,		/* admin down */
	VIPFO_DEV_STATE_HELD_DOWN,	/* back, but held down: it flapped */
};

enum vipfo_reason {
	VIPFO_REASON_ADMIN_DOWN,
	VIPFO_REASON_CARRIER_LOSS,
	VIPFO_REASON_UNREGISTER,
	VIPFO_REASON_MAC_CHANGE,	/* not a failure: VIPs re-announced */
	VIPFO_REASON_REMOVED,		/* taken out of its group (DEV_DEL) */
	VIPFO_REASON_UNFIT,		/* can no longer be a member: it left */
};

enum vipfo_detector {
	VIPFO_DETECTED_BY_NOTIFIER,	/* the kernel's device event */
	VIPFO_DETECTED_BY_POLL,		/* vipfo's own carrier check */
};

#endif /* _UAPI_LINUX_VIPFO_H */
