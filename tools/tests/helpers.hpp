// SPDX-License-Identifier: GPL-2.0
// Test helpers: walk messages with plain libmnl calls (independently of the
// production iterator) and build kernel-style messages.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "lib/error.hpp"
#include "lib/netlink.hpp"

namespace testing_helpers {

// What f throws as a vipctl::Error, or "(no error)".
inline std::string error_of(auto &&f)
{
	try {
		f();
	} catch (const vipctl::Error &e) {
		return e.what();
	}
	return "(no error)";
}

inline std::vector<const nlattr *> attrs(const void *p, size_t len)
{
	std::vector<const nlattr *> out;
	auto *a = static_cast<const nlattr *>(p);
	int left = static_cast<int>(len);
	while (mnl_attr_ok(a, left)) {
		out.push_back(a);
		left -= static_cast<int>(MNL_ALIGN(a->nla_len));
		a = mnl_attr_next(a);
	}
	return out;
}

// Attributes after nlmsghdr and a fixed header of hdrlen bytes.
inline std::vector<const nlattr *> msg_attrs(const nlmsghdr *nlh, size_t hdrlen = sizeof(genlmsghdr))
{
	return attrs(mnl_nlmsg_get_payload_offset(nlh, hdrlen),
		     nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(hdrlen));
}

inline std::vector<const nlattr *> nested(const nlattr *a)
{
	return attrs(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
}

inline const genlmsghdr *genl(const nlmsghdr *nlh)
{
	return static_cast<const genlmsghdr *>(mnl_nlmsg_get_payload(nlh));
}

inline std::string str(const nlattr *a)
{
	return std::string(static_cast<const char *>(mnl_attr_get_payload(a)), mnl_attr_get_payload_len(a));
}

inline std::vector<uint8_t> bytes(const nlattr *a)
{
	auto *p = static_cast<const uint8_t *>(mnl_attr_get_payload(a));
	return std::vector<uint8_t>(p, p + mnl_attr_get_payload_len(a));
}

inline bool is_nested(const nlattr *a)
{
	return (a->nla_type & NLA_F_NESTED) != 0;
}

} // namespace testing_helpers
