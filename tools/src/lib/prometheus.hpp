// SPDX-License-Identifier: GPL-2.0
// vipctl show --prometheus: the groups' states and counters in
// Prometheus' text exposition format, for node_exporter's textfile
// collector (docs/metrics.md lists the metrics).
#pragma once

#include <span>
#include <string>

#include "vipfo_proto.hpp"

namespace vipctl {

std::string render_prometheus(std::span<const proto::Group> groups);

// The help text of a counter of proto::kCounters, empty for one this file
// does not know (a unit test keeps them in step).
std::string counter_help(const char *name);

} // namespace vipctl
