// SPDX-License-Identifier: GPL-2.0
// The client's multi-request logic (batching, all-or-nothing rollback,
// naming the culprit, dump merging) against a fake kernel that decodes
// requests with plain libmnl and keeps a group table.
#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <map>
#include <set>
#include <sys/socket.h>

#include "lib/client.hpp"
#include "lib/error.hpp"
#include "helpers.hpp"

using namespace vipctl;
using namespace testing_helpers;

namespace {

constexpr uint16_t kFam = 0x1c;

struct Item {
	IpAddr vip;
	uint32_t ifindex = 0;
	uint32_t offset = 0; // of its nest in the request
};

struct Decoded {
	uint8_t cmd = 0;
	std::string name;
	std::vector<Item> vips;
	std::vector<Item> devs;
};

Decoded decode(const nl::Message &m)
{
	Decoded d;
	const nlmsghdr *nlh = nl::header(m);
	d.cmd = genl(nlh)->cmd;
	const auto off = [&](const nlattr *a) {
		return static_cast<uint32_t>(reinterpret_cast<const char *>(a) -
					     reinterpret_cast<const char *>(nlh));
	};
	for (const nlattr *a : msg_attrs(nlh)) {
		switch (mnl_attr_get_type(a)) {
		case VIPFO_A_GROUP_NAME:
			d.name = mnl_attr_get_str(a);
			break;
		case VIPFO_A_VIPS:
			for (const nlattr *v : nested(a)) {
				const auto in = nested(v);
				const auto b = bytes(in[1]);
				Item it;
				it.vip = mnl_attr_get_u16(in[0]) == AF_INET
						 ? IpAddr::v4(std::span<const uint8_t, 4>(b.data(), 4))
						 : IpAddr::v6(std::span<const uint8_t, 16>(b.data(), 16));
				it.offset = off(v);
				d.vips.push_back(it);
			}
			break;
		case VIPFO_A_DEVS:
			for (const nlattr *v : nested(a)) {
				Item it;
				it.ifindex = mnl_attr_get_u32(nested(v)[0]);
				it.offset = off(v);
				d.devs.push_back(it);
			}
			break;
		default:
			break;
		}
	}
	return d;
}

class FakeKernel : public nl::Transport {
public:
	std::map<std::string, std::vector<IpAddr>> groups;
	std::vector<Decoded> log;
	// Fail the fail_nth request (0-based, counted over all) with ENOMEM.
	std::optional<size_t> fail_nth;
	std::vector<nl::Message> dump_parts;
	int dump_error = 0;
	// Interrupt the next dump once after this many parts: it starts again.
	std::optional<size_t> dump_interrupt;
	// The warning every successful VIP_ADD acks with, when not empty.
	std::string vip_add_warning;

	using Transport::dump;
	using Transport::transact;

	std::vector<nl::Ack> transact(std::span<const nl::Message> msgs, const nl::ReplyFn &) override
	{
		std::vector<nl::Ack> acks;
		for (const nl::Message &m : msgs) {
			EXPECT_EQ(nl::header(m)->nlmsg_type, kFam);
			EXPECT_TRUE(nl::header(m)->nlmsg_flags & NLM_F_ACK);
			log.push_back(decode(m));
			if (fail_nth && *fail_nth == log.size() - 1)
				acks.push_back({ENOMEM, "out of memory (fake)", std::nullopt});
			else
				acks.push_back(apply(log.back()));
		}
		return acks;
	}

	void dump(const nl::Message &req, const std::function<void()> &on_restart, const nl::MsgFn &on_msg,
		  int) override
	{
		EXPECT_TRUE(nl::header(req)->nlmsg_flags & NLM_F_DUMP);
		log.push_back(decode(req));
		if (dump_error)
			throw KernelError(dump_error, "");
		if (dump_interrupt) {
			for (size_t i = 0; i < *dump_interrupt && i < dump_parts.size(); i++)
				on_msg(nl::header(dump_parts[i]));
			dump_interrupt.reset();
			on_restart();
		}
		for (const nl::Message &m : dump_parts)
			on_msg(nl::header(m));
	}

	std::string owner(const IpAddr &vip) const
	{
		for (const auto &[name, vips] : groups)
			if (std::find(vips.begin(), vips.end(), vip) != vips.end())
				return name;
		return "";
	}

	size_t count(uint8_t cmd) const
	{
		return static_cast<size_t>(
			std::count_if(log.begin(), log.end(), [&](const Decoded &d) { return d.cmd == cmd; }));
	}

private:
	nl::Ack apply(const Decoded &d)
	{
		const bool exists = groups.count(d.name) != 0;
		switch (d.cmd) {
		case VIPFO_CMD_GROUP_NEW:
			if (exists)
				return {EEXIST, "group exists", std::nullopt};
			if (auto bad = in_use(d))
				return *bad;
			groups[d.name] = vips(d);
			return {};
		case VIPFO_CMD_GROUP_DEL:
			if (!exists)
				return {ENOENT, "no such group", std::nullopt};
			groups.erase(d.name);
			return {};
		case VIPFO_CMD_VIP_ADD:
			if (!exists)
				return {ENOENT, "no such group", std::nullopt};
			if (auto bad = in_use(d))
				return *bad;
			for (const IpAddr &v : vips(d))
				groups[d.name].push_back(v);
			return {0, vip_add_warning, std::nullopt};
		case VIPFO_CMD_VIP_DEL: {
			if (!exists)
				return {ENOENT, "no such group", std::nullopt};
			auto &g = groups[d.name];
			for (const Item &it : d.vips)
				if (std::find(g.begin(), g.end(), it.vip) == g.end())
					return {ENOENT, "VIP not in group", it.offset};
			for (const Item &it : d.vips)
				g.erase(std::find(g.begin(), g.end(), it.vip));
			return {};
		}
		case VIPFO_CMD_DEV_ADD:
			for (const Item &it : d.devs)
				if (it.ifindex == 4)
					return {EBUSY, "device is in another group", it.offset};
			return {};
		default:
			return {EOPNOTSUPP, "", std::nullopt};
		}
	}

	std::optional<nl::Ack> in_use(const Decoded &d) const
	{
		for (const Item &it : d.vips)
			if (!owner(it.vip).empty())
				return nl::Ack{EEXIST, "VIP already in use", it.offset};
		return std::nullopt;
	}

	static std::vector<IpAddr> vips(const Decoded &d)
	{
		std::vector<IpAddr> out;
		for (const Item &it : d.vips)
			out.push_back(it.vip);
		return out;
	}
};

std::vector<IpAddr> v4_range(size_t n, uint32_t base = 0x0a000001)
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

std::set<IpAddr> as_set(const std::vector<IpAddr> &v)
{
	return {v.begin(), v.end()};
}

struct Fixture {
	FakeKernel *kernel;
	Client client;

	// 1000 bytes of attributes: 49 IPv4 VIPs per request.
	explicit Fixture(size_t limit = 1000)
		: Fixture(std::make_unique<FakeKernel>(), limit)
	{
	}

private:
	Fixture(std::unique_ptr<FakeKernel> k, size_t limit)
		: kernel(k.get()), client(std::move(k), nl::GenlFamily{kFam, 1, {{"events", 5}}, "vipfo"}, limit)
	{
	}
};

} // namespace

TEST(Client, VipAddInBatches)
{
	Fixture f;
	f.kernel->groups["web"] = {};
	const auto vips = v4_range(500);
	f.client.vips(VIPFO_CMD_VIP_ADD, "web", vips);
	EXPECT_EQ(f.kernel->groups["web"], vips);
	EXPECT_EQ(f.kernel->count(VIPFO_CMD_VIP_ADD), (500 + 48) / 49);
	EXPECT_EQ(f.kernel->count(VIPFO_CMD_VIP_DEL), 0u);
}

// A warning on success is said once, however many requests carried it;
// a failure's rollback says none.
TEST(Client, WarningsOnSuccessOnce)
{
	Fixture f;
	std::vector<std::string> said;
	f.client.on_warning([&](const std::string &w) { said.push_back(w); });
	f.kernel->groups["web"] = {};
	f.kernel->vip_add_warning = "no member is up: nothing answers for the VIPs";
	f.client.vips(VIPFO_CMD_VIP_ADD, "web", v4_range(500));
	EXPECT_EQ(said, std::vector<std::string>{f.kernel->vip_add_warning});

	said.clear();
	f.kernel->fail_nth = f.kernel->log.size() + 2;
	EXPECT_THROW(f.client.vips(VIPFO_CMD_VIP_ADD, "web", v4_range(500, 0x0b000001)),
		     KernelError);
	EXPECT_TRUE(said.empty());
	f.kernel->vip_add_warning.clear();
	f.kernel->fail_nth.reset();
	f.client.vips(VIPFO_CMD_VIP_ADD, "web", v4_range(10, 0x0c000001));
	EXPECT_TRUE(said.empty());
}

TEST(Client, VipAddLaterBatchFailsRollsBack)
{
	Fixture f;
	const auto vips = v4_range(500);
	f.kernel->groups["web"] = {};
	f.kernel->groups["db"] = {vips[300]};
	EXPECT_EQ(error_of([&] { f.client.vips(VIPFO_CMD_VIP_ADD, "web", vips); }),
		  vips[300].str() + ": VIP already in use");
	EXPECT_TRUE(f.kernel->groups["web"].empty()); // all or nothing
	EXPECT_EQ(f.kernel->groups["db"], std::vector<IpAddr>{vips[300]});
	EXPECT_GT(f.kernel->count(VIPFO_CMD_VIP_DEL), 0u);
	// Only what was added was deleted again: no VIP_DEL touched vips[300].
	for (const Decoded &d : f.kernel->log) {
		if (d.cmd != VIPFO_CMD_VIP_DEL)
			continue;
		for (const Item &it : d.vips)
			EXPECT_NE(it.vip, vips[300]);
	}
}

TEST(Client, VipAddFirstBatchFailsSendsNothingMore)
{
	Fixture f;
	const auto vips = v4_range(500);
	f.kernel->groups["web"] = {};
	f.kernel->groups["db"] = {vips[3]};
	EXPECT_EQ(error_of([&] { f.client.vips(VIPFO_CMD_VIP_ADD, "web", vips); }),
		  vips[3].str() + ": VIP already in use");
	EXPECT_EQ(f.kernel->log.size(), 1u);
	EXPECT_TRUE(f.kernel->groups["web"].empty());
}

TEST(Client, VipDelLaterBatchFailsRestores)
{
	Fixture f;
	const auto vips = v4_range(500);
	f.kernel->groups["web"] = vips;
	f.kernel->fail_nth = 3;
	EXPECT_EQ(error_of([&] { f.client.vips(VIPFO_CMD_VIP_DEL, "web", vips); }), "out of memory (fake)");
	EXPECT_EQ(as_set(f.kernel->groups["web"]), as_set(vips));
	EXPECT_EQ(f.kernel->groups["web"].size(), vips.size());
	EXPECT_GT(f.kernel->count(VIPFO_CMD_VIP_ADD), 0u);
}

TEST(Client, VipDelNamesMissingVip)
{
	Fixture f;
	const auto vips = v4_range(10);
	f.kernel->groups["web"] = std::vector<IpAddr>(vips.begin(), vips.begin() + 9);
	EXPECT_EQ(error_of([&] { f.client.vips(VIPFO_CMD_VIP_DEL, "web", vips); }),
		  vips[9].str() + ": VIP not in group");
	EXPECT_EQ(f.kernel->groups["web"].size(), 9u);
}

TEST(Client, GroupNewWithManyVips)
{
	Fixture f;
	const auto vips = v4_range(300);
	const std::vector<DevRef> devs{{"eth1", 3}, {"eth2", 5}};
	f.client.group_new("web", {.garp_count = 3, .garp_interval = 200}, devs, vips);
	EXPECT_EQ(f.kernel->groups["web"], vips);
	ASSERT_GE(f.kernel->log.size(), 2u);
	EXPECT_EQ(f.kernel->log[0].cmd, VIPFO_CMD_GROUP_NEW);
	EXPECT_EQ(f.kernel->log[0].devs.size(), 2u);
	EXPECT_FALSE(f.kernel->log[0].vips.empty());
	for (size_t i = 1; i < f.kernel->log.size(); i++) {
		EXPECT_EQ(f.kernel->log[i].cmd, VIPFO_CMD_VIP_ADD);
		EXPECT_TRUE(f.kernel->log[i].devs.empty());
	}
}

TEST(Client, GroupNewLaterBatchFailsDeletesGroup)
{
	Fixture f;
	const auto vips = v4_range(300);
	f.kernel->fail_nth = 2; // the second VIP_ADD
	EXPECT_EQ(error_of([&] { f.client.group_new("web", {}, {}, vips); }), "out of memory (fake)");
	EXPECT_FALSE(f.kernel->groups.count("web"));
	EXPECT_EQ(f.kernel->log.back().cmd, VIPFO_CMD_GROUP_DEL);
}

TEST(Client, GroupNewExistingSendsNothingMore)
{
	Fixture f;
	f.kernel->groups["web"] = {};
	EXPECT_EQ(error_of([&] { f.client.group_new("web", {}, {}, v4_range(300)); }), "group exists");
	EXPECT_EQ(f.kernel->log.size(), 1u);
	EXPECT_TRUE(f.kernel->groups.count("web")); // not deleted: it was not ours
}

TEST(Client, DeviceErrorNamesDevice)
{
	Fixture f;
	const std::vector<DevRef> devs{{"eth1", 3}, {"eth2", 4}};
	EXPECT_EQ(error_of([&] { f.client.devs(VIPFO_CMD_DEV_ADD, "web", devs); }),
		  "eth2: device is in another group");
}

TEST(Client, SimpleErrors)
{
	Fixture f;
	EXPECT_EQ(error_of([&] { f.client.group_del("web"); }), "no such group");
	EXPECT_EQ(error_of([&] { f.client.group_set("web", {.garp_count = 5}); }), "operation not supported");
}

namespace {

nl::Message part(const char *name, std::optional<uint32_t> count, std::vector<IpAddr> vips)
{
	auto b = nl::MsgBuilder::genl(kFam, VIPFO_CMD_GROUP_GET, 1, NLM_F_MULTI, 8192);
	b.put_strz(VIPFO_A_GROUP_NAME, name);
	if (count) {
		b.put_u32(VIPFO_A_GARP_COUNT, 3);
		b.put_u32(VIPFO_A_GARP_INTERVAL, 200);
		b.put_u32(VIPFO_A_VIP_COUNT, *count);
	}
	nlattr *list = b.nest_start(VIPFO_A_VIPS);
	for (const IpAddr &v : vips) {
		nlattr *n = b.nest_start(VIPFO_A_VIP);
		b.put_u16(VIPFO_VIP_A_FAMILY, v.family);
		b.put_bytes(VIPFO_VIP_A_ADDR, v.data());
		b.nest_end(n);
	}
	b.nest_end(list);
	return b.finish();
}

} // namespace

TEST(Client, GroupsMergesAndFilters)
{
	Fixture f;
	const auto v = v4_range(5);
	f.kernel->dump_parts = {part("web", 4, {v[0], v[1]}), part("web", std::nullopt, {v[2], v[3]}),
				part("db", 1, {v[4]})};
	auto groups = f.client.groups();
	ASSERT_EQ(groups.size(), 2u);
	EXPECT_EQ(groups[0].name, "web");
	EXPECT_EQ(groups[0].vips, (std::vector<IpAddr>{v[0], v[1], v[2], v[3]}));
	EXPECT_EQ(groups[0].vip_count, 4u);
	EXPECT_EQ(groups[1].name, "db");
	EXPECT_TRUE(f.kernel->log.back().name.empty()); // no filter sent

	groups = f.client.groups("db");
	ASSERT_EQ(groups.size(), 1u); // filtered here even if the kernel did not
	EXPECT_EQ(groups[0].name, "db");
	EXPECT_EQ(f.kernel->log.back().name, "db"); // the filter was sent

	f.kernel->dump_error = ENOENT;
	EXPECT_TRUE(f.client.groups("nosuch").empty());
	EXPECT_THROW(f.client.groups(), KernelError); // without a filter, ENOENT is an error
}

// show's listing: the parts as they come, the filter applied here too, a
// restart said before the parts start again, and no such group.
TEST(Client, DumpGroupsPassesParts)
{
	Fixture f;
	const auto v = v4_range(5);
	f.kernel->dump_parts = {part("web", 4, {v[0], v[1]}), part("web", std::nullopt, {v[2], v[3]}),
				part("db", 1, {v[4]})};
	std::vector<std::string> seen;
	const auto on_part = [&](proto::Group &&g) {
		seen.push_back(g.name + ":" + std::to_string(g.vips.size()));
	};
	EXPECT_TRUE(f.client.dump_groups(std::nullopt, [&] { seen.push_back("restart"); }, on_part));
	EXPECT_EQ(seen, (std::vector<std::string>{"web:2", "web:2", "db:1"}));

	seen.clear();
	f.kernel->dump_interrupt = 2;
	EXPECT_TRUE(f.client.dump_groups("db", [&] { seen.push_back("restart"); }, on_part));
	EXPECT_EQ(seen, (std::vector<std::string>{"restart", "db:1"}));

	// groups() starts over after a restart: nothing twice.
	f.kernel->dump_interrupt = 2;
	const auto groups = f.client.groups();
	ASSERT_EQ(groups.size(), 2u);
	EXPECT_EQ(groups[0].vips.size(), 4u);

	f.kernel->dump_error = ENOENT;
	EXPECT_FALSE(f.client.dump_groups("nosuch", [] {}, on_part));
	EXPECT_THROW(f.client.dump_groups(std::nullopt, [] {}, on_part), KernelError);
}

// vipctl -b: the commands of a batch share one connection.
TEST(ClientShared, OneConnectionForEveryClient)
{
	auto kernel = std::make_shared<FakeKernel>();
	int opened = 0;
	{
		Client::Shared shared([&] {
			opened++;
			return Connection{kernel, nl::GenlFamily{kFam, 1, {}, "vipfo"}};
		});
		Client().group_new("web", {}, {}, {});
		Client().group_new("db", {}, {}, {});
		Client().group_del("web");
	}
	EXPECT_EQ(opened, 1);
	EXPECT_EQ(kernel->log.size(), 3u);
	EXPECT_EQ(kernel->groups.count("db"), 1u);
}

TEST(ClientShared, FailedOpenIsNotKept)
{
	auto kernel = std::make_shared<FakeKernel>();
	int opened = 0;
	Client::Shared shared([&] {
		if (++opened == 1)
			throw_module_not_loaded();
		return Connection{kernel, nl::GenlFamily{kFam, 1, {}, "vipfo"}};
	});
	EXPECT_EQ(error_of([] { Client c; }), "vipfo module not loaded (try: modprobe vipfo)");
	Client().group_new("web", {}, {}, {});
	Client().group_del("web");
	EXPECT_EQ(opened, 2);
}

TEST(ClientShared, InnermostWins)
{
	auto outer_kernel = std::make_shared<FakeKernel>();
	auto inner_kernel = std::make_shared<FakeKernel>();
	Client::Shared outer([&] { return Connection{outer_kernel, nl::GenlFamily{kFam, 1, {}, "vipfo"}}; });
	{
		Client::Shared inner([&] { return Connection{inner_kernel, nl::GenlFamily{kFam, 1, {}, "vipfo"}}; });
		Client().group_new("in", {}, {}, {});
	}
	Client().group_new("out", {}, {}, {});
	EXPECT_EQ(inner_kernel->groups.count("in"), 1u);
	EXPECT_EQ(outer_kernel->groups.count("out"), 1u);
	EXPECT_EQ(outer_kernel->groups.count("in"), 0u);
}
