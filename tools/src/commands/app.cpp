// SPDX-License-Identifier: GPL-2.0
// The commands of vipctl, for its own app and for each line of a batch.
#include "commands.hpp"

namespace vipctl {

void setup_commands(CLI::App &app)
{
	setup_group(app);
	setup_dev(app);
	setup_vip(app);
	setup_show(app);
	setup_monitor(app);
	setup_apply(app);
	setup_vrrp(app);
}

} // namespace vipctl
