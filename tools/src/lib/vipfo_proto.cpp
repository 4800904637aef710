// SPDX-License-Identifier: GPL-2.0
#include "vipfo_proto.hpp"

#include <algorithm>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "error.hpp"

namespace vipctl::proto {

using nl::Attrs;
using nl::MsgBuilder;

namespace {

constexpr uint16_t kFlags = NLM_F_REQUEST | NLM_F_ACK;
// Room for the name, options and devices next to a full VIP batch.
constexpr size_t kHeadroom = 4096;
// A nest's nla_len is 16 bits.
constexpr size_t kMaxLimit = 60000;

MsgBuilder start(uint16_t family, uint8_t cmd, std::string_view name, size_t capacity = 1024)
{
	auto b = MsgBuilder::genl(family, cmd, VIPFO_GENL_VERSION, kFlags, capacity);
	b.put_strz(VIPFO_A_GROUP_NAME, name);
	return b;
}

void put_options(MsgBuilder &b, const GroupOptions &opts)
{
	if (opts.garp_count)
		b.put_u32(VIPFO_A_GARP_COUNT, *opts.garp_count);
	if (opts.garp_interval)
		b.put_u32(VIPFO_A_GARP_INTERVAL, *opts.garp_interval);
	if (opts.carrier_poll)
		b.put_u32(VIPFO_A_CARRIER_POLL, *opts.carrier_poll);
	if (opts.reply_rate)
		b.put_u32(VIPFO_A_REPLY_RATE, *opts.reply_rate);
	if (opts.up_delay)
		b.put_u32(VIPFO_A_UP_DELAY, *opts.up_delay);
}

void put_devs(MsgBuilder &b, std::span<const uint32_t> ifindexes)
{
	nlattr *devs = b.nest_start(VIPFO_A_DEVS);
	for (const uint32_t ifindex : ifindexes) {
		nlattr *dev = b.nest_start(VIPFO_A_DEV);
		b.put_u32(VIPFO_DEV_A_IFINDEX, ifindex);
		b.nest_end(dev);
	}
	b.nest_end(devs);
}

size_t attr_bytes_used(const MsgBuilder &b)
{
	return b.size() - MNL_NLMSG_HDRLEN - MNL_ALIGN(sizeof(genlmsghdr));
}

// Puts VIPFO_A_VIPS with vips[next...] until limit bytes of attributes
// are used (at least one VIP); advances next.
void put_vips(MsgBuilder &b, std::span<const IpAddr> vips, size_t &next, size_t limit)
{
	nlattr *nest = b.nest_start(VIPFO_A_VIPS);
	const size_t first = next;
	while (next < vips.size()) {
		const IpAddr &v = vips[next];
		if (next > first && attr_bytes_used(b) + vip_attr_size(v) > limit)
			break;
		nlattr *vip = b.nest_start(VIPFO_A_VIP);
		b.put_u16(VIPFO_VIP_A_FAMILY, v.family);
		b.put_bytes(VIPFO_VIP_A_ADDR, v.data());
		b.nest_end(vip);
		next++;
	}
	b.nest_end(nest);
}

Stats decode_stats(const nlattr *nest)
{
	Stats s;
	for (const nlattr *a : Attrs::of(nest)) {
		// PAD and counters newer than this vipctl are skipped.
		const auto c = std::ranges::find(kCounters, nl::attr_type(a), &Counter::attr);
		if (c != kCounters.end())
			s.*(c->field) = nl::attr_u64(a);
		const auto r = std::ranges::find(kFailoverReasons, nl::attr_type(a),
						 &ReasonCounter::attr);
		if (r != kFailoverReasons.end())
			s.failovers_by_reason[r - kFailoverReasons.begin()] = nl::attr_u64(a);
	}
	return s;
}

std::array<uint8_t, 6> decode_mac(const nlattr *a)
{
	const auto b = nl::attr_bytes(a);
	if (b.size() != 6)
		throw Error("malformed MAC (" + std::to_string(b.size()) + " bytes)");
	std::array<uint8_t, 6> mac;
	std::copy(b.begin(), b.end(), mac.begin());
	return mac;
}

Device decode_device(const nlattr *nest)
{
	Device d;
	for (const nlattr *a : Attrs::of(nest)) {
		switch (nl::attr_type(a)) {
		case VIPFO_DEV_A_IFINDEX:
			d.ifindex = nl::attr_u32(a);
			break;
		case VIPFO_DEV_A_IFNAME:
			d.ifname = nl::attr_str(a);
			break;
		case VIPFO_DEV_A_MAC:
			d.mac = decode_mac(a);
			break;
		case VIPFO_DEV_A_STATE:
			d.state = nl::attr_u8(a);
			break;
		case VIPFO_DEV_A_HELD_MS:
			d.held_ms = nl::attr_u32(a);
			break;
		case VIPFO_DEV_A_STATS:
			d.stats = decode_stats(a);
			break;
		default:
			break;
		}
	}
	return d;
}

std::vector<Device> decode_devices(const nlattr *list)
{
	std::vector<Device> out;
	for (const nlattr *a : Attrs::of(list))
		if (nl::attr_type(a) == VIPFO_A_DEV)
			out.push_back(decode_device(a));
	return out;
}

IpAddr decode_vip(const nlattr *nest)
{
	std::optional<uint16_t> family;
	std::span<const uint8_t> bytes;
	for (const nlattr *a : Attrs::of(nest)) {
		if (nl::attr_type(a) == VIPFO_VIP_A_FAMILY)
			family = nl::attr_u16(a);
		else if (nl::attr_type(a) == VIPFO_VIP_A_ADDR)
			bytes = nl::attr_bytes(a);
	}
	if (family == AF_INET && bytes.size() == 4)
		return IpAddr::v4(bytes.first<4>());
	if (family == AF_INET6 && bytes.size() == 16)
		return IpAddr::v6(bytes.first<16>());
	throw Error("malformed VIP (family " + (family ? std::to_string(*family) : "missing") +
		    ", " + std::to_string(bytes.size()) + " address bytes)");
}

std::vector<IpAddr> decode_vips(const nlattr *list)
{
	std::vector<IpAddr> out;
	for (const nlattr *a : Attrs::of(list))
		if (nl::attr_type(a) == VIPFO_A_VIP)
			out.push_back(decode_vip(a));
	return out;
}

uint8_t genl_cmd(const nlmsghdr *nlh)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(genlmsghdr))
		throw Error("malformed vipfo message (" + std::to_string(nlh->nlmsg_len) + " bytes)");
	return static_cast<const genlmsghdr *>(mnl_nlmsg_get_payload(nlh))->cmd;
}

template <class T> void fill(std::optional<T> &to, std::optional<T> &from)
{
	if (!to && from)
		to = std::move(from);
}

} // namespace

size_t vip_attr_size(const IpAddr &vip)
{
	// nest header + FAMILY (u16, padded) + ADDR
	return MNL_ATTR_HDRLEN + MNL_ALIGN(MNL_ATTR_HDRLEN + 2) + MNL_ALIGN(MNL_ATTR_HDRLEN + vip.size());
}

std::vector<Request> encode_group_new(uint16_t family, std::string_view name,
				      const GroupOptions &opts, std::span<const uint32_t> ifindexes,
				      std::span<const IpAddr> vips, size_t limit)
{
	limit = std::min(limit, kMaxLimit);
	std::vector<Request> out;
	size_t next = 0;

	auto b = start(family, VIPFO_CMD_GROUP_NEW, name, limit + kHeadroom);
	put_options(b, opts);
	if (!ifindexes.empty())
		put_devs(b, ifindexes);
	if (!vips.empty())
		put_vips(b, vips, next, limit);
	out.push_back({b.finish(), 0, next});

	std::vector<Request> rest = encode_vips(family, VIPFO_CMD_VIP_ADD, name, vips.subspan(next), limit);
	for (Request &r : rest) {
		r.vip_first += next;
		out.push_back(std::move(r));
	}
	return out;
}

nl::Message encode_group_del(uint16_t family, std::string_view name)
{
	return start(family, VIPFO_CMD_GROUP_DEL, name).finish();
}

nl::Message encode_group_set(uint16_t family, std::string_view name, const GroupOptions &opts)
{
	auto b = start(family, VIPFO_CMD_GROUP_SET, name);
	put_options(b, opts);
	return b.finish();
}

nl::Message encode_devs(uint16_t family, uint8_t cmd, std::string_view name,
			std::span<const uint32_t> ifindexes)
{
	auto b = start(family, cmd, name, kHeadroom + ifindexes.size() * 16);
	put_devs(b, ifindexes);
	return b.finish();
}

std::vector<Request> encode_vips(uint16_t family, uint8_t cmd, std::string_view name,
				 std::span<const IpAddr> vips, size_t limit)
{
	limit = std::min(limit, kMaxLimit);
	std::vector<Request> out;
	size_t next = 0;
	while (next < vips.size()) {
		const size_t first = next;
		auto b = start(family, cmd, name, limit + kHeadroom);
		put_vips(b, vips, next, limit);
		out.push_back({b.finish(), first, next - first});
	}
	return out;
}

nl::Message encode_group_dump(uint16_t family, std::optional<std::string_view> name)
{
	auto b = MsgBuilder::genl(family, VIPFO_CMD_GROUP_GET, VIPFO_GENL_VERSION,
				  NLM_F_REQUEST | NLM_F_DUMP, 256);
	if (name)
		b.put_strz(VIPFO_A_GROUP_NAME, *name);
	return b.finish();
}

Culprit locate_offset(const nl::Message &request, uint32_t offset)
{
	const nlmsghdr *nlh = nl::header(request);
	const auto *base = reinterpret_cast<const char *>(nlh);
	const auto within = [&](const nlattr *a) {
		const auto start = reinterpret_cast<const char *>(a) - base;
		return offset >= start && offset < start + a->nla_len;
	};

	if (request.size() < MNL_NLMSG_HDRLEN || nlh->nlmsg_len > request.size())
		return {};
	try {
		for (const nlattr *a : Attrs::of(nlh, sizeof(genlmsghdr))) {
			if (!within(a))
				continue;
			const uint16_t type = nl::attr_type(a);
			if (type != VIPFO_A_VIPS && type != VIPFO_A_DEVS)
				return {};
			for (const nlattr *item : Attrs::of(a)) {
				if (!within(item))
					continue;
				if (type == VIPFO_A_VIPS)
					return decode_vip(item);
				const Device d = decode_device(item);
				return d.ifindex;
			}
			return {};
		}
	} catch (const Error &) {
		// A malformed item cannot be named; fall through.
	}
	return {};
}

Group decode_group(const nlmsghdr *nlh)
{
	Group g;
	bool named = false;
	genl_cmd(nlh);
	for (const nlattr *a : Attrs::of(nlh, sizeof(genlmsghdr))) {
		switch (nl::attr_type(a)) {
		case VIPFO_A_GROUP_NAME:
			g.name = nl::attr_str(a);
			named = true;
			break;
		case VIPFO_A_GARP_COUNT:
			g.garp_count = nl::attr_u32(a);
			break;
		case VIPFO_A_GARP_INTERVAL:
			g.garp_interval = nl::attr_u32(a);
			break;
		case VIPFO_A_CARRIER_POLL:
			g.carrier_poll = nl::attr_u32(a);
			break;
		case VIPFO_A_REPLY_RATE:
			g.reply_rate = nl::attr_u32(a);
			break;
		case VIPFO_A_UP_DELAY:
			g.up_delay = nl::attr_u32(a);
			break;
		case VIPFO_A_VIP_COUNT:
			g.vip_count = nl::attr_u32(a);
			break;
		case VIPFO_A_STATS:
			g.stats = decode_stats(a);
			break;
		case VIPFO_A_DEVS: {
			auto devs = decode_devices(a);
			g.devices.insert(g.devices.end(), devs.begin(), devs.end());
			break;
		}
		case VIPFO_A_VIPS: {
			auto vips = decode_vips(a);
			g.vips.insert(g.vips.end(), vips.begin(), vips.end());
			break;
		}
		default:
			break;
		}
	}
	if (!named)
		throw Error("malformed vipfo group message: no group name");
	return g;
}

void merge_group(std::vector<Group> &groups, Group &&part)
{
	if (groups.empty() || groups.back().name != part.name) {
		groups.push_back(std::move(part));
		return;
	}
	Group &g = groups.back();
	fill(g.garp_count, part.garp_count);
	fill(g.garp_interval, part.garp_interval);
	fill(g.carrier_poll, part.carrier_poll);
	fill(g.reply_rate, part.reply_rate);
	fill(g.up_delay, part.up_delay);
	fill(g.vip_count, part.vip_count);
	fill(g.stats, part.stats);
	if (g.devices.empty())
		g.devices = std::move(part.devices);
	g.vips.insert(g.vips.end(), part.vips.begin(), part.vips.end());
}

Event decode_event(const nlmsghdr *nlh)
{
	const uint8_t cmd = genl_cmd(nlh);
	std::string group;
	std::optional<uint8_t> change, reason, detected_by;
	std::vector<Device> devices;
	std::optional<Device> failed;
	std::optional<uint32_t> vip_count, garp_count;
	std::optional<std::vector<IpAddr>> vips;
	std::optional<std::array<uint8_t, 6>> peer_mac;

	for (const nlattr *a : Attrs::of(nlh, sizeof(genlmsghdr))) {
		switch (nl::attr_type(a)) {
		case VIPFO_A_GROUP_NAME:
			group = nl::attr_str(a);
			break;
		case VIPFO_A_CHANGE:
			change = nl::attr_u8(a);
			break;
		case VIPFO_A_DEVS:
			devices = decode_devices(a);
			break;
		case VIPFO_A_VIP_COUNT:
			vip_count = nl::attr_u32(a);
			break;
		case VIPFO_A_VIPS:
			vips = decode_vips(a);
			break;
		case VIPFO_A_FAILED_DEV:
			failed = decode_device(a);
			break;
		case VIPFO_A_REASON:
			reason = nl::attr_u8(a);
			break;
		case VIPFO_A_DETECTED_BY:
			detected_by = nl::attr_u8(a);
			break;
		case VIPFO_A_GARP_COUNT:
			garp_count = nl::attr_u32(a);
			break;
		case VIPFO_A_PEER_MAC:
			peer_mac = decode_mac(a);
			break;
		default:
			break;
		}
	}

	switch (cmd) {
	case VIPFO_CMD_CHANGE_NTF:
		if (!change)
			throw Error("malformed change notification: no change");
		return ChangeEvent{group, *change, std::move(devices), vip_count, std::move(vips), reason};
	case VIPFO_CMD_FAILOVER_NTF:
		if (!failed)
			throw Error("malformed failover notification: no failed device");
		return FailoverEvent{group,	  *failed,    reason,	  detected_by,
				     std::move(devices), vip_count, garp_count};
	case VIPFO_CMD_RECOVER_NTF:
		if (devices.empty())
			throw Error("malformed recover notification: no device");
		return RecoverEvent{group, devices.front(), detected_by};
	case VIPFO_CMD_HOLD_NTF:
		if (devices.empty())
			throw Error("malformed hold notification: no device");
		return HoldEvent{group, devices.front(), detected_by};
	case VIPFO_CMD_CONFLICT_NTF:
		if (!vips || vips->empty())
			throw Error("malformed conflict notification: no VIP");
		if (devices.empty())
			throw Error("malformed conflict notification: no device");
		return ConflictEvent{group, vips->front(), devices.front(), peer_mac};
	default:
		return UnknownEvent{cmd, group};
	}
}

std::string dev_state_name(uint8_t state)
{
	switch (state) {
	case VIPFO_DEV_STATE_UP:
		return "up";
	case VIPFO_DEV_STATE_NO_CARRIER:
		return "no-carrier";
	case VIPFO_DEV_STATE_DOWN:
		return "down";
	case VIPFO_DEV_STATE_HELD_DOWN:
		return "held-down";
	default:
		return "state-" + std::to_string(state);
	}
}

std::string reason_name(uint8_t reason)
{
	switch (reason) {
	case VIPFO_REASON_ADMIN_DOWN:
		return "admin-down";
	case VIPFO_REASON_CARRIER_LOSS:
		return "carrier-loss";
	case VIPFO_REASON_UNREGISTER:
		return "unregister";
	case VIPFO_REASON_MAC_CHANGE:
		return "mac-change";
	case VIPFO_REASON_REMOVED:
		return "removed";
	case VIPFO_REASON_UNFIT:
		return "unfit";
	default:
		return "reason-" + std::to_string(reason);
	}
}

std::string detector_name(uint8_t detector)
{
	switch (detector) {
	case VIPFO_DETECTED_BY_NOTIFIER:
		return "notifier";
	case VIPFO_DETECTED_BY_POLL:
		return "poll";
	default:
		return "detector-" + std::to_string(detector);
	}
}

std::string change_name(uint8_t cmd)
{
	switch (cmd) {
	case VIPFO_CMD_GROUP_NEW:
		return "group-new";
	case VIPFO_CMD_GROUP_DEL:
		return "group-del";
	case VIPFO_CMD_GROUP_SET:
		return "group-set";
	case VIPFO_CMD_DEV_ADD:
		return "dev-add";
	case VIPFO_CMD_DEV_DEL:
		return "dev-del";
	case VIPFO_CMD_VIP_ADD:
		return "vip-add";
	case VIPFO_CMD_VIP_DEL:
		return "vip-del";
	default:
		return "cmd-" + std::to_string(cmd);
	}
}

} // namespace vipctl::proto
