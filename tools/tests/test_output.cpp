// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "lib/output.hpp"

using namespace vipctl;
using proto::Device;
using proto::Group;
using proto::Stats;

namespace {

Device dev(uint32_t ifindex, const char *name, uint8_t last, std::optional<uint8_t> state,
	   std::optional<Stats> stats = std::nullopt)
{
	Device d;
	d.ifindex = ifindex;
	d.ifname = name;
	d.mac = std::array<uint8_t, 6>{0x52, 0x54, 0x00, 0x12, 0x34, last};
	d.state = state;
	d.stats = stats;
	return d;
}

Group web()
{
	Group g;
	g.name = "web";
	g.garp_count = 3;
	g.garp_interval = 200;
	g.vip_count = 2;
	// Its one failover: eth2's carrier loss.
	g.stats = Stats{10, 30, 6, 1, 0, 7, 2, 0, {0, 1, 0, 0, 0}};
	g.devices = {dev(3, "eth1", 1, VIPFO_DEV_STATE_UP, Stats{4, 10, 3, 0, 0, 0, 0}),
		     dev(4, "eth2", 2, VIPFO_DEV_STATE_NO_CARRIER, Stats{3, 10, 0, 1, 0, 0, 0, 0, {0, 1, 0, 0, 0}}),
		     dev(5, "eth3", 3, VIPFO_DEV_STATE_DOWN, Stats{3, 10, 3, 0, 2, 0, 0})};
	g.vips = {parse_addr("192.0.2.10"), parse_addr("2001:db8::10")};
	return g;
}

Group empty_group()
{
	Group g;
	g.name = "db";
	g.garp_count = 1;
	g.garp_interval = 1000;
	g.vip_count = 1;
	g.stats = Stats{};
	g.vips = {parse_addr("198.51.100.7")};
	return g;
}

} // namespace

TEST(Output, Mac)
{
	EXPECT_EQ(format_mac({0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}), "52:54:00:ab:cd:ef");
}

TEST(Output, GroupsText)
{
	const std::vector<Group> groups{web(), empty_group()};
	EXPECT_EQ(render_groups_text(groups, false), "group web: 3 devices, 2 vips, garp 3 x 200 ms\n"
						      "  dev eth1 (ifindex 3) 52:54:00:12:34:01 up\n"
						      "  dev eth2 (ifindex 4) 52:54:00:12:34:02 no-carrier\n"
						      "  dev eth3 (ifindex 5) 52:54:00:12:34:03 down\n"
						      "  vip 192.0.2.10\n"
						      "  vip 2001:db8::10\n"
						      "group db: 0 devices, 1 vip, garp 1 x 1000 ms\n"
						      "  vip 198.51.100.7\n");
	EXPECT_EQ(render_groups_text({}, false), "");
}

TEST(Output, GroupsTextStats)
{
	const std::vector<Group> groups{web(), empty_group()};
	EXPECT_EQ(render_groups_text(groups, true),
		  "group web: 3 devices, 2 vips, garp 3 x 200 ms\n"
		  "  requests 10 replies 30 garps 6 nas 0 failovers 1 (carrier-loss 1) tx_errors 0 rate_limited 7 conflicts 2\n"
		  "  dev eth1 (ifindex 3) 52:54:00:12:34:01 up\n"
		  "    requests 4 replies 10 garps 3 nas 0 failovers 0 tx_errors 0 rate_limited 0 conflicts 0\n"
		  "  dev eth2 (ifindex 4) 52:54:00:12:34:02 no-carrier\n"
		  "    requests 3 replies 10 garps 0 nas 0 failovers 1 (carrier-loss 1) tx_errors 0 rate_limited 0 conflicts 0\n"
		  "  dev eth3 (ifindex 5) 52:54:00:12:34:03 down\n"
		  "    requests 3 replies 10 garps 3 nas 0 failovers 0 tx_errors 2 rate_limited 0 conflicts 0\n"
		  "  vip 192.0.2.10\n"
		  "  vip 2001:db8::10\n"
		  "group db: 0 devices, 1 vip, garp 1 x 1000 ms\n"
		  "  requests 0 replies 0 garps 0 nas 0 failovers 0 tx_errors 0 rate_limited 0 conflicts 0\n"
		  "  vip 198.51.100.7\n");
}

TEST(Output, GroupsTextVipCountFallsBackToList)
{
	Group g = empty_group();
	g.vip_count.reset();
	g.vips.push_back(parse_addr("198.51.100.8"));
	EXPECT_EQ(render_groups_text(std::vector<Group>{g}, false),
		  "group db: 0 devices, 2 vips, garp 1 x 1000 ms\n"
		  "  vip 198.51.100.7\n"
		  "  vip 198.51.100.8\n");
}

TEST(Output, GroupsJson)
{
	const std::vector<Group> groups{web(), empty_group()};
	EXPECT_EQ(dump_json(groups_json(groups, false)),
		  R"({"groups":[)"
		  R"({"name":"web","garp_count":3,"garp_interval_ms":200,"vip_count":2,"devices":[)"
		  R"({"ifname":"eth1","ifindex":3,"mac":"52:54:00:12:34:01","state":"up"},)"
		  R"({"ifname":"eth2","ifindex":4,"mac":"52:54:00:12:34:02","state":"no-carrier"},)"
		  R"({"ifname":"eth3","ifindex":5,"mac":"52:54:00:12:34:03","state":"down"}],)"
		  R"("vips":["192.0.2.10","2001:db8::10"]},)"
		  R"({"name":"db","garp_count":1,"garp_interval_ms":1000,"vip_count":1,"devices":[],)"
		  R"("vips":["198.51.100.7"]}]})");
	EXPECT_EQ(dump_json(groups_json({}, false)), R"({"groups":[]})");
}

TEST(Output, GroupsJsonStats)
{
	Group g = web();
	g.devices.resize(1);
	EXPECT_EQ(dump_json(groups_json(std::vector<Group>{g}, true)),
		  R"({"groups":[{"name":"web","garp_count":3,"garp_interval_ms":200,"vip_count":2,)"
		  R"("stats":{"requests":10,"replies":30,"garps":6,"nas":0,"failovers":1,)"
		  R"("failovers_by_reason":{"admin-down":0,"carrier-loss":1,"unregister":0,"removed":0,"unfit":0},)"
		  R"("tx_errors":0,"rate_limited":7,"conflicts":2},)"
		  R"("devices":[{"ifname":"eth1","ifindex":3,"mac":"52:54:00:12:34:01","state":"up",)"
		  R"("stats":{"requests":4,"replies":10,"garps":3,"nas":0,"failovers":0,)"
		  R"("failovers_by_reason":{"admin-down":0,"carrier-loss":0,"unregister":0,"removed":0,"unfit":0},)"
		  R"("tx_errors":0,"rate_limited":0,"conflicts":0}}],)"
		  R"("vips":["192.0.2.10","2001:db8::10"]}]})");
}

namespace {

// Each group cut into parts as a dump may send them: the first with the
// head and `first` VIPs, then one part per `each` VIPs with the name only.
std::vector<Group> as_parts(const std::vector<Group> &groups, size_t first, size_t each)
{
	std::vector<Group> parts;
	for (const Group &g : groups) {
		Group head = g;
		head.vips.assign(g.vips.begin(), g.vips.begin() + std::min(first, g.vips.size()));
		parts.push_back(head);
		for (size_t i = head.vips.size(); i < g.vips.size(); i += each) {
			Group more;
			more.name = g.name;
			more.vips.assign(g.vips.begin() + i, g.vips.begin() + std::min(i + each, g.vips.size()));
			parts.push_back(more);
		}
	}
	return parts;
}

std::string streamed(const std::vector<Group> &parts, bool json, bool pretty, bool stats)
{
	std::string out;
	GroupStream s([&](std::string_view chunk) { out += chunk; }, json, pretty, stats);
	for (const Group &g : parts)
		s.part(g);
	s.finish();
	return out;
}

Group many(const std::string &name, size_t n)
{
	Group g = web();
	g.name = name;
	g.vip_count = n;
	g.vips.clear();
	for (size_t i = 0; i < n; i++)
		g.vips.push_back(parse_addr("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)));
	return g;
}

} // namespace

// Streamed part by part, the listing is what the whole list renders, in
// every form, however the groups are cut.
TEST(Output, GroupStreamMatchesWholeListing)
{
	const std::vector<std::vector<Group>> lists{
		{}, {web()}, {web(), empty_group()}, {many("a", 7), empty_group(), many("b", 0), many("c", 5)}};
	for (const std::vector<Group> &groups : lists)
		for (size_t first : {0, 1, 3})
			for (size_t each : {1, 2, 4})
				for (bool stats : {false, true}) {
					const auto parts = as_parts(groups, first, each);
					EXPECT_EQ(streamed(parts, false, false, stats), render_groups_text(groups, stats));
					for (bool pretty : {false, true})
						EXPECT_EQ(streamed(parts, true, pretty, stats),
							  dump_json(groups_json(groups, stats), pretty) + "\n")
							<< groups.size() << " groups, pretty " << pretty;
				}
}

TEST(Output, GroupStreamCountsGroups)
{
	std::string out;
	GroupStream s([&](std::string_view chunk) { out += chunk; }, true, false, false);
	EXPECT_EQ(s.groups(), 0u);
	for (const Group &g : as_parts({many("a", 5), many("b", 3)}, 1, 1))
		s.part(g);
	EXPECT_EQ(s.groups(), 2u);
}

TEST(Output, HeldOutputTakesBackOnlyWhatIsHeld)
{
	std::ostringstream os;
	HeldOutput out(os, 8);
	out.write("abc");
	EXPECT_TRUE(out.restart()); // nothing went out: start again unseen
	out.write("defg");
	EXPECT_EQ(os.str(), "");
	out.write("hijk"); // 8 bytes: they go out, and the rest as it comes
	EXPECT_EQ(os.str(), "defghijk");
	out.write("l");
	EXPECT_EQ(os.str(), "defghijkl");
	EXPECT_FALSE(out.restart());
	out.flush();
	EXPECT_EQ(os.str(), "defghijkl");

	std::ostringstream small;
	HeldOutput held(small, 1 << 20);
	held.write("all");
	EXPECT_EQ(small.str(), "");
	held.flush();
	EXPECT_EQ(small.str(), "all");
}

TEST(Output, CarrierPollShownWhenReported)
{
	Group g = empty_group();
	g.carrier_poll = 5;
	EXPECT_EQ(render_groups_text(std::vector<Group>{g}, false),
		  "group db: 0 devices, 1 vip, garp 1 x 1000 ms, carrier poll 5 ms\n"
		  "  vip 198.51.100.7\n");
	EXPECT_EQ(dump_json(groups_json(std::vector<Group>{g}, false)),
		  R"({"groups":[{"name":"db","garp_count":1,"garp_interval_ms":1000,)"
		  R"("carrier_poll_ms":5,"vip_count":1,"devices":[],"vips":["198.51.100.7"]}]})");
	g.carrier_poll = 0;
	EXPECT_EQ(render_groups_text(std::vector<Group>{g}, false),
		  "group db: 0 devices, 1 vip, garp 1 x 1000 ms, carrier poll off\n"
		  "  vip 198.51.100.7\n");
}

TEST(Output, ReplyRateShownWhenReported)
{
	Group g = empty_group();
	g.carrier_poll = 5;
	g.reply_rate = 100000;
	EXPECT_EQ(render_groups_text(std::vector<Group>{g}, false),
		  "group db: 0 devices, 1 vip, garp 1 x 1000 ms, carrier poll 5 ms, reply rate 100000/s\n"
		  "  vip 198.51.100.7\n");
	EXPECT_EQ(dump_json(groups_json(std::vector<Group>{g}, false)),
		  R"({"groups":[{"name":"db","garp_count":1,"garp_interval_ms":1000,)"
		  R"("carrier_poll_ms":5,"reply_rate":100000,"vip_count":1,"devices":[],)"
		  R"("vips":["198.51.100.7"]}]})");
	g.reply_rate = 0;
	EXPECT_EQ(render_groups_text(std::vector<Group>{g}, false),
		  "group db: 0 devices, 1 vip, garp 1 x 1000 ms, carrier poll 5 ms, reply rate unlimited\n"
		  "  vip 198.51.100.7\n");
	EXPECT_EQ(dump_json(groups_json(std::vector<Group>{g}, false)),
		  R"({"groups":[{"name":"db","garp_count":1,"garp_interval_ms":1000,)"
		  R"("carrier_poll_ms":5,"reply_rate":0,"vip_count":1,"devices":[],)"
		  R"("vips":["198.51.100.7"]}]})");
}

TEST(Output, HoldDown)
{
	Group g = empty_group();
	g.up_delay = 1000;
	Device d = dev(4, "eth2", 2, VIPFO_DEV_STATE_HELD_DOWN);
	d.held_ms = 1500;
	g.devices = {d};
	EXPECT_EQ(render_groups_text(std::vector<Group>{g}, false),
		  "group db: 1 device, 1 vip, garp 1 x 1000 ms, up delay 1000 ms\n"
		  "  dev eth2 (ifindex 4) 52:54:00:12:34:02 held-down (1500 ms left)\n"
		  "  vip 198.51.100.7\n");
	EXPECT_EQ(dump_json(groups_json(std::vector<Group>{g}, false)),
		  R"({"groups":[{"name":"db","garp_count":1,"garp_interval_ms":1000,"up_delay_ms":1000,)"
		  R"("vip_count":1,"devices":[{"ifname":"eth2","ifindex":4,"mac":"52:54:00:12:34:02",)"
		  R"("state":"held-down","held_ms":1500}],"vips":["198.51.100.7"]}]})");

	const proto::HoldEvent h{"web", d, VIPFO_DETECTED_BY_POLL};
	EXPECT_EQ(render_event_text(h),
		  "hold web: eth2 (ifindex 4) 52:54:00:12:34:02 held down for 1500 ms (back, detected by poll)");
	EXPECT_EQ(dump_json(event_json(h)),
		  R"({"event":"hold","group":"web","device":{"ifname":"eth2","ifindex":4,)"
		  R"("mac":"52:54:00:12:34:02","state":"held-down","held_ms":1500},"detected_by":"poll"})");
}

TEST(Output, JsonEscapesAndSurvivesBadUtf8)
{
	Group g = empty_group();
	g.devices = {dev(7, "we\"ird\xff", 7, VIPFO_DEV_STATE_UP)};
	const std::string s = dump_json(groups_json(std::vector<Group>{g}, false));
	EXPECT_NE(s.find("\"ifname\":\"we\\\"ird\xef\xbf\xbd\""), std::string::npos) << s;
}

// --- events ---

namespace {

proto::FailoverEvent failover()
{
	proto::FailoverEvent f;
	f.group = "web";
	f.failed = dev(4, "eth2", 2, std::nullopt);
	f.reason = VIPFO_REASON_CARRIER_LOSS;
	f.detected_by = VIPFO_DETECTED_BY_NOTIFIER;
	f.survivors = {dev(3, "eth1", 1, std::nullopt), dev(5, "eth3", 3, std::nullopt)};
	f.survivors[0].mac.reset();
	f.survivors[1].mac.reset();
	f.vip_count = 2;
	f.garp_count = 3;
	return f;
}

proto::ChangeEvent change(uint8_t cmd)
{
	proto::ChangeEvent c;
	c.group = "web";
	c.change = cmd;
	return c;
}

} // namespace

TEST(Output, EventText)
{
	proto::ChangeEvent c = change(VIPFO_CMD_VIP_ADD);
	c.vip_count = 2;
	c.vips = std::vector<IpAddr>{parse_addr("192.0.2.10"), parse_addr("2001:db8::10")};
	EXPECT_EQ(render_event_text(c), "change web vip-add: 2 vips: 192.0.2.10 2001:db8::10");

	c = change(VIPFO_CMD_GROUP_NEW);
	c.devices = {dev(3, "eth1", 1, std::nullopt), dev(4, "eth2", 2, std::nullopt)};
	c.vip_count = 1;
	c.vips = std::vector<IpAddr>{parse_addr("192.0.2.10")};
	EXPECT_EQ(render_event_text(c),
		  "change web group-new: devices eth1 (ifindex 3), eth2 (ifindex 4); 1 vip: 192.0.2.10");

	c = change(VIPFO_CMD_DEV_DEL);
	c.devices = {dev(5, "eth3", 3, std::nullopt)};
	EXPECT_EQ(render_event_text(c), "change web dev-del: devices eth3 (ifindex 5)");
	c.reason = VIPFO_REASON_UNFIT; // the kernel took it out
	EXPECT_EQ(render_event_text(c), "change web dev-del: devices eth3 (ifindex 5) (unfit)");

	c = change(VIPFO_CMD_VIP_DEL);
	c.vip_count = 100000; // the VIPs did not fit in the notification
	EXPECT_EQ(render_event_text(c), "change web vip-del: 100000 vips");

	EXPECT_EQ(render_event_text(change(VIPFO_CMD_GROUP_SET)), "change web group-set");

	EXPECT_EQ(render_event_text(failover()),
		  "failover web: eth2 (ifindex 4) 52:54:00:12:34:02 carrier-loss (detected by notifier); "
		  "survivors eth1 (ifindex 3), eth3 (ifindex 5) announce 2 vips x 3 rounds");
	proto::FailoverEvent last = failover();
	last.survivors.clear();
	last.reason = VIPFO_REASON_UNREGISTER;
	EXPECT_EQ(render_event_text(last),
		  "failover web: eth2 (ifindex 4) 52:54:00:12:34:02 unregister (detected by notifier); no survivors");

	proto::RecoverEvent r{"web", dev(4, "eth2", 2, VIPFO_DEV_STATE_UP), VIPFO_DETECTED_BY_POLL};
	EXPECT_EQ(render_event_text(r),
		  "recover web: eth2 (ifindex 4) 52:54:00:12:34:02 up (detected by poll)");
	r.detected_by.reset();
	EXPECT_EQ(render_event_text(r), "recover web: eth2 (ifindex 4) 52:54:00:12:34:02 up");
	r.device.ifname.reset();
	r.device.mac.reset();
	r.device.state.reset();
	EXPECT_EQ(render_event_text(r), "recover web: ifindex 4");

	EXPECT_EQ(render_event_text(proto::UnknownEvent{42, "web"}), "unknown event 42 web");
}

TEST(Output, ConflictEvent)
{
	proto::ConflictEvent c{"web", parse_addr("192.0.2.10"), dev(3, "eth1", 1, std::nullopt),
			       std::array<uint8_t, 6>{0x02, 0x00, 0x5e, 0x00, 0x00, 0x99}};
	EXPECT_EQ(render_event_text(c),
		  "conflict web: 192.0.2.10 claimed by 02:00:5e:00:00:99, seen on eth1 (ifindex 3)");
	EXPECT_EQ(dump_json(event_json(c)),
		  R"({"event":"conflict","group":"web","vip":"192.0.2.10","peer_mac":"02:00:5e:00:00:99",)"
		  R"("device":{"ifname":"eth1","ifindex":3,"mac":"52:54:00:12:34:01"}})");

	// Only what the notification carried.
	c.peer_mac.reset();
	c.device.ifname.reset();
	c.device.mac.reset();
	EXPECT_EQ(render_event_text(c), "conflict web: 192.0.2.10 claimed by another host, seen on ifindex 3");
	EXPECT_EQ(dump_json(event_json(c)),
		  R"({"event":"conflict","group":"web","vip":"192.0.2.10","device":{"ifindex":3}})");
}

TEST(Output, EventJson)
{
	proto::ChangeEvent c = change(VIPFO_CMD_VIP_ADD);
	c.vip_count = 2;
	c.vips = std::vector<IpAddr>{parse_addr("192.0.2.10"), parse_addr("2001:db8::10")};
	EXPECT_EQ(dump_json(event_json(c)),
		  R"({"event":"change","group":"web","change":"vip-add","devices":[],"vip_count":2,)"
		  R"("vips":["192.0.2.10","2001:db8::10"]})");

	c = change(VIPFO_CMD_DEV_ADD);
	c.devices = {dev(5, "eth3", 3, std::nullopt)};
	EXPECT_EQ(dump_json(event_json(c)),
		  R"({"event":"change","group":"web","change":"dev-add",)"
		  R"("devices":[{"ifname":"eth3","ifindex":5,"mac":"52:54:00:12:34:03"}]})");

	c = change(VIPFO_CMD_DEV_DEL);
	c.devices = {dev(5, "eth3", 3, std::nullopt)};
	c.reason = VIPFO_REASON_UNREGISTER;
	EXPECT_EQ(dump_json(event_json(c)),
		  R"({"event":"change","group":"web","change":"dev-del",)"
		  R"("devices":[{"ifname":"eth3","ifindex":5,"mac":"52:54:00:12:34:03"}],"reason":"unregister"})");

	c = change(VIPFO_CMD_VIP_DEL);
	c.vip_count = 100000;
	EXPECT_EQ(dump_json(event_json(c)),
		  R"({"event":"change","group":"web","change":"vip-del","devices":[],"vip_count":100000})");

	EXPECT_EQ(dump_json(event_json(failover())),
		  R"({"event":"failover","group":"web",)"
		  R"("failed":{"ifname":"eth2","ifindex":4,"mac":"52:54:00:12:34:02"},)"
		  R"("reason":"carrier-loss","detected_by":"notifier",)"
		  R"("survivors":[{"ifname":"eth1","ifindex":3},{"ifname":"eth3","ifindex":5}],)"
		  R"("vip_count":2,"garp_count":3})");

	const proto::RecoverEvent r{"web", dev(4, "eth2", 2, VIPFO_DEV_STATE_UP),
				    VIPFO_DETECTED_BY_NOTIFIER};
	EXPECT_EQ(dump_json(event_json(r)),
		  R"({"event":"recover","group":"web",)"
		  R"("device":{"ifname":"eth2","ifindex":4,"mac":"52:54:00:12:34:02","state":"up"},)"
		  R"("detected_by":"notifier"})");

	EXPECT_EQ(dump_json(event_json(proto::UnknownEvent{42, "web"})),
		  R"({"event":"unknown","cmd":42,"group":"web"})");
}
