// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <linux/genetlink.h>

#include "lib/error.hpp"
#include "helpers.hpp"
#include "lib/netlink.hpp"

using namespace vipctl;

TEST(MsgBuilder, Overflow)
{
	nl::MsgBuilder b(16, 0, 64);
	b.put_u32(1, 1); // 16 + 8
	b.put_u32(2, 2); // 32
	EXPECT_THROW(b.put_bytes(3, std::vector<uint8_t>(40)), Error);
	EXPECT_EQ(b.size(), 32u); // nothing half-written
	EXPECT_EQ(b.finish().size(), 32u);
}

TEST(MsgBuilder, NestsCarryTheNestedFlag)
{
	nl::MsgBuilder b(16, 0, 256);
	nlattr *n = b.nest_start(5);
	b.put_u16(1, 0xbeef);
	b.nest_end(n);
	const nl::Message m = b.finish();
	const auto a = testing_helpers::msg_attrs(nl::header(m), 0);
	ASSERT_EQ(a.size(), 1u);
	EXPECT_TRUE(testing_helpers::is_nested(a[0]));
	EXPECT_EQ(a[0]->nla_len, 4u + 8u); // header + u16 attribute padded
}

TEST(Attrs, IteratesAndStopsAtTruncation)
{
	nl::MsgBuilder b(16, 0, 256);
	b.put_u32(1, 10);
	b.put_u8(2, 20);
	b.put_strz(3, "abc");
	nl::Message m = b.finish();
	std::vector<uint16_t> types;
	for (const nlattr *a : nl::Attrs::of(nl::header(m), 0))
		types.push_back(nl::attr_type(a));
	EXPECT_EQ(types, (std::vector<uint16_t>{1, 2, 3}));

	// Cut the last attribute short: iteration stops before it.
	reinterpret_cast<nlmsghdr *>(m.data())->nlmsg_len -= 4;
	types.clear();
	for (const nlattr *a : nl::Attrs::of(nl::header(m), 0))
		types.push_back(nl::attr_type(a));
	EXPECT_EQ(types, (std::vector<uint16_t>{1, 2}));
}

TEST(Attrs, TypedAccessors)
{
	nl::MsgBuilder b(16, 0, 256);
	b.put_u8(1, 7);
	b.put_u16(2, 0x1234);
	b.put_u32(3, 0xdeadbeef);
	b.put_u64(4, 0x0102030405060708ull);
	b.put_strz(5, "eth1");
	const nl::Message m = b.finish();
	const auto a = testing_helpers::msg_attrs(nl::header(m), 0);
	ASSERT_EQ(a.size(), 5u);
	EXPECT_EQ(nl::attr_u8(a[0]), 7);
	EXPECT_EQ(nl::attr_u16(a[1]), 0x1234);
	EXPECT_EQ(nl::attr_u32(a[2]), 0xdeadbeefu);
	EXPECT_EQ(nl::attr_u64(a[3]), 0x0102030405060708ull);
	EXPECT_EQ(nl::attr_str(a[4]), "eth1"); // without the NUL
	EXPECT_THROW(nl::attr_u32(a[0]), Error);
	EXPECT_THROW(nl::attr_u8(a[2]), Error);
	EXPECT_THROW(nl::attr_u64(a[2]), Error);
	try {
		nl::attr_u64(a[2]);
	} catch (const Error &e) {
		EXPECT_STREQ(e.what(), "malformed netlink attribute 3 (4 bytes, expected 8)");
	}
}

namespace {

// NLMSG_ERROR as the kernel builds it: capped (NETLINK_CAP_ACK) or with
// the request's payload echoed, optionally with extack TLVs.
nl::Message error_msg(int err, bool capped, const char *msg, std::optional<uint32_t> offs)
{
	nl::MsgBuilder req(0x1c, NLM_F_REQUEST | NLM_F_ACK, 128);
	req.put_u32(9, 9);
	req.put_u32(10, 10);
	const nl::Message orig = req.finish();

	uint16_t flags = 0;
	if (capped)
		flags |= NLM_F_CAPPED;
	if (msg || offs)
		flags |= NLM_F_ACK_TLVS;
	nl::MsgBuilder b(NLMSG_ERROR, flags, 512);
	auto &e = b.put_header<nlmsgerr>();
	e.error = -err;
	std::memcpy(&e.msg, orig.data(), sizeof(nlmsghdr));
	if (!capped) {
		// The echoed payload follows nlmsgerr.
		const size_t extra = orig.size() - sizeof(nlmsghdr);
		void *p = mnl_nlmsg_put_extra_header(b.nlh(), extra);
		std::memcpy(p, orig.data() + sizeof(nlmsghdr), extra);
	}
	if (msg)
		b.put_strz(NLMSGERR_ATTR_MSG, msg);
	if (offs)
		b.put_u32(NLMSGERR_ATTR_OFFS, *offs);
	return b.finish();
}

} // namespace

TEST(Ack, Success)
{
	const nl::Message m = error_msg(0, true, nullptr, std::nullopt);
	const nl::Ack a = nl::parse_ack(nl::header(m));
	EXPECT_EQ(a.error, 0);
	EXPECT_EQ(a.extack, "");
	EXPECT_FALSE(a.offset);
}

TEST(Ack, CappedWithExtack)
{
	const nl::Message m = error_msg(EEXIST, true, "group web exists", 20);
	const nl::Ack a = nl::parse_ack(nl::header(m));
	EXPECT_EQ(a.error, EEXIST);
	EXPECT_EQ(a.extack, "group web exists");
	EXPECT_EQ(a.offset, 20u);
}

TEST(Ack, UncappedWithExtack)
{
	const nl::Message m = error_msg(EINVAL, false, "bad VIP", 36);
	const nl::Ack a = nl::parse_ack(nl::header(m));
	EXPECT_EQ(a.error, EINVAL);
	EXPECT_EQ(a.extack, "bad VIP");
	EXPECT_EQ(a.offset, 36u);
}

TEST(Ack, ErrorWithoutExtack)
{
	const nl::Message m = error_msg(ENODEV, false, nullptr, std::nullopt);
	const nl::Ack a = nl::parse_ack(nl::header(m));
	EXPECT_EQ(a.error, ENODEV);
	EXPECT_EQ(a.extack, "");
}

TEST(Ack, Done)
{
	nl::MsgBuilder b(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 128);
	const int err = -ENOENT;
	auto &p = b.put_header<int>();
	p = err;
	b.put_strz(NLMSGERR_ATTR_MSG, "no group web");
	const nl::Message m = b.finish();
	const nl::Ack a = nl::parse_ack(nl::header(m), true);
	EXPECT_EQ(a.error, ENOENT);
	EXPECT_EQ(a.extack, "no group web");

	nl::MsgBuilder ok(NLMSG_DONE, NLM_F_MULTI, 128);
	ok.put_header<int>() = 0;
	const nl::Message okm = ok.finish();
	EXPECT_EQ(nl::parse_ack(nl::header(okm), true).error, 0);
}

TEST(Family, Decode)
{
	auto b = nl::MsgBuilder::genl(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, 2, 0, 1024);
	b.put_strz(CTRL_ATTR_FAMILY_NAME, "vipfo");
	b.put_u16(CTRL_ATTR_FAMILY_ID, 0x22);
	b.put_u32(CTRL_ATTR_VERSION, 1);
	b.put_u32(CTRL_ATTR_MAXATTR, 12);
	nlattr *groups = b.nest_start(CTRL_ATTR_MCAST_GROUPS);
	nlattr *g1 = b.nest_start(1);
	b.put_u32(CTRL_ATTR_MCAST_GRP_ID, 9);
	b.put_strz(CTRL_ATTR_MCAST_GRP_NAME, "events");
	b.nest_end(g1);
	nlattr *g2 = b.nest_start(2);
	b.put_strz(CTRL_ATTR_MCAST_GRP_NAME, "other");
	b.put_u32(CTRL_ATTR_MCAST_GRP_ID, 10);
	b.nest_end(g2);
	b.nest_end(groups);
	const nl::Message m = b.finish();

	const nl::GenlFamily f = nl::decode_family(nl::header(m));
	EXPECT_EQ(f.id, 0x22);
	EXPECT_EQ(f.version, 1u);
	EXPECT_EQ(f.name, "vipfo");
	EXPECT_EQ(f.mcast_group("events"), 9u);
	EXPECT_EQ(f.mcast_group("other"), 10u);
	EXPECT_FALSE(f.mcast_group("nope"));
}

// What vipctl monitor follows a module's unload and reload by.
TEST(Family, Notices)
{
	const auto notice = [](uint16_t type, uint8_t cmd) {
		auto b = nl::MsgBuilder::genl(type, cmd, 2, 0, 256);
		b.put_strz(CTRL_ATTR_FAMILY_NAME, "vipfo");
		b.put_u16(CTRL_ATTR_FAMILY_ID, 0x23);
		return b.finish();
	};
	const nl::Message added = notice(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	const auto a = nl::decode_family_notice(nl::header(added));
	ASSERT_TRUE(a);
	EXPECT_TRUE(a->registered);
	EXPECT_EQ(a->family.name, "vipfo");
	EXPECT_EQ(a->family.id, 0x23);

	const nl::Message gone = notice(GENL_ID_CTRL, CTRL_CMD_DELFAMILY);
	const auto d = nl::decode_family_notice(nl::header(gone));
	ASSERT_TRUE(d);
	EXPECT_FALSE(d->registered);

	// nlctrl's other notifications, and other families' messages.
	const nl::Message grp = notice(GENL_ID_CTRL, CTRL_CMD_NEWMCAST_GRP);
	EXPECT_FALSE(nl::decode_family_notice(nl::header(grp)));
	const nl::Message other = notice(0x23, CTRL_CMD_NEWFAMILY);
	EXPECT_FALSE(nl::decode_family_notice(nl::header(other)));
}

TEST(Family, EncodeRequest)
{
	const nl::Message m = nl::encode_get_family("vipfo");
	const nlmsghdr *nlh = nl::header(m);
	EXPECT_EQ(nlh->nlmsg_type, GENL_ID_CTRL);
	EXPECT_EQ(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	EXPECT_EQ(testing_helpers::genl(nlh)->cmd, CTRL_CMD_GETFAMILY);
	const auto a = testing_helpers::msg_attrs(nlh);
	ASSERT_EQ(a.size(), 1u);
	EXPECT_EQ(mnl_attr_get_type(a[0]), CTRL_ATTR_FAMILY_NAME);
	EXPECT_EQ(testing_helpers::str(a[0]), std::string("vipfo", 6));
}

namespace {

nl::Message dump_msg(uint16_t type, uint32_t seq, uint16_t flags, int done_err = 0)
{
	nl::MsgBuilder b(type, flags, 128);
	b.nlh()->nlmsg_seq = seq;
	if (type == NLMSG_DONE)
		b.put_header<int>() = done_err;
	else
		b.put_u32(1, seq);
	return b.finish();
}

} // namespace

TEST(DumpReader, PassesMessagesUntilDone)
{
	nl::DumpReader r(7);
	int seen = 0;
	const nl::MsgFn count = [&](const nlmsghdr *) { seen++; };
	for (const nl::Message &m : {dump_msg(0x1c, 7, NLM_F_MULTI), dump_msg(0x1c, 6, NLM_F_MULTI),
				     dump_msg(NLMSG_NOOP, 7, 0), dump_msg(0x1c, 7, NLM_F_MULTI)}) {
		r.feed(nl::header(m), count);
		EXPECT_FALSE(r.done());
	}
	const nl::Message done = dump_msg(NLMSG_DONE, 7, NLM_F_MULTI);
	r.feed(nl::header(done), count);
	EXPECT_TRUE(r.done());
	EXPECT_FALSE(r.interrupted());
	EXPECT_EQ(r.result().error, 0);
	EXPECT_EQ(seen, 2); // not the other request's, not the NOOP
	// Nothing after the end counts.
	const nl::Message late = dump_msg(0x1c, 7, NLM_F_MULTI);
	r.feed(nl::header(late), count);
	EXPECT_EQ(seen, 2);
}

TEST(DumpReader, Interrupted)
{
	nl::DumpReader r(7);
	int seen = 0;
	const nl::MsgFn count = [&](const nlmsghdr *) { seen++; };
	for (const nl::Message &m : {dump_msg(0x1c, 7, NLM_F_MULTI), dump_msg(0x1c, 7, NLM_F_MULTI | NLM_F_DUMP_INTR),
				     dump_msg(0x1c, 7, NLM_F_MULTI), dump_msg(NLMSG_DONE, 7, NLM_F_MULTI)})
		r.feed(nl::header(m), count);
	EXPECT_TRUE(r.done());
	EXPECT_TRUE(r.interrupted());
	EXPECT_EQ(seen, 1);
}

TEST(DumpReader, ErrorEndsDump)
{
	nl::DumpReader r(7);
	const nl::Message m = dump_msg(NLMSG_DONE, 7, NLM_F_MULTI, -ENOENT);
	r.feed(nl::header(m), [](const nlmsghdr *) {});
	EXPECT_TRUE(r.done());
	EXPECT_EQ(r.result().error, ENOENT);

	nl::DumpReader r2(8);
	nl::MsgBuilder b(NLMSG_ERROR, 0, 128);
	b.nlh()->nlmsg_seq = 8;
	b.put_header<nlmsgerr>().error = -EPERM;
	const nl::Message e = b.finish();
	r2.feed(nl::header(e), [](const nlmsghdr *) {});
	EXPECT_TRUE(r2.done());
	EXPECT_EQ(r2.result().error, EPERM);
}
