// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/vipfo.h>
#include <sys/socket.h>

#include "helpers.hpp"
#include "lib/rtnl_addr.hpp"

using namespace vipctl;
using namespace testing_helpers;

namespace {

const ifaddrmsg *ifa(const nl::Message &m)
{
	return static_cast<const ifaddrmsg *>(mnl_nlmsg_get_payload(nl::header(m)));
}

} // namespace

TEST(Rtnl, EncodeNewAddrV4)
{
	const nl::Message m = rtnl::encode_addr(RTM_NEWADDR, 1, parse_addr("192.0.2.10"), VIPFO_IFA_PROTO);
	const nlmsghdr *nlh = nl::header(m);
	EXPECT_EQ(nlh->nlmsg_len, m.size());
	EXPECT_EQ(nlh->nlmsg_type, RTM_NEWADDR);
	EXPECT_EQ(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	EXPECT_EQ(ifa(m)->ifa_family, AF_INET);
	EXPECT_EQ(ifa(m)->ifa_prefixlen, 32);
	EXPECT_EQ(ifa(m)->ifa_index, 1u);
	EXPECT_EQ(ifa(m)->ifa_scope, RT_SCOPE_UNIVERSE);

	const auto a = msg_attrs(nlh, sizeof(ifaddrmsg));
	ASSERT_EQ(a.size(), 3u);
	EXPECT_EQ(mnl_attr_get_type(a[0]), IFA_LOCAL);
	EXPECT_EQ(bytes(a[0]), (std::vector<uint8_t>{192, 0, 2, 10}));
	EXPECT_EQ(mnl_attr_get_type(a[1]), IFA_ADDRESS);
	EXPECT_EQ(bytes(a[1]), (std::vector<uint8_t>{192, 0, 2, 10}));
	EXPECT_EQ(mnl_attr_get_type(a[2]), IFA_PROTO);
	EXPECT_EQ(mnl_attr_get_payload_len(a[2]), 1u);
	EXPECT_EQ(mnl_attr_get_u8(a[2]), VIPFO_IFA_PROTO);
	EXPECT_EQ(VIPFO_IFA_PROTO, 0x76);
}

TEST(Rtnl, EncodeDelAddrV6)
{
	const nl::Message m = rtnl::encode_addr(RTM_DELADDR, 7, parse_addr("2001:db8::10"), std::nullopt);
	const nlmsghdr *nlh = nl::header(m);
	EXPECT_EQ(nlh->nlmsg_type, RTM_DELADDR);
	EXPECT_EQ(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	EXPECT_EQ(ifa(m)->ifa_family, AF_INET6);
	EXPECT_EQ(ifa(m)->ifa_prefixlen, 128);
	EXPECT_EQ(ifa(m)->ifa_index, 7u);
	const auto a = msg_attrs(nlh, sizeof(ifaddrmsg));
	ASSERT_EQ(a.size(), 2u);
	EXPECT_EQ(bytes(a[0]).size(), 16u);
	EXPECT_EQ(bytes(a[0]), bytes(a[1]));
	EXPECT_EQ(bytes(a[0])[15], 0x10);
}

// An IPv6 VIP goes on lo without duplicate address detection; IPv4 has no
// such flag.
TEST(Rtnl, EncodeNewAddrV6NoDad)
{
	const nl::Message m6 = rtnl::encode_addr(RTM_NEWADDR, 1, parse_addr("2001:db8::10"), VIPFO_IFA_PROTO);
	EXPECT_EQ(ifa(m6)->ifa_flags, IFA_F_NODAD);
	const nl::Message m4 = rtnl::encode_addr(RTM_NEWADDR, 1, parse_addr("192.0.2.10"), VIPFO_IFA_PROTO);
	EXPECT_EQ(ifa(m4)->ifa_flags, 0);
}

TEST(Rtnl, EncodeDump)
{
	const nl::Message m = rtnl::encode_addr_dump(1);
	EXPECT_EQ(nl::header(m)->nlmsg_type, RTM_GETADDR);
	EXPECT_EQ(nl::header(m)->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	EXPECT_EQ(ifa(m)->ifa_index, 1u);
	EXPECT_EQ(ifa(m)->ifa_family, AF_UNSPEC);
}

namespace {

// An RTM_NEWADDR as the kernel sends it in a dump.
nl::Message kernel_addr(uint8_t family, uint8_t prefixlen, uint32_t ifindex, const char *addr,
			std::optional<uint8_t> proto, bool with_local)
{
	nl::MsgBuilder b(RTM_NEWADDR, NLM_F_MULTI, 256);
	auto &h = b.put_header<ifaddrmsg>();
	h.ifa_family = family;
	h.ifa_prefixlen = prefixlen;
	h.ifa_index = ifindex;
	const IpAddr a = parse_addr(addr);
	b.put_bytes(IFA_ADDRESS, a.data());
	if (with_local)
		b.put_bytes(IFA_LOCAL, a.data());
	b.put_strz(IFA_LABEL, "lo");
	if (proto)
		b.put_u8(IFA_PROTO, *proto);
	return b.finish();
}

} // namespace

TEST(Rtnl, DecodeAddr)
{
	const nl::Message v4 = kernel_addr(AF_INET, 32, 1, "192.0.2.10", VIPFO_IFA_PROTO, true);
	const auto a = rtnl::decode_addr(nl::header(v4));
	ASSERT_TRUE(a);
	EXPECT_EQ(a->ifindex, 1u);
	EXPECT_EQ(a->prefixlen, 32);
	EXPECT_EQ(a->addr, parse_addr("192.0.2.10"));
	EXPECT_EQ(a->proto, VIPFO_IFA_PROTO);

	// IPv6 without IFA_LOCAL, without proto.
	const nl::Message v6 = kernel_addr(AF_INET6, 128, 1, "2001:db8::10", std::nullopt, false);
	const auto b = rtnl::decode_addr(nl::header(v6));
	ASSERT_TRUE(b);
	EXPECT_EQ(b->addr, parse_addr("2001:db8::10"));
	EXPECT_FALSE(b->proto);

	// Something that is not an address message.
	nl::MsgBuilder other(RTM_NEWLINK, 0, 64);
	const nl::Message o = other.finish();
	EXPECT_FALSE(rtnl::decode_addr(nl::header(o)));
}

TEST(Rtnl, Match)
{
	const auto la = [](uint32_t ifindex, const char *addr, uint8_t prefixlen, std::optional<uint8_t> proto) {
		return rtnl::LocalAddr{ifindex, prefixlen, parse_addr(addr), proto};
	};
	const std::vector<rtnl::LocalAddr> existing{
		la(1, "127.0.0.1", 8, std::nullopt),
		la(1, "192.0.2.1", 32, VIPFO_IFA_PROTO),   // ours
		la(1, "192.0.2.2", 24, VIPFO_IFA_PROTO),   // our mark, other prefix: not ours
		la(1, "192.0.2.3", 32, 3),		   // someone else's (kernel proto)
		la(2, "192.0.2.4", 32, VIPFO_IFA_PROTO),   // on another device
		la(1, "2001:db8::1", 128, VIPFO_IFA_PROTO), // ours
		la(1, "192.0.2.5", 32, std::nullopt),
	};
	const std::vector<IpAddr> vips{parse_addr("192.0.2.1"), parse_addr("192.0.2.2"), parse_addr("192.0.2.3"),
				       parse_addr("192.0.2.4"), parse_addr("2001:db8::1"), parse_addr("192.0.2.5"),
				       parse_addr("192.0.2.6")};
	const rtnl::Presence p = rtnl::match(existing, 1, vips);
	EXPECT_EQ(p.present, (std::vector<bool>{true, true, true, false, true, true, false}));
	EXPECT_EQ(p.marked, (std::vector<bool>{true, false, false, false, true, false, false}));
}
