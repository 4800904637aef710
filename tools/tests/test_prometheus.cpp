// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "lib/prometheus.hpp"

using namespace vipctl;

namespace {

proto::Group group()
{
	proto::Group g;
	g.name = "web";
	g.vip_count = 2;
	g.stats = proto::Stats{.requests = 10,
			       .replies = 30,
			       .garps = 6,
			       .failovers = 3,
			       .failovers_by_reason = {2, 0, 0, 1, 0}};
	proto::Device up;
	up.ifindex = 2;
	up.ifname = "eth0";
	up.state = VIPFO_DEV_STATE_UP;
	up.stats = proto::Stats{.replies = 10};
	proto::Device held;
	held.ifindex = 3;
	held.ifname = "a\"b\\c";
	held.state = VIPFO_DEV_STATE_HELD_DOWN;
	held.held_ms = 1500;
	held.stats = proto::Stats{.failovers = 2, .failovers_by_reason = {2, 0, 0, 0, 0}};
	g.devices = {up, held};
	return g;
}

} // namespace

TEST(Prometheus, EveryCounterHasHelp)
{
	for (const proto::Counter &k : proto::kCounters)
		EXPECT_FALSE(counter_help(k.name).empty()) << k.name;
}

TEST(Prometheus, Samples)
{
	const std::vector<proto::Group> groups{group()};
	const std::string text = render_prometheus(groups);
	const auto has = [&](const std::string &line) {
		return text.find("\n" + line + "\n") != std::string::npos;
	};
	EXPECT_TRUE(has("vipfo_group_vips{group=\"web\"} 2")) << text;
	EXPECT_TRUE(has("vipfo_group_members{group=\"web\"} 2"));
	EXPECT_TRUE(has("vipfo_member_up{group=\"web\",device=\"eth0\"} 1"));
	EXPECT_TRUE(has("vipfo_member_up{group=\"web\",device=\"a\\\"b\\\\c\"} 0"));
	EXPECT_TRUE(has("vipfo_member_state{group=\"web\",device=\"a\\\"b\\\\c\",state=\"held-down\"} 1"));
	EXPECT_TRUE(has("vipfo_member_state{group=\"web\",device=\"eth0\",state=\"held-down\"} 0"));
	EXPECT_TRUE(has("vipfo_member_held_down_seconds{group=\"web\",device=\"a\\\"b\\\\c\"} 1.500"));
	EXPECT_TRUE(has("vipfo_member_held_down_seconds{group=\"web\",device=\"eth0\"} 0.000"));
	EXPECT_TRUE(has("vipfo_group_replies_total{group=\"web\"} 30"));
	EXPECT_TRUE(has("vipfo_replies_total{group=\"web\",device=\"eth0\"} 10"));
	EXPECT_TRUE(has("# TYPE vipfo_failovers_total counter"));
	// Failovers by reason only: their sum is the total.
	EXPECT_TRUE(has("vipfo_group_failovers_total{group=\"web\",reason=\"admin-down\"} 2"));
	EXPECT_TRUE(has("vipfo_group_failovers_total{group=\"web\",reason=\"removed\"} 1"));
	EXPECT_TRUE(has("vipfo_group_failovers_total{group=\"web\",reason=\"unfit\"} 0"));
	EXPECT_TRUE(has("vipfo_failovers_total{group=\"web\",device=\"a\\\"b\\\\c\",reason=\"admin-down\"} 2"));
	EXPECT_EQ(text.find("vipfo_group_failovers_total{group=\"web\"}"), std::string::npos);
	EXPECT_TRUE(has("# TYPE vipfo_member_up gauge"));
}

// Every line is a comment (HELP, TYPE) or a sample of the family last
// typed; no family is typed twice.
TEST(Prometheus, WellFormed)
{
	const std::vector<proto::Group> groups{group(), group()};
	std::istringstream in(render_prometheus(groups));
	const std::regex sample(R"(([a-z_]+)\{group="[^"]*"(,device="([^"\\]|\\.)*")?(,(state|reason)="[a-z-]+")?\} [0-9.]+)");
	std::set<std::string> typed;
	std::string family, line;
	while (std::getline(in, line)) {
		std::smatch m;
		if (line.rfind("# HELP ", 0) == 0)
			continue;
		if (line.rfind("# TYPE ", 0) == 0) {
			family = line.substr(7, line.find(' ', 7) - 7);
			EXPECT_TRUE(typed.insert(family).second) << family;
			continue;
		}
		ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
		EXPECT_EQ(m[1], family) << line;
	}
	EXPECT_GT(typed.size(), 20u);
}
