// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/error.hpp"
#include "lib/journal.hpp"

using namespace vipctl;

namespace {

proto::Device dev(uint32_t ifindex, const char *name)
{
	proto::Device d;
	d.ifindex = ifindex;
	d.ifname = name;
	return d;
}

std::map<std::string, std::string> as_map(const JournalFields &f)
{
	std::map<std::string, std::string> m;
	for (const auto &[k, v] : f)
		EXPECT_TRUE(m.emplace(k, v).second) << "twice: " << k;
	return m;
}

} // namespace

TEST(Journal, FailoverFields)
{
	proto::FailoverEvent f;
	f.group = "web";
	f.failed = dev(4, "eth2");
	f.reason = VIPFO_REASON_CARRIER_LOSS;
	f.detected_by = VIPFO_DETECTED_BY_NOTIFIER;
	f.survivors = {dev(3, "eth1"), dev(5, "eth3")};
	f.vip_count = 2;
	f.garp_count = 3;
	const auto m = as_map(event_fields(f));
	EXPECT_EQ(m.at("PRIORITY"), "4");
	EXPECT_EQ(m.at("SYSLOG_IDENTIFIER"), "vipctl");
	EXPECT_NE(m.at("MESSAGE").find("eth2"), std::string::npos);
	EXPECT_EQ(m.at("VIPFO_EVENT"), "failover");
	EXPECT_EQ(m.at("VIPFO_GROUP"), "web");
	EXPECT_EQ(m.at("VIPFO_DEVICE"), "eth2");
	EXPECT_EQ(m.at("VIPFO_REASON"), "carrier-loss");
	EXPECT_EQ(m.at("VIPFO_DETECTED_BY"), "notifier");
	EXPECT_EQ(m.at("VIPFO_SURVIVORS"), "eth1,eth3");
	EXPECT_EQ(m.at("VIPFO_VIP_COUNT"), "2");
}

TEST(Journal, HoldAndConflictFields)
{
	proto::HoldEvent h;
	h.group = "web";
	h.device = dev(4, "eth2");
	h.device.held_ms = 1500;
	auto m = as_map(event_fields(h));
	EXPECT_EQ(m.at("PRIORITY"), "5");
	EXPECT_EQ(m.at("VIPFO_DEVICE"), "eth2");
	EXPECT_EQ(m.at("VIPFO_HELD_MS"), "1500");

	proto::ConflictEvent c;
	c.group = "web";
	c.vip = parse_addr("2001:db8::1");
	c.device = dev(3, "eth1");
	c.peer_mac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, 9};
	m = as_map(event_fields(c));
	EXPECT_EQ(m.at("PRIORITY"), "4");
	EXPECT_EQ(m.at("VIPFO_VIP"), "2001:db8::1");
	EXPECT_EQ(m.at("VIPFO_PEER_MAC"), "02:00:00:00:00:09");
}

TEST(Journal, EntryFormat)
{
	EXPECT_EQ(journal_entry({{"A", "1"}, {"B", "x y"}}), "A=1\nB=x y\n");
	EXPECT_EQ(journal_entry({{"M", "a\nb"}}), std::string("M\n\x03\0\0\0\0\0\0\0a\nb\n", 14));
}

// Over a datagram socket of our own, as journald's.
TEST(Journal, Sends)
{
	char dir[] = "/tmp/vipctl-journal.XXXXXX";
	ASSERT_NE(mkdtemp(dir), nullptr);
	const std::string path = std::string(dir) + "/socket";
	const int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	sockaddr_un sa{};
	sa.sun_family = AF_UNIX;
	std::strcpy(sa.sun_path, path.c_str());
	ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)), 0);
	{
		Journal j(path);
		j.send({{"MESSAGE", "hello"}, {"VIPFO_GROUP", "web"}});
	}
	char buf[256];
	const ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "MESSAGE=hello\nVIPFO_GROUP=web\n");
	close(fd);
	unlink(path.c_str());
	rmdir(dir);
	try {
		Journal missing(path);
		FAIL() << "no error without a socket";
	} catch (const Error &e) {
		EXPECT_NE(std::string(e.what()).find("is systemd-journald running?"), std::string::npos);
	}
}
