// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cerrno>

#include "lib/client.hpp"
#include "lib/error.hpp"
#include "lib/vipfo_proto.hpp"

using namespace vipctl;

TEST(ErrorFormat, Errno)
{
	EXPECT_EQ(describe_errno(ENODEV), "no such device");
	EXPECT_EQ(describe_errno(EEXIST), "file exists");
	EXPECT_EQ(describe_errno(EEXIST, "group web exists"), "group web exists");
	EXPECT_EQ(describe_errno(EPERM), "operation not permitted (need CAP_NET_ADMIN)");
	// The kernel's message says what is missing; it is not second-guessed.
	EXPECT_EQ(describe_errno(EPERM, "needs CAP_NET_ADMIN in the user namespace owning the network namespace"),
		  "operation not permitted: needs CAP_NET_ADMIN in the user namespace owning the network namespace");
}

TEST(ErrorFormat, KernelError)
{
	const KernelError plain(EINVAL, "");
	EXPECT_STREQ(plain.what(), "invalid argument");
	const KernelError with_extack(EBUSY, "VIP is in group db", "192.0.2.10");
	EXPECT_STREQ(with_extack.what(), "192.0.2.10: VIP is in group db");
	EXPECT_EQ(with_extack.err(), EBUSY);
	EXPECT_EQ(with_extack.extack(), "VIP is in group db");
	EXPECT_EQ(with_extack.subject(), "192.0.2.10");
}

TEST(ErrorFormat, Context)
{
	try {
		with_context("dev add web", [] { throw Error("nosuchdev0: no such device"); });
		FAIL() << "no exception";
	} catch (const FinalError &e) {
		EXPECT_EQ(error_line(e), "vipctl: dev add web: nosuchdev0: no such device");
	}
	// A final error is not prefixed again.
	try {
		with_context("show", [] { throw_module_not_loaded(); });
		FAIL() << "no exception";
	} catch (const FinalError &e) {
		EXPECT_EQ(error_line(e), "vipctl: vipfo module not loaded (try: modprobe vipfo)");
	}
	// EPERM from the kernel, with its message: one line says why.
	try {
		with_context("group add db", [] { throw KernelError(EPERM, "needs CAP_NET_ADMIN"); });
		FAIL() << "no exception";
	} catch (const FinalError &e) {
		EXPECT_EQ(error_line(e), "vipctl: group add db: operation not permitted: needs CAP_NET_ADMIN");
	}
	// Nested contexts: the innermost one wins, the outer leaves it alone.
	try {
		with_context("outer", [] { with_context("vip add web", [] { throw KernelError(EPERM, ""); }); });
		FAIL() << "no exception";
	} catch (const FinalError &e) {
		EXPECT_EQ(error_line(e), "vipctl: vip add web: operation not permitted (need CAP_NET_ADMIN)");
	}
	// Other exceptions pass through untouched.
	EXPECT_THROW(with_context("x", [] { throw std::logic_error("y"); }), std::logic_error);
}

TEST(ErrorFormat, KernelErrorNamesCulprit)
{
	const std::vector<IpAddr> vips{parse_addr("192.0.2.10"), parse_addr("192.0.2.11")};
	const auto reqs = proto::encode_vips(0x20, VIPFO_CMD_VIP_ADD, "web", vips);
	ASSERT_EQ(reqs.size(), 1u);
	const nl::Message &m = reqs[0].msg;
	// Point at the second VIP's ADDR attribute: the last 8 bytes.
	nl::Ack ack{EEXIST, "VIP already in a group", static_cast<uint32_t>(m.size() - 4)};
	EXPECT_STREQ(kernel_error(ack, m).what(), "192.0.2.11: VIP already in a group");
	// No offset: just the text.
	ack.offset.reset();
	EXPECT_STREQ(kernel_error(ack, m).what(), "VIP already in a group");
	// Offset at the group name: nothing to name.
	ack.offset = MNL_NLMSG_HDRLEN + 4 + 2;
	EXPECT_STREQ(kernel_error(ack, m).what(), "VIP already in a group");

	const std::vector<DevRef> devs{{"eth1", 3}, {"eth2", 4}};
	const std::vector<uint32_t> idx{3, 4};
	const nl::Message d = proto::encode_devs(0x20, VIPFO_CMD_DEV_ADD, "web", idx);
	const nl::Ack dack{EBUSY, "device is in group db", static_cast<uint32_t>(d.size() - 4)};
	EXPECT_STREQ(kernel_error(dack, d, devs).what(), "eth2: device is in group db");
}
