// SPDX-License-Identifier: GPL-2.0
// The vipfo generic netlink protocol as pure functions: requests encoded
// into messages, replies and notifications decoded into plain structs. No
// I/O here, so all of it is unit-tested without a kernel.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <linux/vipfo.h>

#include "addr.hpp"
#include "netlink.hpp"

namespace vipctl::proto {

// How many bytes of attributes one request carries at most before the VIP
// list continues in the next request (nla_len is 16 bits, so a nest must
// stay below 64 KiB).
inline constexpr size_t kBatchLimit = 32 * 1024;

// Set with designated initializers: {.garp_count = 3}.
struct GroupOptions {
	std::optional<uint32_t> garp_count = {};
	std::optional<uint32_t> garp_interval = {}; // ms
	std::optional<uint32_t> carrier_poll = {};  // ms, 0: off
	std::optional<uint32_t> reply_rate = {};    // frames/s, 0: no limit
	std::optional<uint32_t> up_delay = {};      // ms, 0: no hold-down
};

// One request and the slice of the VIP list it carries.
struct Request {
	nl::Message msg;
	size_t vip_first = 0;
	size_t vip_count = 0;
};

// Bytes one VIP takes inside VIPFO_A_VIPS.
size_t vip_attr_size(const IpAddr &vip);

// GROUP_NEW with the options, the devices and as many VIPs as fit in
// limit bytes of attributes, then VIP_ADD requests for the rest.
std::vector<Request> encode_group_new(uint16_t family, std::string_view name,
				      const GroupOptions &opts, std::span<const uint32_t> ifindexes,
				      std::span<const IpAddr> vips, size_t limit = kBatchLimit);
nl::Message encode_group_del(uint16_t family, std::string_view name);
nl::Message encode_group_set(uint16_t family, std::string_view name, const GroupOptions &opts);
// cmd: VIPFO_CMD_DEV_ADD or VIPFO_CMD_DEV_DEL.
nl::Message encode_devs(uint16_t family, uint8_t cmd, std::string_view name,
			std::span<const uint32_t> ifindexes);
// cmd: VIPFO_CMD_VIP_ADD or VIPFO_CMD_VIP_DEL; as many requests as the
// limit makes it (at least one).
std::vector<Request> encode_vips(uint16_t family, uint8_t cmd, std::string_view name,
				 std::span<const IpAddr> vips, size_t limit = kBatchLimit);
// Dump of VIPFO_CMD_GROUP_GET, every group or only the one named.
nl::Message encode_group_dump(uint16_t family, std::optional<std::string_view> name);

// What an extended ack offset points at inside a request we sent: a VIP
// or a device (ifindex).
using Culprit = std::variant<std::monostate, IpAddr, uint32_t>;
Culprit locate_offset(const nl::Message &request, uint32_t offset);

// The failovers by reason, as the kernel counts them: each attribute and
// its enum vipfo_reason (a MAC change is no failover).
struct ReasonCounter {
	uint16_t attr; // VIPFO_STATS_A_FAILOVERS_*
	uint8_t reason;
};
inline constexpr std::array<ReasonCounter, 5> kFailoverReasons{{
	{VIPFO_STATS_A_FAILOVERS_ADMIN_DOWN, VIPFO_REASON_ADMIN_DOWN},
	{VIPFO_STATS_A_FAILOVERS_CARRIER_LOSS, VIPFO_REASON_CARRIER_LOSS},
	{VIPFO_STATS_A_FAILOVERS_UNREGISTER, VIPFO_REASON_UNREGISTER},
	{VIPFO_STATS_A_FAILOVERS_REMOVED, VIPFO_REASON_REMOVED},
	{VIPFO_STATS_A_FAILOVERS_UNFIT, VIPFO_REASON_UNFIT},
}};

struct Stats {
	uint64_t requests = 0;
	uint64_t replies = 0;
	uint64_t garps = 0;
	uint64_t failovers = 0;
	uint64_t tx_errors = 0;
	uint64_t rate_limited = 0;
	uint64_t conflicts = 0;
	uint64_t nas = 0;
	// failovers again, in the order of kFailoverReasons
	std::array<uint64_t, kFailoverReasons.size()> failovers_by_reason{};

	bool operator==(const Stats &) const = default;
};

// The counters as the kernel sends them: each attribute, its name in
// `vipctl show --stats` (text and JSON) and its field, in display order.
// A new counter is one line here and one field above.
struct Counter {
	uint16_t attr; // VIPFO_STATS_A_*
	const char *name;
	uint64_t Stats::*field;
};
inline constexpr std::array<Counter, 8> kCounters{{
	{VIPFO_STATS_A_REQUESTS, "requests", &Stats::requests},
	{VIPFO_STATS_A_REPLIES, "replies", &Stats::replies},
	{VIPFO_STATS_A_GARPS, "garps", &Stats::garps},
	{VIPFO_STATS_A_NAS, "nas", &Stats::nas},
	{VIPFO_STATS_A_FAILOVERS, "failovers", &Stats::failovers},
	{VIPFO_STATS_A_TX_ERRORS, "tx_errors", &Stats::tx_errors},
	{VIPFO_STATS_A_RATE_LIMITED, "rate_limited", &Stats::rate_limited},
	{VIPFO_STATS_A_CONFLICTS, "conflicts", &Stats::conflicts},
}};
// Every counter the UAPI header knows is in one of the tables, once.
static_assert(kCounters.size() + kFailoverReasons.size() == VIPFO_STATS_A_MAX - VIPFO_STATS_A_PAD);

struct Device {
	uint32_t ifindex = 0;
	std::optional<std::string> ifname;
	std::optional<std::array<uint8_t, 6>> mac;
	std::optional<uint8_t> state; // enum vipfo_dev_state
	std::optional<uint32_t> held_ms; // while held down: ms left
	std::optional<Stats> stats;

	bool operator==(const Device &) const = default;
};

struct Group {
	std::string name;
	std::optional<uint32_t> garp_count;
	std::optional<uint32_t> garp_interval;
	std::optional<uint32_t> carrier_poll;
	std::optional<uint32_t> reply_rate;
	std::optional<uint32_t> up_delay;
	std::optional<uint32_t> vip_count;
	std::optional<Stats> stats;
	std::vector<Device> devices;
	std::vector<IpAddr> vips;

	bool operator==(const Group &) const = default;
};

// One GROUP_GET message (reply or dump part). Throws Error if malformed.
Group decode_group(const nlmsghdr *nlh);
// Appends a dump part: a part for the same group as the last one goes into
// it (its VIPs are appended), any other starts a new group.
void merge_group(std::vector<Group> &groups, Group &&part);

struct ChangeEvent {
	std::string group;
	uint8_t change = 0; // the VIPFO_CMD_* applied
	std::vector<Device> devices;
	std::optional<uint32_t> vip_count;
	std::optional<std::vector<IpAddr>> vips; // absent when they did not fit
	std::optional<uint8_t> reason;		 // why the kernel removed a device

	bool operator==(const ChangeEvent &) const = default;
};

struct FailoverEvent {
	std::string group;
	Device failed;
	std::optional<uint8_t> reason;	    // enum vipfo_reason
	std::optional<uint8_t> detected_by; // enum vipfo_detector
	std::vector<Device> survivors;
	std::optional<uint32_t> vip_count;
	std::optional<uint32_t> garp_count;

	bool operator==(const FailoverEvent &) const = default;
};

struct RecoverEvent {
	std::string group;
	Device device;
	std::optional<uint8_t> detected_by; // enum vipfo_detector

	bool operator==(const RecoverEvent &) const = default;
};

// A failed member came back and is held down (device.held_ms) first.
struct HoldEvent {
	std::string group;
	Device device;
	std::optional<uint8_t> detected_by; // enum vipfo_detector

	bool operator==(const HoldEvent &) const = default;
};

// Another host claims a VIP: a frame from it arrived on device.
struct ConflictEvent {
	std::string group;
	IpAddr vip;
	Device device;
	std::optional<std::array<uint8_t, 6>> peer_mac;

	bool operator==(const ConflictEvent &) const = default;
};

struct UnknownEvent {
	uint8_t cmd = 0;
	std::string group;

	bool operator==(const UnknownEvent &) const = default;
};

using Event =
	std::variant<ChangeEvent, FailoverEvent, RecoverEvent, HoldEvent, ConflictEvent, UnknownEvent>;

// A notification from the "events" group. Throws Error if malformed.
Event decode_event(const nlmsghdr *nlh);

// Names used in text and JSON output.
std::string dev_state_name(uint8_t state); // "up", "no-carrier", "down", "held-down"
std::string reason_name(uint8_t reason);   // "carrier-loss", ...
std::string detector_name(uint8_t detector); // "notifier"
std::string change_name(uint8_t cmd);	   // "vip-add", ...

} // namespace vipctl::proto
