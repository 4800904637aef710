// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include "lib/error.hpp"
#include "helpers.hpp"
#include "lib/vipfo_proto.hpp"

using namespace vipctl;
using namespace testing_helpers;

namespace {

constexpr uint16_t kFam = 0x1c;

uint32_t u32(const nlattr *a)
{
	EXPECT_EQ(mnl_attr_get_payload_len(a), 4u);
	return mnl_attr_get_u32(a);
}

std::vector<IpAddr> v4_range(size_t n, uint32_t base = 0x0a000000)
{
	std::vector<IpAddr> out;
	for (size_t i = 0; i < n; i++) {
		const uint32_t be = htonl(base + static_cast<uint32_t>(i));
		std::array<uint8_t, 4> b;
		std::memcpy(b.data(), &be, 4);
		out.push_back(IpAddr::v4(b));
	}
	return out;
}

// The VIPs in a VIPFO_A_VIPS nest, checked attribute by attribute.
std::vector<IpAddr> vips_of(const nlattr *list)
{
	std::vector<IpAddr> out;
	EXPECT_TRUE(is_nested(list));
	for (const nlattr *vip : nested(list)) {
		EXPECT_EQ(mnl_attr_get_type(vip), VIPFO_A_VIP);
		EXPECT_TRUE(is_nested(vip));
		const auto in = nested(vip);
		EXPECT_EQ(in.size(), 2u);
		EXPECT_EQ(mnl_attr_get_type(in[0]), VIPFO_VIP_A_FAMILY);
		EXPECT_EQ(mnl_attr_get_payload_len(in[0]), 2u);
		EXPECT_EQ(mnl_attr_get_type(in[1]), VIPFO_VIP_A_ADDR);
		const uint16_t family = mnl_attr_get_u16(in[0]);
		const auto b = bytes(in[1]);
		if (family == AF_INET) {
			EXPECT_EQ(b.size(), 4u);
			out.push_back(IpAddr::v4(std::span<const uint8_t, 4>(b.data(), 4)));
		} else {
			EXPECT_EQ(family, AF_INET6);
			EXPECT_EQ(b.size(), 16u);
			out.push_back(IpAddr::v6(std::span<const uint8_t, 16>(b.data(), 16)));
		}
	}
	return out;
}

std::vector<uint32_t> devs_of(const nlattr *list)
{
	std::vector<uint32_t> out;
	EXPECT_TRUE(is_nested(list));
	for (const nlattr *dev : nested(list)) {
		EXPECT_EQ(mnl_attr_get_type(dev), VIPFO_A_DEV);
		EXPECT_TRUE(is_nested(dev));
		const auto in = nested(dev);
		EXPECT_EQ(in.size(), 1u);
		EXPECT_EQ(mnl_attr_get_type(in[0]), VIPFO_DEV_A_IFINDEX);
		out.push_back(u32(in[0]));
	}
	return out;
}

void expect_header(const nl::Message &m, uint8_t cmd, uint16_t flags = NLM_F_REQUEST | NLM_F_ACK)
{
	const nlmsghdr *nlh = nl::header(m);
	EXPECT_EQ(nlh->nlmsg_len, m.size());
	EXPECT_EQ(nlh->nlmsg_type, kFam);
	EXPECT_EQ(nlh->nlmsg_flags, flags);
	EXPECT_EQ(genl(nlh)->cmd, cmd);
	EXPECT_EQ(genl(nlh)->version, VIPFO_GENL_VERSION);
}

void expect_name(const nlattr *a, const std::string &name)
{
	EXPECT_EQ(mnl_attr_get_type(a), VIPFO_A_GROUP_NAME);
	EXPECT_EQ(str(a), name + '\0'); // NUL-terminated
}

size_t attr_bytes(const nl::Message &m)
{
	return m.size() - MNL_NLMSG_HDRLEN - MNL_ALIGN(sizeof(genlmsghdr));
}

} // namespace

TEST(Encode, GroupNewEverything)
{
	const std::vector<uint32_t> devs{3, 4};
	const std::vector<IpAddr> vips{parse_addr("192.0.2.10"), parse_addr("2001:db8::10")};
	const auto reqs = proto::encode_group_new(kFam, "web", {.garp_count = 5, .garp_interval = 250}, devs, vips);
	ASSERT_EQ(reqs.size(), 1u);
	EXPECT_EQ(reqs[0].vip_first, 0u);
	EXPECT_EQ(reqs[0].vip_count, 2u);
	expect_header(reqs[0].msg, VIPFO_CMD_GROUP_NEW);

	const auto a = msg_attrs(nl::header(reqs[0].msg));
	ASSERT_EQ(a.size(), 5u);
	expect_name(a[0], "web");
	EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_GARP_COUNT);
	EXPECT_EQ(u32(a[1]), 5u);
	EXPECT_EQ(mnl_attr_get_type(a[2]), VIPFO_A_GARP_INTERVAL);
	EXPECT_EQ(u32(a[2]), 250u);
	EXPECT_EQ(mnl_attr_get_type(a[3]), VIPFO_A_DEVS);
	EXPECT_EQ(devs_of(a[3]), devs);
	EXPECT_EQ(mnl_attr_get_type(a[4]), VIPFO_A_VIPS);
	EXPECT_EQ(vips_of(a[4]), vips);
}

TEST(Encode, GroupNewMinimal)
{
	const auto reqs = proto::encode_group_new(kFam, "db", {}, {}, {});
	ASSERT_EQ(reqs.size(), 1u);
	EXPECT_EQ(reqs[0].vip_count, 0u);
	const auto a = msg_attrs(nl::header(reqs[0].msg));
	ASSERT_EQ(a.size(), 1u); // no empty DEVS/VIPS nests, no options
	expect_name(a[0], "db");
}

TEST(Encode, GroupNewOnlyInterval)
{
	const auto reqs = proto::encode_group_new(kFam, "db", {.garp_interval = 1000}, {}, {});
	const auto a = msg_attrs(nl::header(reqs[0].msg));
	ASSERT_EQ(a.size(), 2u);
	EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_GARP_INTERVAL);
	EXPECT_EQ(u32(a[1]), 1000u);
}

TEST(Encode, GroupNewCarrierPollOff)
{
	const auto reqs = proto::encode_group_new(kFam, "db", {.carrier_poll = 0}, {}, {});
	const auto a = msg_attrs(nl::header(reqs[0].msg));
	ASSERT_EQ(a.size(), 2u); // 0 (off) is sent, not dropped
	EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_CARRIER_POLL);
	EXPECT_EQ(u32(a[1]), 0u);
}

TEST(Encode, ReplyRate)
{
	// Unlimited (0) is sent, not dropped; group set carries it too.
	const auto reqs = proto::encode_group_new(kFam, "db", {.reply_rate = 0}, {}, {});
	auto a = msg_attrs(nl::header(reqs[0].msg));
	ASSERT_EQ(a.size(), 2u);
	EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_REPLY_RATE);
	EXPECT_EQ(u32(a[1]), 0u);

	const nl::Message m = proto::encode_group_set(kFam, "db", {.carrier_poll = 5, .reply_rate = 50});
	expect_header(m, VIPFO_CMD_GROUP_SET);
	a = msg_attrs(nl::header(m));
	ASSERT_EQ(a.size(), 3u);
	expect_name(a[0], "db");
	EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_CARRIER_POLL);
	EXPECT_EQ(u32(a[1]), 5u);
	EXPECT_EQ(mnl_attr_get_type(a[2]), VIPFO_A_REPLY_RATE);
	EXPECT_EQ(u32(a[2]), 50u);
}

TEST(Encode, UpDelay)
{
	// 0 (no hold-down) is sent, not dropped.
	const nl::Message m =
		proto::encode_group_set(kFam, "db", {.up_delay = 0});
	const auto a = msg_attrs(nl::header(m));
	ASSERT_EQ(a.size(), 2u);
	EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_UP_DELAY);
	EXPECT_EQ(u32(a[1]), 0u);
}

TEST(Encode, VipSizes)
{
	EXPECT_EQ(proto::vip_attr_size(parse_addr("192.0.2.1")), 20u);
	EXPECT_EQ(proto::vip_attr_size(parse_addr("2001:db8::1")), 32u);
}

TEST(Encode, VipBatchesSplitAtLimit)
{
	// VIP_ADD "web": name 8 bytes + VIPS nest header 4 + 20 per IPv4 VIP.
	const std::vector<IpAddr> vips = v4_range(25);
	const size_t exact = 8 + 4 + 20 * 10;

	auto reqs = proto::encode_vips(kFam, VIPFO_CMD_VIP_ADD, "web", vips, exact);
	ASSERT_EQ(reqs.size(), 3u);
	EXPECT_EQ(reqs[0].vip_count, 10u);
	EXPECT_EQ(reqs[1].vip_count, 10u);
	EXPECT_EQ(reqs[2].vip_count, 5u);
	EXPECT_EQ(attr_bytes(reqs[0].msg), exact); // filled exactly to the limit

	// One byte less: 9 per request.
	reqs = proto::encode_vips(kFam, VIPFO_CMD_VIP_ADD, "web", vips, exact - 1);
	ASSERT_EQ(reqs.size(), 3u);
	EXPECT_EQ(reqs[0].vip_count, 9u);
	EXPECT_EQ(reqs[1].vip_count, 9u);
	EXPECT_EQ(reqs[2].vip_count, 7u);

	// Every request is complete and they carry the list in order.
	std::vector<IpAddr> all;
	size_t next = 0;
	for (const auto &r : reqs) {
		expect_header(r.msg, VIPFO_CMD_VIP_ADD);
		EXPECT_LE(attr_bytes(r.msg), exact - 1);
		EXPECT_EQ(r.vip_first, next);
		const auto a = msg_attrs(nl::header(r.msg));
		ASSERT_EQ(a.size(), 2u);
		expect_name(a[0], "web");
		EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_VIPS);
		const auto part = vips_of(a[1]);
		EXPECT_EQ(part.size(), r.vip_count);
		all.insert(all.end(), part.begin(), part.end());
		next += r.vip_count;
	}
	EXPECT_EQ(all, vips);
}

TEST(Encode, VipBatchesMixedFamilies)
{
	std::vector<IpAddr> vips;
	for (int i = 0; i < 50; i++)
		vips.push_back(parse_addr(i % 2 ? "2001:db8::" + std::to_string(i) : "192.0.2." + std::to_string(i)));
	const auto reqs = proto::encode_vips(kFam, VIPFO_CMD_VIP_DEL, "web", vips, 300);
	std::vector<IpAddr> all;
	for (const auto &r : reqs) {
		expect_header(r.msg, VIPFO_CMD_VIP_DEL);
		EXPECT_LE(attr_bytes(r.msg), 300u);
		const auto a = msg_attrs(nl::header(r.msg));
		const auto part = vips_of(a[1]);
		all.insert(all.end(), part.begin(), part.end());
	}
	EXPECT_EQ(all, vips);
}

TEST(Encode, VipBatchesDefaultLimit)
{
	const std::vector<IpAddr> vips = v4_range(100000);
	const auto reqs = proto::encode_vips(kFam, VIPFO_CMD_VIP_ADD, "web", vips);
	// 32 KiB of attributes: (32768 - 12) / 20 = 1637 VIPs per request.
	ASSERT_EQ(reqs.size(), (100000 + 1636) / 1637);
	size_t total = 0;
	for (size_t i = 0; i < reqs.size(); i++) {
		const size_t n = attr_bytes(reqs[i].msg);
		EXPECT_LE(n, proto::kBatchLimit);
		if (i + 1 < reqs.size()) {
			EXPECT_EQ(reqs[i].vip_count, 1637u);
			EXPECT_GT(n, proto::kBatchLimit - 20); // filled up
		}
		const auto a = msg_attrs(nl::header(reqs[i].msg));
		EXPECT_LT(a[1]->nla_len, 65536u);
		total += reqs[i].vip_count;
	}
	EXPECT_EQ(total, vips.size());
}

TEST(Encode, GroupNewSpillsIntoVipAdd)
{
	const std::vector<uint32_t> devs{3, 4, 5};
	const std::vector<IpAddr> vips = v4_range(30);
	// GROUP_NEW: name 8 + count 8 + DEVS (4 + 3 * 12) + VIPS 4 + 5 * 20;
	// then VIP_ADD: name 8 + VIPS 4 + 7 * 20 = 152 <= 160.
	const size_t limit = 8 + 8 + 40 + 4 + 20 * 5;
	const auto reqs = proto::encode_group_new(kFam, "web", {.garp_count = 7}, devs, vips, limit);
	ASSERT_EQ(reqs.size(), 5u);
	const std::vector<size_t> counts{5, 7, 7, 7, 4};

	expect_header(reqs[0].msg, VIPFO_CMD_GROUP_NEW);
	EXPECT_EQ(attr_bytes(reqs[0].msg), limit);
	const auto a0 = msg_attrs(nl::header(reqs[0].msg));
	ASSERT_EQ(a0.size(), 4u);
	expect_name(a0[0], "web");
	EXPECT_EQ(mnl_attr_get_type(a0[1]), VIPFO_A_GARP_COUNT);
	EXPECT_EQ(u32(a0[1]), 7u);
	EXPECT_EQ(devs_of(a0[2]), devs);

	std::vector<IpAddr> all = vips_of(a0[3]);
	EXPECT_EQ(reqs[0].vip_first, 0u);
	EXPECT_EQ(reqs[0].vip_count, counts[0]);
	EXPECT_EQ(all.size(), counts[0]);
	for (size_t i = 1; i < reqs.size(); i++) {
		expect_header(reqs[i].msg, VIPFO_CMD_VIP_ADD);
		EXPECT_EQ(reqs[i].vip_first, all.size());
		EXPECT_EQ(reqs[i].vip_count, counts[i]);
		const auto a = msg_attrs(nl::header(reqs[i].msg));
		ASSERT_EQ(a.size(), 2u); // name and VIPs only: no devices, no options
		expect_name(a[0], "web");
		const auto part = vips_of(a[1]);
		EXPECT_EQ(part.size(), counts[i]);
		all.insert(all.end(), part.begin(), part.end());
	}
	EXPECT_EQ(all, vips);
}

TEST(Encode, SimpleRequests)
{
	const nl::Message del = proto::encode_group_del(kFam, "web");
	expect_header(del, VIPFO_CMD_GROUP_DEL);
	auto a = msg_attrs(nl::header(del));
	ASSERT_EQ(a.size(), 1u);
	expect_name(a[0], "web");

	const nl::Message set = proto::encode_group_set(kFam, "web", {.garp_interval = 60000});
	expect_header(set, VIPFO_CMD_GROUP_SET);
	a = msg_attrs(nl::header(set));
	ASSERT_EQ(a.size(), 2u);
	expect_name(a[0], "web");
	EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_GARP_INTERVAL);
	EXPECT_EQ(u32(a[1]), 60000u);

	const std::vector<uint32_t> idx{7, 9};
	const nl::Message dev = proto::encode_devs(kFam, VIPFO_CMD_DEV_DEL, "web", idx);
	expect_header(dev, VIPFO_CMD_DEV_DEL);
	a = msg_attrs(nl::header(dev));
	ASSERT_EQ(a.size(), 2u);
	expect_name(a[0], "web");
	EXPECT_EQ(mnl_attr_get_type(a[1]), VIPFO_A_DEVS);
	EXPECT_EQ(devs_of(a[1]), idx);

	EXPECT_TRUE(proto::encode_vips(kFam, VIPFO_CMD_VIP_ADD, "web", {}).empty());
}

TEST(Encode, Dump)
{
	const nl::Message all = proto::encode_group_dump(kFam, std::nullopt);
	expect_header(all, VIPFO_CMD_GROUP_GET, NLM_F_REQUEST | NLM_F_DUMP);
	EXPECT_TRUE(msg_attrs(nl::header(all)).empty());

	const nl::Message one = proto::encode_group_dump(kFam, "web");
	expect_header(one, VIPFO_CMD_GROUP_GET, NLM_F_REQUEST | NLM_F_DUMP);
	const auto a = msg_attrs(nl::header(one));
	ASSERT_EQ(a.size(), 1u);
	expect_name(a[0], "web");
}

TEST(Encode, LocateOffset)
{
	const std::vector<IpAddr> vips = v4_range(3);
	const auto reqs = proto::encode_vips(kFam, VIPFO_CMD_VIP_ADD, "web", vips);
	const nl::Message &m = reqs[0].msg;
	const auto *base = reinterpret_cast<const char *>(m.data());
	const auto a = msg_attrs(nl::header(m));
	const auto items = nested(a[1]);
	for (size_t i = 0; i < 3; i++) {
		const auto in = nested(items[i]);
		// The VIP nest itself, its FAMILY and its ADDR all name the VIP.
		for (const void *p : {static_cast<const void *>(items[i]), static_cast<const void *>(in[0]),
				      static_cast<const void *>(in[1])}) {
			const auto off = static_cast<uint32_t>(static_cast<const char *>(p) - base);
			const proto::Culprit c = proto::locate_offset(m, off);
			ASSERT_TRUE(std::holds_alternative<IpAddr>(c));
			EXPECT_EQ(std::get<IpAddr>(c), vips[i]);
		}
	}
	// The name, the VIPS nest header, and outside the message: nothing.
	EXPECT_TRUE(std::holds_alternative<std::monostate>(
		proto::locate_offset(m, static_cast<uint32_t>(reinterpret_cast<const char *>(a[0]) - base))));
	EXPECT_TRUE(std::holds_alternative<std::monostate>(
		proto::locate_offset(m, static_cast<uint32_t>(reinterpret_cast<const char *>(a[1]) - base))));
	EXPECT_TRUE(std::holds_alternative<std::monostate>(proto::locate_offset(m, 100000)));

	const std::vector<uint32_t> idx{11, 12};
	const nl::Message d = proto::encode_devs(kFam, VIPFO_CMD_DEV_ADD, "web", idx);
	const proto::Culprit c = proto::locate_offset(d, static_cast<uint32_t>(d.size() - 2));
	ASSERT_TRUE(std::holds_alternative<uint32_t>(c));
	EXPECT_EQ(std::get<uint32_t>(c), 12u);
}

// --- decoding: messages built the way the kernel builds them ---

namespace {

void put_stats(nl::MsgBuilder &b, uint16_t type, uint64_t base)
{
	nlattr *s = b.nest_start(type);
	b.put_u32(VIPFO_STATS_A_PAD, 0); // nla_put_u64_64bit() may add padding
	b.put_u64(VIPFO_STATS_A_REQUESTS, base + 1);
	b.put_u64(VIPFO_STATS_A_REPLIES, base + 2);
	b.put_u64(VIPFO_STATS_A_GARPS, base + 3);
	b.put_u64(VIPFO_STATS_A_FAILOVERS, base + 4);
	b.put_u64(VIPFO_STATS_A_TX_ERRORS, base + 5);
	b.put_u64(VIPFO_STATS_A_RATE_LIMITED, base + 6);
	b.put_u64(VIPFO_STATS_A_CONFLICTS, base + 7);
	b.put_u64(42, 99); // a counter from the future: ignored
	b.nest_end(s);
}

void put_dev(nl::MsgBuilder &b, uint16_t type, uint32_t ifindex, const char *name, uint8_t last,
	     std::optional<uint8_t> state, bool stats)
{
	nlattr *d = b.nest_start(type);
	b.put_u32(VIPFO_DEV_A_IFINDEX, ifindex);
	b.put_strz(VIPFO_DEV_A_IFNAME, name);
	const std::array<uint8_t, 6> mac{0x52, 0x54, 0x00, 0x12, 0x34, last};
	b.put_bytes(VIPFO_DEV_A_MAC, mac);
	if (state)
		b.put_u8(VIPFO_DEV_A_STATE, *state);
	if (stats)
		put_stats(b, VIPFO_DEV_A_STATS, ifindex * 100);
	b.nest_end(d);
}

void put_vips(nl::MsgBuilder &b, std::initializer_list<const char *> addrs)
{
	nlattr *list = b.nest_start(VIPFO_A_VIPS);
	for (const char *s : addrs) {
		const IpAddr a = parse_addr(s);
		nlattr *v = b.nest_start(VIPFO_A_VIP);
		b.put_u16(VIPFO_VIP_A_FAMILY, a.family);
		b.put_bytes(VIPFO_VIP_A_ADDR, a.data());
		b.nest_end(v);
	}
	b.nest_end(list);
}

nl::MsgBuilder kernel_msg(uint8_t cmd)
{
	return nl::MsgBuilder::genl(kFam, cmd, VIPFO_GENL_VERSION, NLM_F_MULTI, 8192);
}

nl::Message group_first_part()
{
	auto b = kernel_msg(VIPFO_CMD_GROUP_GET);
	b.put_strz(VIPFO_A_GROUP_NAME, "web");
	b.put_u32(VIPFO_A_GARP_COUNT, 3);
	b.put_u32(VIPFO_A_GARP_INTERVAL, 200);
	b.put_u32(VIPFO_A_REPLY_RATE, 50);
	b.put_u32(VIPFO_A_UP_DELAY, 250);
	b.put_u32(VIPFO_A_VIP_COUNT, 4);
	put_stats(b, VIPFO_A_STATS, 1000);
	nlattr *devs = b.nest_start(VIPFO_A_DEVS);
	put_dev(b, VIPFO_A_DEV, 3, "eth1", 1, VIPFO_DEV_STATE_UP, true);
	put_dev(b, VIPFO_A_DEV, 4, "eth2", 2, VIPFO_DEV_STATE_NO_CARRIER, true);
	b.nest_end(devs);
	put_vips(b, {"192.0.2.10", "192.0.2.11"});
	return b.finish();
}

nl::Message group_next_part(const char *name, std::initializer_list<const char *> vips)
{
	auto b = kernel_msg(VIPFO_CMD_GROUP_GET);
	b.put_strz(VIPFO_A_GROUP_NAME, name);
	put_vips(b, vips);
	return b.finish();
}

} // namespace

TEST(Decode, Group)
{
	const nl::Message m = group_first_part();
	const proto::Group g = proto::decode_group(nl::header(m));
	EXPECT_EQ(g.name, "web");
	EXPECT_EQ(g.garp_count, 3u);
	EXPECT_EQ(g.garp_interval, 200u);
	EXPECT_EQ(g.reply_rate, 50u);
	EXPECT_EQ(g.up_delay, 250u);
	EXPECT_EQ(g.vip_count, 4u);
	EXPECT_EQ(g.stats, (proto::Stats{1001, 1002, 1003, 1004, 1005, 1006, 1007}));
	ASSERT_EQ(g.devices.size(), 2u);
	EXPECT_EQ(g.devices[0].ifindex, 3u);
	EXPECT_EQ(g.devices[0].ifname, "eth1");
	EXPECT_EQ(g.devices[0].mac, (std::array<uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x01}));
	EXPECT_EQ(g.devices[0].state, VIPFO_DEV_STATE_UP);
	EXPECT_EQ(g.devices[0].stats, (proto::Stats{301, 302, 303, 304, 305, 306, 307}));
	EXPECT_EQ(g.devices[1].ifname, "eth2");
	EXPECT_EQ(g.devices[1].state, VIPFO_DEV_STATE_NO_CARRIER);
	EXPECT_EQ(g.vips, (std::vector<IpAddr>{parse_addr("192.0.2.10"), parse_addr("192.0.2.11")}));
}

TEST(Decode, GroupMergesParts)
{
	std::vector<proto::Group> groups;
	const nl::Message p1 = group_first_part();
	const nl::Message p2 = group_next_part("web", {"192.0.2.12", "2001:db8::1"});
	const nl::Message p3 = group_next_part("db", {"198.51.100.1"});
	for (const nl::Message *m : {&p1, &p2, &p3})
		proto::merge_group(groups, proto::decode_group(nl::header(*m)));

	ASSERT_EQ(groups.size(), 2u);
	EXPECT_EQ(groups[0].name, "web");
	EXPECT_EQ(groups[0].devices.size(), 2u); // kept from the first part
	EXPECT_EQ(groups[0].garp_count, 3u);
	EXPECT_EQ(groups[0].reply_rate, 50u);
	EXPECT_EQ(groups[0].vips, (std::vector<IpAddr>{parse_addr("192.0.2.10"), parse_addr("192.0.2.11"),
						       parse_addr("192.0.2.12"), parse_addr("2001:db8::1")}));
	EXPECT_EQ(groups[1].name, "db");
	EXPECT_EQ(groups[1].vips, (std::vector<IpAddr>{parse_addr("198.51.100.1")}));
	EXPECT_FALSE(groups[1].vip_count);
}

TEST(Decode, GroupMalformed)
{
	{ // no name
		auto b = kernel_msg(VIPFO_CMD_GROUP_GET);
		b.put_u32(VIPFO_A_GARP_COUNT, 3);
		const nl::Message m = b.finish();
		EXPECT_THROW(proto::decode_group(nl::header(m)), Error);
	}
	{ // u32 of the wrong size
		auto b = kernel_msg(VIPFO_CMD_GROUP_GET);
		b.put_strz(VIPFO_A_GROUP_NAME, "web");
		b.put_u16(VIPFO_A_GARP_COUNT, 3);
		const nl::Message m = b.finish();
		EXPECT_THROW(proto::decode_group(nl::header(m)), Error);
	}
	{ // IPv4 family with 16 bytes
		auto b = kernel_msg(VIPFO_CMD_GROUP_GET);
		b.put_strz(VIPFO_A_GROUP_NAME, "web");
		nlattr *list = b.nest_start(VIPFO_A_VIPS);
		nlattr *v = b.nest_start(VIPFO_A_VIP);
		b.put_u16(VIPFO_VIP_A_FAMILY, AF_INET);
		b.put_bytes(VIPFO_VIP_A_ADDR, parse_addr("2001:db8::1").data());
		b.nest_end(v);
		b.nest_end(list);
		const nl::Message m = b.finish();
		EXPECT_THROW(proto::decode_group(nl::header(m)), Error);
	}
	{ // MAC of 4 bytes
		auto b = kernel_msg(VIPFO_CMD_GROUP_GET);
		b.put_strz(VIPFO_A_GROUP_NAME, "web");
		nlattr *devs = b.nest_start(VIPFO_A_DEVS);
		nlattr *d = b.nest_start(VIPFO_A_DEV);
		b.put_u32(VIPFO_DEV_A_IFINDEX, 3);
		b.put_u32(VIPFO_DEV_A_MAC, 0);
		b.nest_end(d);
		b.nest_end(devs);
		const nl::Message m = b.finish();
		EXPECT_THROW(proto::decode_group(nl::header(m)), Error);
	}
	{ // shorter than a genl header
		nl::MsgBuilder b(kFam, 0, 64);
		const nl::Message m = b.finish();
		EXPECT_THROW(proto::decode_group(nl::header(m)), Error);
	}
}

TEST(Decode, ChangeEvent)
{
	auto b = kernel_msg(VIPFO_CMD_CHANGE_NTF);
	b.put_strz(VIPFO_A_GROUP_NAME, "web");
	b.put_u8(VIPFO_A_CHANGE, VIPFO_CMD_VIP_ADD);
	b.put_u32(VIPFO_A_VIP_COUNT, 2);
	put_vips(b, {"192.0.2.10", "2001:db8::10"});
	const nl::Message m = b.finish();
	const proto::Event ev = proto::decode_event(nl::header(m));
	ASSERT_TRUE(std::holds_alternative<proto::ChangeEvent>(ev));
	const auto &c = std::get<proto::ChangeEvent>(ev);
	EXPECT_EQ(c.group, "web");
	EXPECT_EQ(c.change, VIPFO_CMD_VIP_ADD);
	EXPECT_TRUE(c.devices.empty());
	EXPECT_EQ(c.vip_count, 2u);
	ASSERT_TRUE(c.vips);
	EXPECT_EQ(*c.vips, (std::vector<IpAddr>{parse_addr("192.0.2.10"), parse_addr("2001:db8::10")}));

	// Too many VIPs for one notification: count only.
	auto b2 = kernel_msg(VIPFO_CMD_CHANGE_NTF);
	b2.put_strz(VIPFO_A_GROUP_NAME, "web");
	b2.put_u8(VIPFO_A_CHANGE, VIPFO_CMD_VIP_DEL);
	b2.put_u32(VIPFO_A_VIP_COUNT, 100000);
	const nl::Message m2 = b2.finish();
	const auto c2 = std::get<proto::ChangeEvent>(proto::decode_event(nl::header(m2)));
	EXPECT_EQ(c2.vip_count, 100000u);
	EXPECT_FALSE(c2.vips);
	EXPECT_FALSE(c2.reason);

	// A device the kernel took out says why.
	auto b4 = kernel_msg(VIPFO_CMD_CHANGE_NTF);
	b4.put_strz(VIPFO_A_GROUP_NAME, "web");
	b4.put_u8(VIPFO_A_CHANGE, VIPFO_CMD_DEV_DEL);
	b4.put_u8(VIPFO_A_REASON, VIPFO_REASON_UNFIT);
	const nl::Message m4 = b4.finish();
	EXPECT_EQ(std::get<proto::ChangeEvent>(proto::decode_event(nl::header(m4))).reason,
		  VIPFO_REASON_UNFIT);

	// No CHANGE attribute: malformed.
	auto b3 = kernel_msg(VIPFO_CMD_CHANGE_NTF);
	b3.put_strz(VIPFO_A_GROUP_NAME, "web");
	const nl::Message m3 = b3.finish();
	EXPECT_THROW(proto::decode_event(nl::header(m3)), Error);
}

TEST(Decode, FailoverEvent)
{
	auto b = kernel_msg(VIPFO_CMD_FAILOVER_NTF);
	b.put_strz(VIPFO_A_GROUP_NAME, "web");
	put_dev(b, VIPFO_A_FAILED_DEV, 4, "eth2", 2, std::nullopt, false);
	b.put_u8(VIPFO_A_REASON, VIPFO_REASON_CARRIER_LOSS);
	b.put_u8(VIPFO_A_DETECTED_BY, VIPFO_DETECTED_BY_NOTIFIER);
	nlattr *devs = b.nest_start(VIPFO_A_DEVS);
	put_dev(b, VIPFO_A_DEV, 3, "eth1", 1, std::nullopt, false);
	put_dev(b, VIPFO_A_DEV, 5, "eth3", 3, std::nullopt, false);
	b.nest_end(devs);
	b.put_u32(VIPFO_A_VIP_COUNT, 2);
	b.put_u32(VIPFO_A_GARP_COUNT, 3);
	const nl::Message m = b.finish();

	const proto::Event ev = proto::decode_event(nl::header(m));
	ASSERT_TRUE(std::holds_alternative<proto::FailoverEvent>(ev));
	const auto &f = std::get<proto::FailoverEvent>(ev);
	EXPECT_EQ(f.group, "web");
	EXPECT_EQ(f.failed.ifindex, 4u);
	EXPECT_EQ(f.failed.ifname, "eth2");
	EXPECT_EQ(f.failed.mac, (std::array<uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, 0x02}));
	EXPECT_EQ(f.reason, VIPFO_REASON_CARRIER_LOSS);
	EXPECT_EQ(f.detected_by, VIPFO_DETECTED_BY_NOTIFIER);
	ASSERT_EQ(f.survivors.size(), 2u);
	EXPECT_EQ(f.survivors[0].ifname, "eth1");
	EXPECT_EQ(f.survivors[1].ifindex, 5u);
	EXPECT_EQ(f.vip_count, 2u);
	EXPECT_EQ(f.garp_count, 3u);
}

TEST(Decode, RecoverAndUnknownEvents)
{
	auto b = kernel_msg(VIPFO_CMD_RECOVER_NTF);
	b.put_strz(VIPFO_A_GROUP_NAME, "web");
	nlattr *devs = b.nest_start(VIPFO_A_DEVS);
	put_dev(b, VIPFO_A_DEV, 4, "eth2", 2, VIPFO_DEV_STATE_UP, false);
	b.nest_end(devs);
	b.put_u8(VIPFO_A_DETECTED_BY, VIPFO_DETECTED_BY_POLL);
	const nl::Message m = b.finish();
	const auto r = std::get<proto::RecoverEvent>(proto::decode_event(nl::header(m)));
	EXPECT_EQ(r.group, "web");
	EXPECT_EQ(r.device.ifindex, 4u);
	EXPECT_EQ(r.device.state, VIPFO_DEV_STATE_UP);
	EXPECT_EQ(r.detected_by, VIPFO_DETECTED_BY_POLL);

	auto b2 = kernel_msg(VIPFO_CMD_RECOVER_NTF);
	b2.put_strz(VIPFO_A_GROUP_NAME, "web");
	const nl::Message m2 = b2.finish();
	EXPECT_THROW(proto::decode_event(nl::header(m2)), Error); // no device

	auto bh = kernel_msg(VIPFO_CMD_HOLD_NTF);
	bh.put_strz(VIPFO_A_GROUP_NAME, "web");
	devs = bh.nest_start(VIPFO_A_DEVS);
	nlattr *dev = bh.nest_start(VIPFO_A_DEV);
	bh.put_u32(VIPFO_DEV_A_IFINDEX, 4);
	bh.put_u8(VIPFO_DEV_A_STATE, VIPFO_DEV_STATE_HELD_DOWN);
	bh.put_u32(VIPFO_DEV_A_HELD_MS, 4000);
	bh.nest_end(dev);
	bh.nest_end(devs);
	bh.put_u8(VIPFO_A_DETECTED_BY, VIPFO_DETECTED_BY_NOTIFIER);
	const nl::Message mh = bh.finish();
	const auto h = std::get<proto::HoldEvent>(proto::decode_event(nl::header(mh)));
	EXPECT_EQ(h.group, "web");
	EXPECT_EQ(h.device.ifindex, 4u);
	EXPECT_EQ(h.device.state, VIPFO_DEV_STATE_HELD_DOWN);
	EXPECT_EQ(h.device.held_ms, 4000u);
	EXPECT_EQ(h.detected_by, VIPFO_DETECTED_BY_NOTIFIER);

	auto b3 = kernel_msg(77);
	b3.put_strz(VIPFO_A_GROUP_NAME, "web");
	const nl::Message m3 = b3.finish();
	EXPECT_EQ(proto::decode_event(nl::header(m3)), proto::Event(proto::UnknownEvent{77, "web"}));
}

TEST(Decode, ConflictEvent)
{
	const std::array<uint8_t, 6> peer{0x02, 0x00, 0x5e, 0x00, 0x00, 0x99};
	auto b = kernel_msg(VIPFO_CMD_CONFLICT_NTF);
	b.put_strz(VIPFO_A_GROUP_NAME, "web");
	put_vips(b, {"192.0.2.10"});
	nlattr *devs = b.nest_start(VIPFO_A_DEVS);
	put_dev(b, VIPFO_A_DEV, 3, "eth1", 1, std::nullopt, false);
	b.nest_end(devs);
	b.put_bytes(VIPFO_A_PEER_MAC, peer);
	const nl::Message m = b.finish();
	const proto::Event ev = proto::decode_event(nl::header(m));
	ASSERT_TRUE(std::holds_alternative<proto::ConflictEvent>(ev));
	const auto &c = std::get<proto::ConflictEvent>(ev);
	EXPECT_EQ(c.group, "web");
	EXPECT_EQ(c.vip, parse_addr("192.0.2.10"));
	EXPECT_EQ(c.device.ifindex, 3u);
	EXPECT_EQ(c.device.ifname, "eth1");
	EXPECT_EQ(c.peer_mac, peer);

	{ // no VIP
		auto b2 = kernel_msg(VIPFO_CMD_CONFLICT_NTF);
		b2.put_strz(VIPFO_A_GROUP_NAME, "web");
		nlattr *d = b2.nest_start(VIPFO_A_DEVS);
		put_dev(b2, VIPFO_A_DEV, 3, "eth1", 1, std::nullopt, false);
		b2.nest_end(d);
		const nl::Message m2 = b2.finish();
		EXPECT_THROW(proto::decode_event(nl::header(m2)), Error);
	}
	{ // no device
		auto b3 = kernel_msg(VIPFO_CMD_CONFLICT_NTF);
		b3.put_strz(VIPFO_A_GROUP_NAME, "web");
		put_vips(b3, {"192.0.2.10"});
		const nl::Message m3 = b3.finish();
		EXPECT_THROW(proto::decode_event(nl::header(m3)), Error);
	}
	{ // a MAC of 4 bytes
		auto b4 = kernel_msg(VIPFO_CMD_CONFLICT_NTF);
		b4.put_strz(VIPFO_A_GROUP_NAME, "web");
		put_vips(b4, {"192.0.2.10"});
		nlattr *d = b4.nest_start(VIPFO_A_DEVS);
		put_dev(b4, VIPFO_A_DEV, 3, "eth1", 1, std::nullopt, false);
		b4.nest_end(d);
		b4.put_u32(VIPFO_A_PEER_MAC, 0);
		const nl::Message m4 = b4.finish();
		EXPECT_THROW(proto::decode_event(nl::header(m4)), Error);
	}
}

TEST(Names, All)
{
	EXPECT_EQ(proto::dev_state_name(VIPFO_DEV_STATE_UP), "up");
	EXPECT_EQ(proto::dev_state_name(VIPFO_DEV_STATE_NO_CARRIER), "no-carrier");
	EXPECT_EQ(proto::dev_state_name(VIPFO_DEV_STATE_DOWN), "down");
	EXPECT_EQ(proto::dev_state_name(9), "state-9");
	EXPECT_EQ(proto::reason_name(VIPFO_REASON_ADMIN_DOWN), "admin-down");
	EXPECT_EQ(proto::reason_name(VIPFO_REASON_CARRIER_LOSS), "carrier-loss");
	EXPECT_EQ(proto::reason_name(VIPFO_REASON_UNREGISTER), "unregister");
	EXPECT_EQ(proto::reason_name(VIPFO_REASON_MAC_CHANGE), "mac-change");
	EXPECT_EQ(proto::reason_name(VIPFO_REASON_REMOVED), "removed");
	EXPECT_EQ(proto::reason_name(VIPFO_REASON_UNFIT), "unfit");
	EXPECT_EQ(proto::reason_name(9), "reason-9");
	EXPECT_EQ(proto::detector_name(VIPFO_DETECTED_BY_NOTIFIER), "notifier");
	EXPECT_EQ(proto::detector_name(VIPFO_DETECTED_BY_POLL), "poll");
	EXPECT_EQ(proto::change_name(VIPFO_CMD_GROUP_NEW), "group-new");
	EXPECT_EQ(proto::change_name(VIPFO_CMD_GROUP_DEL), "group-del");
	EXPECT_EQ(proto::change_name(VIPFO_CMD_GROUP_SET), "group-set");
	EXPECT_EQ(proto::change_name(VIPFO_CMD_DEV_ADD), "dev-add");
	EXPECT_EQ(proto::change_name(VIPFO_CMD_DEV_DEL), "dev-del");
	EXPECT_EQ(proto::change_name(VIPFO_CMD_VIP_ADD), "vip-add");
	EXPECT_EQ(proto::change_name(VIPFO_CMD_VIP_DEL), "vip-del");
	EXPECT_EQ(proto::change_name(VIPFO_CMD_GROUP_GET), "cmd-4");
}
