// SPDX-License-Identifier: GPL-2.0
// vipctl -n NETNS: every command works in the named network namespace, as
// with `ip -n NETNS`.
#pragma once

#include <string>

namespace vipctl {

// Moves vipctl into a network namespace: a name under /run/netns (as ip
// netns creates them) or a path (/proc/PID/ns/net). Throws Error.
void enter_netns(const std::string &name);

} // namespace vipctl
