// SPDX-License-Identifier: GPL-2.0
// Parsing and checking what the user typed: addresses, lists, group names,
// device names. Everything here throws vipctl::Error with the line to print.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vipctl {

// An IPv4 or IPv6 address, in network byte order.
struct IpAddr {
	uint16_t family = 0; // AF_INET or AF_INET6
	std::array<uint8_t, 16> bytes{};

	size_t size() const; // 4 or 16
	std::span<const uint8_t> data() const { return {bytes.data(), size()}; }
	uint8_t full_prefix() const { return static_cast<uint8_t>(size() * 8); }
	std::string str() const;

	auto operator<=>(const IpAddr &) const = default;
	bool operator==(const IpAddr &) const = default;

	static IpAddr v4(std::span<const uint8_t, 4> b);
	static IpAddr v6(std::span<const uint8_t, 16> b);
};

// A plain IPv4 or IPv6 address (no prefix length, no zone). Throws Error
// "<text>: invalid address".
IpAddr parse_addr(std::string_view text);

// Splits each argument at commas: {"a,b", "c"} -> {"a", "b", "c"}. Empty
// elements are an error ("empty element in list 'a,,b'").
std::vector<std::string> split_list(std::span<const std::string> args);

// Parses a list of addresses (commas allowed in each argument); rejects
// invalid addresses and duplicates ("<text>: duplicate address").
std::vector<IpAddr> parse_addr_list(std::span<const std::string> args);

// 1-31 characters of [A-Za-z0-9_.-]; throws Error otherwise.
void check_group_name(std::string_view name);

struct DevRef {
	std::string name;
	uint32_t ifindex = 0;

	bool operator==(const DevRef &) const = default;
};

// Resolves interface names (commas allowed) to ifindexes with resolve
// (if_nametoindex by default); rejects unknown names ("<name>: no such
// device"), duplicates and more than max devices.
using IfResolver = std::function<uint32_t(const std::string &)>;
std::vector<DevRef> resolve_devs(std::span<const std::string> args, size_t max,
				 const IfResolver &resolve = {});

} // namespace vipctl
