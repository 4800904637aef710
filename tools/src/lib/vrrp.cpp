// SPDX-License-Identifier: GPL-2.0
#include "vrrp.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "error.hpp"

namespace vipctl::vrrp {

namespace {

// keepalived's states: MASTER, and those in which the host holds no VIP.
std::optional<Event> event(std::string_view name, std::string_view state)
{
	std::string s(state);
	std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
	if (s != "MASTER" && s != "BACKUP" && s != "FAULT" && s != "STOP" && s != "DELETED")
		throw Error("unknown VRRP state '" + std::string(state) +
			    "' (MASTER, BACKUP, FAULT, STOP or DELETED)");
	if (name.empty())
		throw Error("no VRRP instance name");
	return Event{std::string(name), s, s == "MASTER"};
}

// The words of a FIFO line; a word in double quotes may hold spaces.
std::vector<std::string> words(std::string_view line)
{
	std::vector<std::string> out;
	size_t i = 0;
	while (i < line.size()) {
		if (std::isspace(static_cast<unsigned char>(line[i]))) {
			i++;
			continue;
		}
		if (line[i] == '"') {
			const size_t end = line.find('"', i + 1);
			if (end == std::string_view::npos)
				throw Error("unterminated quote");
			out.emplace_back(line.substr(i + 1, end - i - 1));
			i = end + 1;
			continue;
		}
		size_t end = i;
		while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end])))
			end++;
		out.emplace_back(line.substr(i, end - i));
		i = end;
	}
	return out;
}

} // namespace

std::optional<Event> parse_notify(std::span<const std::string> args)
{
	if (args.size() < 3 || args.size() > 4)
		throw Error("expected keepalived's notify arguments: INSTANCE|GROUP NAME STATE "
			    "[PRIORITY]");
	if (args[0] == "GROUP")
		return std::nullopt;
	if (args[0] != "INSTANCE")
		throw Error("'" + args[0] + "': not INSTANCE or GROUP");
	return event(args[1], args[2]);
}

std::optional<Event> parse_fifo_line(std::string_view line)
{
	try {
		const std::vector<std::string> w = words(line);
		if (w.empty() || w[0] != "INSTANCE")
			return std::nullopt;
		if (w.size() < 3)
			throw Error("expected INSTANCE \"NAME\" STATE [PRIORITY]");
		return event(w[1], w[2]);
	} catch (const Error &e) {
		throw Error("'" + std::string(line) + "': " + e.what());
	}
}

} // namespace vipctl::vrrp
