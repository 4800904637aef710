// SPDX-License-Identifier: GPL-2.0
// Groups and events as text or JSON: one walk per object (printer.hpp).
// The JSON schema is documented in docs/vipctl-json.md; keep the two in
// step.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "printer.hpp"
#include "vipfo_proto.hpp"

namespace vipctl {

std::string format_mac(const std::array<uint8_t, 6> &mac);

// The readable listing of `vipctl show` (every line ends in '\n').
std::string render_groups_text(std::span<const proto::Group> groups, bool stats);
// {"groups":[...]}
Json groups_json(std::span<const proto::Group> groups, bool stats);

// `vipctl show` as the dump arrives, byte for byte what
// render_groups_text() or dump_json(groups_json()) and a newline print for
// the whole list: a group's first part prints its head and devices, every
// part its VIPs, so memory does not grow with the VIPs. Parts follow
// merge_group()'s rule (one for the group of the part before continues
// it); the head is the first part's.
class GroupStream {
public:
	using Sink = std::function<void(std::string_view)>;
	GroupStream(Sink sink, bool json, bool pretty, bool stats);
	void part(const proto::Group &g);
	// Closes the document (JSON); nothing may follow.
	void finish();
	// How many groups were printed.
	size_t groups() const { return groups_; }

private:
	std::string begin() const;
	std::string head(const proto::Group &g) const;
	void end_group(std::string &out);

	Sink sink_;
	bool json_, pretty_, stats_;
	bool open_ = false; // a group is open: its VIP list goes on
	std::string group_;
	size_t groups_ = 0;
	size_t vips_ = 0; // of the open group
};

// Output held back until it reaches hold bytes, then passed on as it
// comes: what was held can be taken back when a dump starts again.
class HeldOutput {
public:
	HeldOutput(std::ostream &out, size_t hold);
	void write(std::string_view s);
	// Drops what is held, for a dump that starts again; false when some
	// output already went out, which cannot be taken back.
	bool restart();
	// Passes on what is held.
	void flush();

private:
	std::ostream &out_;
	size_t hold_;
	std::string held_;
	bool released_ = false;
};

// One line (without '\n') for `vipctl monitor`.
std::string render_event_text(const proto::Event &ev);
Json event_json(const proto::Event &ev);

// Compact, one line (or with pretty, indented by two spaces), invalid
// UTF-8 replaced rather than thrown on.
std::string dump_json(const Json &j, bool pretty = false);

} // namespace vipctl
