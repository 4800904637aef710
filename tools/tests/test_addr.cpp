// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <map>
#include <sys/socket.h>

#include "lib/addr.hpp"
#include "lib/error.hpp"
#include "helpers.hpp"

using namespace vipctl;
using testing_helpers::error_of;

TEST(ParseAddr, Ipv4)
{
	const IpAddr a = parse_addr("192.0.2.10");
	EXPECT_EQ(a.family, AF_INET);
	EXPECT_EQ(a.size(), 4u);
	EXPECT_EQ(std::vector<uint8_t>(a.data().begin(), a.data().end()),
		  (std::vector<uint8_t>{192, 0, 2, 10}));
	EXPECT_EQ(a.str(), "192.0.2.10");
	EXPECT_EQ(a.full_prefix(), 32);
	EXPECT_EQ(parse_addr("0.0.0.0").str(), "0.0.0.0");
	EXPECT_EQ(parse_addr("255.255.255.255").str(), "255.255.255.255");
}

TEST(ParseAddr, Ipv6)
{
	const IpAddr a = parse_addr("2001:DB8:0:0::1");
	EXPECT_EQ(a.family, AF_INET6);
	EXPECT_EQ(a.size(), 16u);
	EXPECT_EQ(a.bytes[0], 0x20);
	EXPECT_EQ(a.bytes[1], 0x01);
	EXPECT_EQ(a.bytes[2], 0x0d);
	EXPECT_EQ(a.bytes[3], 0xb8);
	EXPECT_EQ(a.bytes[15], 1);
	EXPECT_EQ(a.str(), "2001:db8::1"); // canonical form
	EXPECT_EQ(a.full_prefix(), 128);
	EXPECT_EQ(parse_addr("::").str(), "::");
	// An IPv4-mapped address stays IPv6.
	EXPECT_EQ(parse_addr("::ffff:192.0.2.1").family, AF_INET6);
}

TEST(ParseAddr, Rejects)
{
	EXPECT_EQ(error_of([] { parse_addr("300.1.2.3"); }), "300.1.2.3: invalid address");
	EXPECT_EQ(error_of([] { parse_addr("1.2.3"); }), "1.2.3: invalid address");
	EXPECT_EQ(error_of([] { parse_addr("1.2.3.4.5"); }), "1.2.3.4.5: invalid address");
	EXPECT_EQ(error_of([] { parse_addr(""); }), ": invalid address");
	EXPECT_EQ(error_of([] { parse_addr("web"); }), "web: invalid address");
	EXPECT_EQ(error_of([] { parse_addr(" 1.2.3.4"); }), " 1.2.3.4: invalid address");
	EXPECT_EQ(error_of([] { parse_addr("1.2.3.4 "); }), "1.2.3.4 : invalid address");
	EXPECT_EQ(error_of([] { parse_addr("2001:db8::1::2"); }), "2001:db8::1::2: invalid address");
	EXPECT_EQ(error_of([] { parse_addr("2001:db8::g"); }), "2001:db8::g: invalid address");
	EXPECT_EQ(error_of([] { parse_addr("192.0.2.1/32"); }),
		  "192.0.2.1/32: invalid address (a plain address, without prefix length)");
	EXPECT_EQ(error_of([] { parse_addr("2001:db8::1/128"); }),
		  "2001:db8::1/128: invalid address (a plain address, without prefix length)");
	EXPECT_EQ(error_of([] { parse_addr("fe80::1%eth0"); }),
		  "fe80::1%eth0: invalid address (a plain address, without zone)");
}

TEST(SplitList, Commas)
{
	const std::vector<std::string> args{"a,b", "c", "d,e,f"};
	EXPECT_EQ(split_list(args), (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
	EXPECT_TRUE(split_list(std::vector<std::string>{}).empty());
}

TEST(SplitList, EmptyElements)
{
	for (const char *bad : {"a,,b", ",a", "a,", ""}) {
		const std::vector<std::string> args{bad};
		EXPECT_EQ(error_of([&] { split_list(args); }),
			  std::string("empty element in list '") + bad + "'")
			<< bad;
	}
}

TEST(ParseAddrList, KeepsOrder)
{
	const std::vector<std::string> args{"192.0.2.2,2001:db8::1", "192.0.2.1"};
	const std::vector<IpAddr> v = parse_addr_list(args);
	ASSERT_EQ(v.size(), 3u);
	EXPECT_EQ(v[0].str(), "192.0.2.2");
	EXPECT_EQ(v[1].str(), "2001:db8::1");
	EXPECT_EQ(v[2].str(), "192.0.2.1");
}

TEST(ParseAddrList, Duplicates)
{
	EXPECT_EQ(error_of([] {
			  parse_addr_list(std::vector<std::string>{"192.0.2.1", "192.0.2.2,192.0.2.1"});
		  }),
		  "192.0.2.1: duplicate address");
	// Same value, different spelling: named as the user wrote it the
	// second time.
	EXPECT_EQ(error_of([] {
			  parse_addr_list(std::vector<std::string>{"2001:db8::1", "2001:DB8:0::1"});
		  }),
		  "2001:DB8:0::1: duplicate address");
	// The first duplicate on the command line is the one reported.
	EXPECT_EQ(error_of([] {
			  parse_addr_list(std::vector<std::string>{"10.0.0.9", "10.0.0.1", "10.0.0.1", "10.0.0.9"});
		  }),
		  "10.0.0.1: duplicate address");
	// IPv4 and its IPv4-mapped IPv6 form are different VIPs.
	EXPECT_EQ(parse_addr_list(std::vector<std::string>{"192.0.2.1", "::ffff:192.0.2.1"}).size(), 2u);
	// An invalid address is reported before a duplicate after it.
	EXPECT_EQ(error_of([] {
			  parse_addr_list(std::vector<std::string>{"192.0.2.1,300.0.0.1", "192.0.2.1"});
		  }),
		  "300.0.0.1: invalid address");
}

TEST(GroupName, Valid)
{
	for (const char *ok : {"web", "a", "A-Z_a.z-09", "1234567890123456789012345678901", "..", "-x"})
		EXPECT_NO_THROW(check_group_name(ok)) << ok;
}

TEST(GroupName, Invalid)
{
	EXPECT_EQ(error_of([] { check_group_name(""); }),
		  "invalid group name '' (1-31 characters of A-Z a-z 0-9 _ . -)");
	for (const char *bad : {"12345678901234567890123456789012", "a/b", "a b", "web\n", "caf\xc3\xa9", "a:b",
				"a,b"})
		EXPECT_THROW(check_group_name(bad), Error) << bad;
}

TEST(ResolveDevs, Resolves)
{
	const std::map<std::string, uint32_t> ifs{{"eth1", 3}, {"eth2", 4}, {"eth3", 5}};
	const IfResolver fake = [&](const std::string &n) {
		const auto it = ifs.find(n);
		return it == ifs.end() ? 0u : it->second;
	};
	const std::vector<DevRef> d = resolve_devs(std::vector<std::string>{"eth1,eth2", "eth3"}, 16, fake);
	EXPECT_EQ(d, (std::vector<DevRef>{{"eth1", 3}, {"eth2", 4}, {"eth3", 5}}));

	EXPECT_EQ(error_of([&] { resolve_devs(std::vector<std::string>{"eth1", "nosuchdev0"}, 16, fake); }),
		  "nosuchdev0: no such device");
	EXPECT_EQ(error_of([&] { resolve_devs(std::vector<std::string>{"eth1,eth2", "eth1"}, 16, fake); }),
		  "eth1: duplicate device");
	EXPECT_EQ(error_of([&] { resolve_devs(std::vector<std::string>{"eth1,eth2,eth3"}, 2, fake); }),
		  "too many devices (3, at most 2)");
	EXPECT_EQ(error_of([&] { resolve_devs(std::vector<std::string>{"eth1,"}, 16, fake); }),
		  "empty element in list 'eth1,'");
}

TEST(ResolveDevs, RealLoopback)
{
	const std::vector<DevRef> d = resolve_devs(std::vector<std::string>{"lo"}, 16);
	ASSERT_EQ(d.size(), 1u);
	EXPECT_GT(d[0].ifindex, 0u);
	EXPECT_EQ(error_of([] { resolve_devs(std::vector<std::string>{"nosuchdev0"}, 16); }),
		  "nosuchdev0: no such device");
	// Longer than IFNAMSIZ allows.
	EXPECT_EQ(error_of([] { resolve_devs(std::vector<std::string>{"a2345678901234567890"}, 16); }),
		  "a2345678901234567890: no such device");
}
