// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "lib/config_file.hpp"
#include "lib/config_plan.hpp"
#include "lib/error.hpp"
#include "helpers.hpp"

using namespace vipctl;
using testing_helpers::error_of;
using namespace vipctl::config;

namespace {

// Devices a1..a9 exist, with ifindex 11..19.
uint32_t resolver(const std::string &n)
{
	return n.size() == 2 && n[0] == 'a' ? 10 + (n[1] - '0') : 0;
}

proto::Group running_group(std::string name, std::vector<std::string> devs,
			   std::vector<std::string> vips, proto::GroupOptions o = kDefaults)
{
	proto::Group g;
	g.name = std::move(name);
	g.garp_count = o.garp_count;
	g.garp_interval = o.garp_interval;
	g.carrier_poll = o.carrier_poll;
	g.reply_rate = o.reply_rate;
	g.up_delay = o.up_delay;
	for (const std::string &d : devs) {
		proto::Device dev;
		dev.ifindex = resolver(d);
		dev.ifname = d;
		g.devices.push_back(dev);
	}
	for (const std::string &v : vips)
		g.vips.push_back(parse_addr(v));
	return g;
}

std::vector<std::string> lines(const std::vector<Step> &steps)
{
	std::vector<std::string> out;
	for (const Step &s : steps)
		out.push_back(s.str());
	return out;
}

const char *kWeb = R"(# comment
[group.web]
devices = ["a1", "a2"]
vips = ["192.0.2.1", "2001:db8::1"]
garp-count = 5
up-delay = 0
local = false

[group."db.v2"]
vips = ["192.0.2.2"]
)";

} // namespace

TEST(ConfigFile, Parses)
{
	const Config c = parse(kWeb, "f.conf");
	ASSERT_EQ(c.groups.size(), 2u);
	const GroupSpec &w = c.groups[0];
	EXPECT_EQ(w.name, "web");
	EXPECT_EQ(w.where.str(), "f.conf:2:8");
	ASSERT_EQ(w.devices.size(), 2u);
	EXPECT_EQ(w.devices[1].value, "a2");
	EXPECT_EQ(w.devices[1].where.str(), "f.conf:3:18");
	ASSERT_EQ(w.vips.size(), 2u);
	EXPECT_EQ(w.vips[1].value.str(), "2001:db8::1");
	EXPECT_EQ(w.options.garp_count, 5u);
	EXPECT_EQ(w.options.up_delay, 0u);
	EXPECT_FALSE(w.options.garp_interval);
	EXPECT_FALSE(w.local);
	EXPECT_EQ(c.groups[1].name, "db.v2");
	EXPECT_TRUE(c.groups[1].local);
	EXPECT_TRUE(c.groups[1].devices.empty());
}

TEST(ConfigFile, ErrorsAreLocated)
{
	EXPECT_EQ(error_of([] { parse("[group.x]\ngarp-count = 101\n", "f"); }),
		  "f:2:14: group x: garp-count: not a whole number in 0-100");
	EXPECT_EQ(error_of([] { parse("[group.x]\ngarp-interval = 5\n", "f"); }),
		  "f:2:17: group x: garp-interval: not a whole number in 10-60000");
	EXPECT_EQ(error_of([] { parse("[group.x]\nup-delay = \"1\"\n", "f"); }),
		  "f:2:12: group x: up-delay: not a whole number in 0-60000");
	EXPECT_EQ(error_of([] { parse("[group.x]\nvip = []\n", "f"); }),
		  "f:2:1: group x: unknown key 'vip'");
	EXPECT_EQ(error_of([] { parse("[groups.x]\n", "f"); }),
		  "f:1:2: unknown table 'groups' (groups are [group.NAME])");
	EXPECT_EQ(error_of([] { parse("[group.x]\nvips = [\"192.0.2.300\"]\n", "f"); }),
		  "f:2:9: group x: 192.0.2.300: invalid address");
	EXPECT_EQ(error_of([] { parse("[group.x]\nvips = \"192.0.2.3\"\n", "f"); }),
		  "f:2:8: group x: vips: not a list of strings");
	EXPECT_EQ(error_of([] { parse("[group.x]\ndevices = [\"a1\", \"a1\"]\n", "f"); }),
		  "f:2:18: group x: device a1 given twice");
	EXPECT_EQ(error_of([] { parse("[group.x]\ndevices = [\"a/1\"]\n", "f"); }),
		  "f:2:12: group x: 'a/1': not a device name");
	EXPECT_EQ(error_of([] { parse("[group.x]\nlocal = 1\n", "f"); }),
		  "f:2:1: group x: local: not true or false");
	EXPECT_EQ(error_of([] { parse("[group.x\n", "f"); }).substr(0, 6), "f:1:9:");
	EXPECT_NE(error_of([] { parse("[group.\"a b\"]\n", "f"); }).find("f:1:8: "),
		  std::string::npos);
	EXPECT_EQ(error_of([] {
			  parse("[group.x]\nvips = [\"192.0.2.1\"]\n[group.y]\nvips = [\"192.0.2.1\"]\n",
				"f");
		  }),
		  "f:4:9: group y: vip 192.0.2.1 given before, in group x at f:2:9");
	EXPECT_EQ(error_of([] {
			  parse("[group.x]\ndevices = [\"a1\"]\n[group.y]\ndevices = [\"a1\"]\n", "f");
		  }),
		  "f:4:12: group y: device a1 given before, in group x at f:2:12");
}

TEST(ConfigFile, MergeRefusesRepeats)
{
	const std::vector<Config> parts{parse("[group.x]\n", "a.conf"),
					parse("\n[group.x]\n", "b.conf")};
	EXPECT_EQ(error_of([&] { merge(parts); }),
		  "b.conf:2:8: group x defined before, at a.conf:1:8");
	const std::vector<Config> vips{parse("[group.x]\nvips = [\"2001:db8::1\"]\n", "a.conf"),
				       parse("[group.y]\nvips = [\"2001:db8::1\"]\n", "b.conf")};
	EXPECT_EQ(error_of([&] { merge(vips); }),
		  "b.conf:2:9: group y: vip 2001:db8::1 given before, in group x at a.conf:2:9");
}

TEST(ConfigFile, RenderParsesBack)
{
	const std::vector<proto::Group> groups{
		running_group("web", {"a1", "a2"}, {"192.0.2.1", "2001:db8::1"},
			      {.garp_count = 0, .garp_interval = 10, .carrier_poll = 0,
			       .reply_rate = 7, .up_delay = 60000}),
		running_group("db.v2", {}, {})};
	const std::string text = render(groups, {false, true});
	const Config c = parse(text, "saved");
	ASSERT_EQ(c.groups.size(), 2u);
	EXPECT_EQ(c.groups[0].name, "web");
	EXPECT_EQ(c.groups[0].options.garp_count, 0u);
	EXPECT_EQ(c.groups[0].options.garp_interval, 10u);
	EXPECT_EQ(c.groups[0].options.carrier_poll, 0u);
	EXPECT_EQ(c.groups[0].options.reply_rate, 7u);
	EXPECT_EQ(c.groups[0].options.up_delay, 60000u);
	EXPECT_FALSE(c.groups[0].local);
	EXPECT_EQ(c.groups[1].name, "db.v2");
	EXPECT_TRUE(c.groups[1].local);
	// And applying it changes nothing.
	Running r{.groups = groups, .local = {}, .marked = {}};
	EXPECT_TRUE(plan(c, r, resolver).empty()) << text;
}

TEST(ConfigPlan, NothingToDo)
{
	const Config c = parse("[group.web]\ndevices = [\"a1\"]\nvips = [\"192.0.2.1\"]\n", "f");
	Running r{.groups = {running_group("web", {"a1"}, {"192.0.2.1"})},
		  .local = {parse_addr("192.0.2.1")}, .marked = {parse_addr("192.0.2.1")}};
	EXPECT_TRUE(plan(c, r, resolver).empty());
	// Present on lo without our mark: left as it is, nothing to add.
	r.marked.clear();
	EXPECT_TRUE(plan(c, r, resolver).empty());
}

TEST(ConfigPlan, CarrierPollFloor)
{
	const Config c = parse("[group.web]\n", "f");
	proto::GroupOptions o = kDefaults;
	o.carrier_poll = 10;
	Running r{.groups = {running_group("web", {}, {}, o)}, .local = {}, .marked = {}};
	EXPECT_EQ(lines(plan(c, r, resolver)),
		  std::vector<std::string>{"~ group web: carrier-poll 10 -> 5"});
	r.carrier_poll_floor = 10;
	EXPECT_TRUE(plan(c, r, resolver).empty());
}

TEST(ConfigPlan, EditInOrder)
{
	const Config c = parse(R"([group.web]
devices = ["a2", "a3"]
vips = ["192.0.2.2", "192.0.2.3"]
garp-count = 2

[group.new]
devices = ["a1"]
vips = ["192.0.2.1"]
local = false
)",
			       "f");
	Running r{.groups = {running_group("web", {"a1", "a2"}, {"192.0.2.1", "192.0.2.2"}),
			     running_group("old", {"a4"}, {"192.0.2.9"})},
		  .local = {parse_addr("192.0.2.1"), parse_addr("192.0.2.2"),
			    parse_addr("192.0.2.9")},
		  .marked = {parse_addr("192.0.2.1"), parse_addr("192.0.2.2"),
			     parse_addr("192.0.2.9")}};
	const std::vector<Step> steps = plan(c, r, resolver);
	EXPECT_EQ(lines(steps), (std::vector<std::string>{
					"- group old",
					"- group web: vips 192.0.2.1",
					"- group web: devices a1",
					"- local addresses on lo: 192.0.2.1, 192.0.2.9",
					"~ group web: garp-count 3 -> 2",
					"+ group new: devices a1; vips 192.0.2.1",
					"+ group web: devices a3",
					"+ group web: vips 192.0.2.3",
					"+ local addresses on lo: 192.0.2.3",
				}));
	// What the undo of each does.
	EXPECT_EQ(inverse(steps[0]).str(), "+ group old: devices a4; vips 192.0.2.9; garp-count 3, "
					   "garp-interval 200, carrier-poll 5, reply-rate 100000, "
					   "up-delay 1000");
	EXPECT_EQ(inverse(steps[4]).str(), "~ group web: garp-count 2 -> 3");
	EXPECT_EQ(inverse(steps[6]).str(), "- group web: devices a3");
	EXPECT_EQ(inverse(steps[8]).str(), "- local addresses on lo: 192.0.2.3");
	EXPECT_EQ(steps[6].devs, (std::vector<DevRef>{{"a3", 13}}));
}

TEST(ConfigPlan, MissingDevicesAreLeftOut)
{
	const Config c = parse("[group.web]\ndevices = [\"a1\", \"late0\"]\n", "f");
	EXPECT_EQ(lines(plan(c, {}, resolver)),
		  std::vector<std::string>{"+ group web: devices a1"});
}

TEST(ConfigPlan, ManyVipsAreSummed)
{
	std::string text = "[group.web]\nvips = [";
	for (int i = 1; i <= 10; i++)
		text += "\"192.0.2." + std::to_string(i) + "\",";
	text += "]\nlocal = false\n";
	EXPECT_EQ(lines(plan(parse(text, "f"), {}, resolver)),
		  std::vector<std::string>{"+ group web: vips 192.0.2.1, 192.0.2.2, 192.0.2.3, "
					   "192.0.2.4 and 6 more"});
}

// A VRRP group holds all its VIPs (and their local addresses) while its
// instance is master, none otherwise: as keepalived's notification says,
// or, when none is being handled, as the group is now.
TEST(ConfigPlan, VrrpInstanceOwnsTheVips)
{
	const Config c = parse("[group.web]\ndevices = [\"a1\"]\nvrrp-instance = \"VI_1\"\n"
			       "vips = [\"192.0.2.1\", \"2001:db8::1\"]\n",
			       "f");
	ASSERT_TRUE(c.groups[0].vrrp_instance);
	EXPECT_EQ(c.groups[0].vrrp_instance->value, "VI_1");
	// Boot: created without VIPs; keepalived says who is master.
	EXPECT_EQ(lines(plan(c, {}, resolver)), std::vector<std::string>{"+ group web: devices a1"});
	Running backup{.groups = {running_group("web", {"a1"}, {})}, .local = {}, .marked = {}};
	EXPECT_TRUE(plan(c, backup, resolver).empty());
	EXPECT_TRUE(plan(c, backup, resolver, {{"VI_2", true}}).empty());
	EXPECT_EQ(lines(plan(c, backup, resolver, {{"VI_1", true}})),
		  (std::vector<std::string>{"+ group web: vips 192.0.2.1, 2001:db8::1",
					    "+ local addresses on lo: 192.0.2.1, 2001:db8::1"}));
	// Master: a reload keeps the VIPs, and completes them.
	Running master{.groups = {running_group("web", {"a1"}, {"192.0.2.1"})},
		       .local = {parse_addr("192.0.2.1")},
		       .marked = {parse_addr("192.0.2.1")}};
	EXPECT_EQ(lines(plan(c, master, resolver)),
		  (std::vector<std::string>{"+ group web: vips 2001:db8::1",
					    "+ local addresses on lo: 2001:db8::1"}));
	EXPECT_EQ(lines(plan(c, master, resolver, {{"VI_1", false}})),
		  (std::vector<std::string>{"- group web: vips 192.0.2.1",
					    "- local addresses on lo: 192.0.2.1"}));
	// Repeated notifications change nothing.
	master.groups[0] = running_group("web", {"a1"}, {"192.0.2.1", "2001:db8::1"});
	master.local = master.marked = {parse_addr("192.0.2.1"), parse_addr("2001:db8::1")};
	EXPECT_TRUE(plan(c, master, resolver, {{"VI_1", true}}).empty());
	EXPECT_TRUE(plan(c, backup, resolver, {{"VI_1", false}}).empty());
}

TEST(ConfigFile, VrrpInstanceErrors)
{
	EXPECT_EQ(error_of([] { parse("[group.web]\nvrrp-instance = 1\n", "f"); }),
		  "f:2:17: group web: vrrp-instance: not the name of a VRRP instance (1-127 "
		  "characters, no white space or quotes)");
	EXPECT_NE(error_of([] { parse("[group.web]\nvrrp-instance = \"a b\"\n", "f"); }), "");
	EXPECT_NE(error_of([] { parse("[group.web]\nvrrp-instance = \"\"\n", "f"); }), "");
}
