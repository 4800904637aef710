// SPDX-License-Identifier: GPL-2.0
// keepalived's notifications of VRRP state changes, as `vipctl vrrp`
// reads them: the arguments of its notify script, and the lines of its
// notify FIFO (docs/keepalived.md).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vipctl::vrrp {

struct Event {
	std::string instance; // the vrrp_instance's name
	std::string state;    // MASTER, BACKUP, FAULT, STOP or DELETED
	bool master = false;

	bool operator==(const Event &) const = default;
};

// The notify script's arguments: TYPE NAME STATE [PRIORITY], as keepalived
// passes them (TYPE INSTANCE or GROUP). nullopt for a sync group's change,
// which keepalived also reports for each of its instances. Throws Error
// when they are not such arguments.
std::optional<Event> parse_notify(std::span<const std::string> args);

// A line of the notify FIFO: INSTANCE "NAME" STATE PRIORITY. nullopt for
// the other lines keepalived writes there (GROUP, and LVS's RS and VS).
// Throws Error for a malformed INSTANCE line.
std::optional<Event> parse_fifo_line(std::string_view line);

} // namespace vipctl::vrrp
