// SPDX-License-Identifier: GPL-2.0
// Against the running kernel, inside a private network namespace: nlctrl,
// pipelined requests and the local addresses on lo. Skips when it may not
// create a namespace.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <linux/genetlink.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/vipfo.h>
#include <map>
#include <net/if.h>
#include <sched.h>
#include <set>
#include <unistd.h>

#include "lib/client.hpp"
#include "lib/error.hpp"
#include "lib/netlink.hpp"
#include "lib/rtnl_addr.hpp"

using namespace vipctl;

namespace {

// A network namespace of our own; without CAP_SYS_ADMIN, inside a user
// namespace of our own too (where we have CAP_NET_ADMIN), where allowed.
bool private_netns()
{
	static const bool ok = unshare(CLONE_NEWNET) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0;
	return ok;
}

#define NEED_NETNS()                                                                       \
	do {                                                                               \
		if (!private_netns())                                                      \
			GTEST_SKIP() << "cannot create a network namespace: " << strerror(errno); \
	} while (0)

// The addresses on lo: address -> (prefixlen, proto or -1).
std::map<IpAddr, std::pair<int, int>> lo_addrs()
{
	nl::Socket s(NETLINK_ROUTE);
	const uint32_t lo = if_nametoindex("lo");
	std::map<IpAddr, std::pair<int, int>> out;
	s.dump(
		rtnl::encode_addr_dump(lo), [&] { out.clear(); },
		[&](const nlmsghdr *nlh) {
			if (auto a = rtnl::decode_addr(nlh); a && a->ifindex == lo)
				out[a->addr] = {a->prefixlen, a->proto ? *a->proto : -1};
		});
	return out;
}

void add_plain(const char *addr, uint8_t prefixlen)
{
	nl::Socket s(NETLINK_ROUTE);
	const IpAddr a = parse_addr(addr);
	nl::MsgBuilder b(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 128);
	auto &h = b.put_header<ifaddrmsg>();
	h.ifa_family = static_cast<uint8_t>(a.family);
	h.ifa_prefixlen = prefixlen;
	h.ifa_index = if_nametoindex("lo");
	b.put_bytes(IFA_LOCAL, a.data());
	s.request(b.finish());
}

bool have_ipv6()
{
	return access("/proc/net/if_inet6", F_OK) == 0;
}

std::vector<IpAddr> many(size_t v4, size_t v6)
{
	std::vector<IpAddr> out;
	for (size_t i = 0; i < v4; i++)
		out.push_back(parse_addr("10.9." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1)));
	for (size_t i = 0; i < v6; i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "2001:db8:9::%zx", i + 1);
		out.push_back(parse_addr(buf));
	}
	return out;
}

} // namespace

TEST(Live, ResolvesNlctrl)
{
	NEED_NETNS();
	nl::Socket s(NETLINK_GENERIC);
	const auto f = nl::resolve_family(s, "nlctrl");
	ASSERT_TRUE(f);
	EXPECT_EQ(f->id, GENL_ID_CTRL);
	EXPECT_TRUE(f->mcast_group("notify"));
}

TEST(Live, MissingFamily)
{
	NEED_NETNS();
	nl::Socket s(NETLINK_GENERIC);
	EXPECT_FALSE(nl::resolve_family(s, "vipfo-nosuch"));
	if (nl::resolve_family(s, VIPFO_GENL_NAME))
		GTEST_SKIP() << "the vipfo module is loaded";
	try {
		Client c;
		FAIL() << "Client() succeeded without the family";
	} catch (const FinalError &e) {
		EXPECT_EQ(error_line(e), "vipctl: vipfo module not loaded (try: modprobe vipfo)");
	}
}

TEST(Live, RequestErrorCarriesExtack)
{
	NEED_NETNS();
	nl::Socket s(NETLINK_ROUTE);
	// Deleting an address that is not there.
	try {
		s.request(rtnl::encode_addr(RTM_DELADDR, if_nametoindex("lo"), parse_addr("192.0.2.99"), std::nullopt));
		FAIL() << "no error";
	} catch (const KernelError &e) {
		EXPECT_EQ(e.err(), EADDRNOTAVAIL);
	}
}

TEST(Live, LocalAddressesMarkedAndLeftAlone)
{
	NEED_NETNS();
	if (!have_ipv6())
		GTEST_SKIP() << "no IPv6";
	add_plain("192.0.2.2", 24); // someone else's, with another prefix length
	add_plain("2001:db8::2", 64);
	const std::vector<IpAddr> vips{parse_addr("192.0.2.1"), parse_addr("192.0.2.2"), parse_addr("2001:db8::1"),
				       parse_addr("2001:db8::2")};
	rtnl::LocalAddrs local;
	const std::vector<IpAddr> added = local.add(vips);
	EXPECT_EQ(added, (std::vector<IpAddr>{parse_addr("192.0.2.1"), parse_addr("2001:db8::1")}));

	auto on_lo = lo_addrs();
	EXPECT_EQ(on_lo[parse_addr("192.0.2.1")], std::make_pair(32, VIPFO_IFA_PROTO));
	EXPECT_EQ(on_lo[parse_addr("2001:db8::1")], std::make_pair(128, VIPFO_IFA_PROTO));
	EXPECT_EQ(on_lo[parse_addr("192.0.2.2")].first, 24);
	EXPECT_NE(on_lo[parse_addr("192.0.2.2")].second, VIPFO_IFA_PROTO);

	// Adding again: everything is there already, nothing is ours to add.
	EXPECT_TRUE(local.add(vips).empty());

	EXPECT_EQ(local.remove_marked(vips), 2u);
	on_lo = lo_addrs();
	EXPECT_FALSE(on_lo.count(parse_addr("192.0.2.1")));
	EXPECT_FALSE(on_lo.count(parse_addr("2001:db8::1")));
	EXPECT_TRUE(on_lo.count(parse_addr("192.0.2.2")));
	EXPECT_TRUE(on_lo.count(parse_addr("2001:db8::2")));
	EXPECT_EQ(local.remove_marked(vips), 0u);
}

TEST(Live, LocalAddressFailureUndoes)
{
	NEED_NETNS();
	// A multicast address cannot be a local IPv6 address.
	const std::vector<IpAddr> vips{parse_addr("192.0.2.10"), parse_addr("ff02::1"), parse_addr("192.0.2.11")};
	rtnl::LocalAddrs local;
	try {
		local.add(vips);
		FAIL() << "no error";
	} catch (const KernelError &e) {
		EXPECT_EQ(e.subject(), "ff02::1: local address on lo");
		EXPECT_EQ(std::string(e.what()).rfind("ff02::1: local address on lo: ", 0), 0u) << e.what();
	}
	const auto on_lo = lo_addrs();
	EXPECT_FALSE(on_lo.count(parse_addr("192.0.2.10")));
	EXPECT_FALSE(on_lo.count(parse_addr("192.0.2.11")));
}

TEST(Live, PipelinedManyAddresses)
{
	NEED_NETNS();
	const std::vector<IpAddr> vips = many(6000, have_ipv6() ? 1500 : 0);
	rtnl::LocalAddrs local;
	const auto t0 = std::chrono::steady_clock::now();
	const std::vector<IpAddr> added = local.add(vips);
	const auto t1 = std::chrono::steady_clock::now();
	EXPECT_EQ(added.size(), vips.size());

	const auto on_lo = lo_addrs();
	size_t ours = 0;
	for (const auto &[addr, info] : on_lo)
		ours += info.second == VIPFO_IFA_PROTO;
	EXPECT_EQ(ours, vips.size());

	EXPECT_EQ(local.remove_marked(vips), vips.size());
	const auto t2 = std::chrono::steady_clock::now();
	EXPECT_EQ(lo_addrs().size(), on_lo.size() - vips.size());
	using ms = std::chrono::milliseconds;
	std::printf("added %zu in %lld ms, removed in %lld ms\n", vips.size(),
		    static_cast<long long>(std::chrono::duration_cast<ms>(t1 - t0).count()),
		    static_cast<long long>(std::chrono::duration_cast<ms>(t2 - t1).count()));
}
