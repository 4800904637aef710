// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "helpers.hpp"
#include "lib/vrrp.hpp"

using namespace vipctl;
using testing_helpers::error_of;
using vrrp::Event;

TEST(Vrrp, NotifyArguments)
{
	const std::vector<std::string> master{"INSTANCE", "VI_1", "MASTER", "100"};
	EXPECT_EQ(vrrp::parse_notify(master), (Event{"VI_1", "MASTER", true}));
	const std::vector<std::string> fault{"INSTANCE", "VI_1", "fault"};
	EXPECT_EQ(vrrp::parse_notify(fault), (Event{"VI_1", "FAULT", false}));
	const std::vector<std::string> group{"GROUP", "G1", "MASTER", "0"};
	EXPECT_EQ(vrrp::parse_notify(group), std::nullopt);
	const std::vector<std::string> few{"INSTANCE", "VI_1"};
	EXPECT_NE(error_of([&] { vrrp::parse_notify(few); }), "");
	const std::vector<std::string> odd{"INSTANCE", "VI_1", "LEADER"};
	EXPECT_EQ(error_of([&] { vrrp::parse_notify(odd); }),
		  "unknown VRRP state 'LEADER' (MASTER, BACKUP, FAULT, STOP or DELETED)");
	const std::vector<std::string> type{"VS", "VI_1", "MASTER"};
	EXPECT_EQ(error_of([&] { vrrp::parse_notify(type); }), "'VS': not INSTANCE or GROUP");
}

TEST(Vrrp, FifoLines)
{
	EXPECT_EQ(vrrp::parse_fifo_line("INSTANCE \"VI_1\" MASTER 150"),
		  (Event{"VI_1", "MASTER", true}));
	EXPECT_EQ(vrrp::parse_fifo_line("INSTANCE \"web vips\" BACKUP 100"),
		  (Event{"web vips", "BACKUP", false}));
	EXPECT_EQ(vrrp::parse_fifo_line("INSTANCE \"VI_1\" STOP 0"), (Event{"VI_1", "STOP", false}));
	EXPECT_EQ(vrrp::parse_fifo_line("GROUP \"G1\" MASTER 0"), std::nullopt);
	EXPECT_EQ(vrrp::parse_fifo_line("RS \"192.0.2.1:80\" UP 0"), std::nullopt);
	EXPECT_EQ(vrrp::parse_fifo_line(""), std::nullopt);
	EXPECT_EQ(error_of([] { vrrp::parse_fifo_line("INSTANCE \"VI_1 MASTER 1"); }),
		  "'INSTANCE \"VI_1 MASTER 1': unterminated quote");
}
