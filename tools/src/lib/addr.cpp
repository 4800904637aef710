// SPDX-License-Identifier: GPL-2.0
#include "addr.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <net/if.h>
#include <set>
#include <sys/socket.h>
#include <linux/vipfo.h>

#include "error.hpp"

namespace vipctl {

size_t IpAddr::size() const
{
	return family == AF_INET6 ? 16 : 4;
}

std::string IpAddr::str() const
{
	char buf[INET6_ADDRSTRLEN];
	if (!inet_ntop(family, bytes.data(), buf, sizeof(buf)))
		return "?";
	return buf;
}

IpAddr IpAddr::v4(std::span<const uint8_t, 4> b)
{
	IpAddr a;
	a.family = AF_INET;
	std::copy(b.begin(), b.end(), a.bytes.begin());
	return a;
}

IpAddr IpAddr::v6(std::span<const uint8_t, 16> b)
{
	IpAddr a;
	a.family = AF_INET6;
	std::copy(b.begin(), b.end(), a.bytes.begin());
	return a;
}

IpAddr parse_addr(std::string_view text)
{
	const std::string s(text);
	IpAddr a;

	if (s.find('/') != std::string::npos)
		throw Error(s + ": invalid address (a plain address, without prefix length)");
	if (s.find('%') != std::string::npos)
		throw Error(s + ": invalid address (a plain address, without zone)");
	if (s.find(':') != std::string::npos) {
		a.family = AF_INET6;
		if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1)
			return a;
	} else {
		a.family = AF_INET;
		if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1)
			return a;
	}
	throw Error(s + ": invalid address");
}

std::vector<std::string> split_list(std::span<const std::string> args)
{
	std::vector<std::string> out;
	out.reserve(args.size());
	for (const std::string &arg : args) {
		std::string_view rest = arg;
		for (;;) {
			const size_t comma = rest.find(',');
			const std::string_view item = rest.substr(0, comma);
			if (item.empty())
				throw Error("empty element in list '" + arg + "'");
			out.emplace_back(item);
			if (comma == std::string_view::npos)
				break;
			rest.remove_prefix(comma + 1);
		}
	}
	return out;
}

std::vector<IpAddr> parse_addr_list(std::span<const std::string> args)
{
	const std::vector<std::string> items = split_list(args);
	std::vector<IpAddr> out;
	out.reserve(items.size());
	for (const std::string &item : items)
		out.push_back(parse_addr(item));

	// Duplicates compare by value: 2001:db8::1 and 2001:DB8:0::1 are one.
	std::vector<size_t> order(out.size());
	for (size_t i = 0; i < order.size(); i++)
		order[i] = i;
	std::stable_sort(order.begin(), order.end(),
			 [&](size_t l, size_t r) { return out[l] < out[r]; });
	size_t first_dup = out.size();
	for (size_t i = 1; i < order.size(); i++)
		if (out[order[i]] == out[order[i - 1]])
			first_dup = std::min(first_dup, order[i]);
	if (first_dup != out.size())
		throw Error(items[first_dup] + ": duplicate address");
	return out;
}

void check_group_name(std::string_view name)
{
	const auto ok = [](char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		       c == '_' || c == '.' || c == '-';
	};
	if (name.empty() || name.size() >= VIPFO_GROUP_NAME_SIZE || !std::all_of(name.begin(), name.end(), ok))
		throw Error("invalid group name '" + std::string(name) +
			    "' (1-" + std::to_string(VIPFO_GROUP_NAME_SIZE - 1) +
			    " characters of A-Z a-z 0-9 _ . -)");
}

std::vector<DevRef> resolve_devs(std::span<const std::string> args, size_t max,
				 const IfResolver &resolve)
{
	const std::vector<std::string> names = split_list(args);
	std::vector<DevRef> out;
	std::set<uint32_t> seen;

	for (const std::string &name : names) {
		const uint32_t ifindex = resolve ? resolve(name)
						 : (name.size() < IF_NAMESIZE ? if_nametoindex(name.c_str()) : 0);
		if (ifindex == 0)
			throw Error(name + ": no such device");
		if (!seen.insert(ifindex).second)
			throw Error(name + ": duplicate device");
		out.push_back({name, ifindex});
	}
	if (out.size() > max)
		throw Error("too many devices (" + std::to_string(out.size()) + ", at most " +
			    std::to_string(max) + ")");
	return out;
}

} // namespace vipctl
