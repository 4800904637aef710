// SPDX-License-Identifier: GPL-2.0
// What `vipctl apply` does, for `vipctl vrrp` too: the configuration
// files applied all or nothing, one vipctl at a time on the host.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/config_plan.hpp"

namespace vipctl {

struct ApplyRequest {
	std::vector<std::string> files;	// as given: files, directories, "-"
	bool check = false;		// print the plan only
	std::optional<unsigned> wait;	// seconds to wait for missing devices;
					// nullopt: a missing device is an error
	config::VrrpStates vrrp = {};	// the VRRP instances a notification is about
};

// The files paths stand for (a directory: its *.conf), or the default
// ones when there are none; throws when that leaves none.
std::vector<std::string> config_files(const std::vector<std::string> &paths);

// Makes the running configuration equal to the files', printing each
// step done (or, with check, to be done).
void apply_config(const ApplyRequest &r);

} // namespace vipctl
