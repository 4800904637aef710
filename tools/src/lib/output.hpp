// SPDX-License-Identifier: GPL-2.0
// Groups and events as text or JSON: one walk per object (printer.hpp).
// The JSON schema is documented in docs/vipctl-json.md; keep the two in
// step.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "printer.hpp"
#include "vipfo_proto.hpp"

namespace vipctl {

std::string format_mac(const std::array<uint8_t, 6> &mac);

// The readable listing of `vipctl show` (every line ends in '\n').
std::string render_groups_text(std::span<const proto::Group> groups, bool stats);
// {"groups":[...]}
Json groups_json(std::span<const proto::Group> groups, bool stats);

// One line (without '\n') for `vipctl monitor`.
std::string render_event_text(const proto::Event &ev);
Json event_json(const proto::Event &ev);

// Compact, one line (or with pretty, indented by two spaces), invalid
// UTF-8 replaced rather than thrown on.
std::string dump_json(const Json &j, bool pretty = false);

} // namespace vipctl
