// SPDX-License-Identifier: GPL-2.0
// The configuration file of `vipctl apply` and `vipctl save`: TOML, one
// table per group ([group.NAME]), read with toml++ and checked here, every
// error located as FILE:LINE:COLUMN. docs/configuration.md describes it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "addr.hpp"
#include "vipfo_proto.hpp"

namespace vipctl::config {

// Where something was written: "FILE:LINE:COLUMN".
struct Where {
	std::string file = {};
	uint32_t line = 0;
	uint32_t column = 0;

	std::string str() const;
};

template <class T> struct Located {
	T value;
	Where where;
};

// A group as the file wants it. An option left out means the module's
// default (kDefaults).
struct GroupSpec {
	std::string name;
	Where where; // its table's header
	std::vector<Located<std::string>> devices;
	std::vector<Located<IpAddr>> vips;
	proto::GroupOptions options;
	bool local = true; // the VIPs are local addresses on lo
	// The keepalived (VRRP) instance whose MASTER state the VIPs follow:
	// all of them while this host is its master, none otherwise
	// (docs/keepalived.md).
	std::optional<Located<std::string>> vrrp_instance = {};
};

struct Config {
	std::vector<GroupSpec> groups;
};

// A group option as the file names it: its key, its field, its range.
// One table, in the order save writes them, for parsing, rendering and
// planning alike.
struct OptionKey {
	const char *key;
	std::optional<uint32_t> proto::GroupOptions::*field;
	uint32_t min;
	uint32_t max;
};

inline constexpr OptionKey kOptions[] = {
	{"garp-count", &proto::GroupOptions::garp_count, 0, VIPFO_GARP_COUNT_MAX},
	{"garp-interval", &proto::GroupOptions::garp_interval, VIPFO_GARP_INTERVAL_MIN,
	 VIPFO_GARP_INTERVAL_MAX},
	{"carrier-poll", &proto::GroupOptions::carrier_poll, 0, VIPFO_CARRIER_POLL_MAX},
	{"reply-rate", &proto::GroupOptions::reply_rate, 0, VIPFO_REPLY_RATE_MAX},
	{"up-delay", &proto::GroupOptions::up_delay, 0, VIPFO_UP_DELAY_MAX},
};

// The module's defaults for the options a file leaves out (kmod/group.h;
// configuration.sh checks that they agree).
inline constexpr proto::GroupOptions kDefaults{
	.garp_count = 3, .garp_interval = 200, .carrier_poll = 5,
	.reply_rate = 100000, .up_delay = 1000};

// Parses one file's text; file names it in messages. Throws Error
// "FILE:LINE:COLUMN: what".
Config parse(std::string_view text, const std::string &file);

// Merges configurations read in order: a group, a device or a VIP given
// twice is an error naming both places.
Config merge(std::span<const Config> parts);

// The files a path stands for: itself, or for a directory its *.conf in
// lexical order; "-" is standard input.
std::vector<std::string> expand(const std::string &path);

// Reads and merges the files, in order ("-": standard input).
Config load(std::span<const std::string> files);

// The default files: /etc/vipfo/vipfo.conf (if it exists), then
// /etc/vipfo/conf.d/*.conf in lexical order.
std::vector<std::string> default_files(const std::string &dir = "/etc/vipfo");

// The running configuration in the file's format: every option written
// out, so that applying it changes nothing. local[i]: whether groups[i]'s
// VIPs are local addresses.
std::string render(std::span<const proto::Group> groups, const std::vector<bool> &local);

} // namespace vipctl::config
