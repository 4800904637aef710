// SPDX-License-Identifier: GPL-2.0
// vipctl: configures the vipfo kernel module over generic netlink.
#include <iostream>

#include "commands/commands.hpp"
#include "lib/error.hpp"
#include "lib/netns.hpp"

int main(int argc, char **argv)
{
	CLI::App app{"Configure vipfo: every live adapter answers ARP for the virtual IPs (VIPs)\n"
		     "with its own MAC; when one fails, the survivors announce the VIPs.",
		     "vipctl"};
	app.set_version_flag("--version", "vipctl " VIPCTL_VERSION, "Print the version and exit");
	app.require_subcommand(1);
	// Entered as soon as it is parsed: before the command runs.
	app.add_option_function<std::string>("-n,--netns", vipctl::enter_netns,
					      "Work in network namespace NETNS (a name of 'ip netns', "
					      "or a path such as /proc/PID/ns/net), as 'ip -n'")
		->type_name("NETNS");

	vipctl::setup_group(app);
	vipctl::setup_dev(app);
	vipctl::setup_vip(app);
	vipctl::setup_show(app);
	vipctl::setup_monitor(app);
	vipctl::setup_apply(app);
	vipctl::setup_vrrp(app);

	// After the subcommands, so that only the top-level help shows it.
	app.footer("Configuration is per network namespace. Run 'vipctl COMMAND --help' for details.\n"
		   "Exit status: 0 success, 1 failure, 2 usage error.");

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e) == 0 ? 0 : 2;
	} catch (const std::exception &e) {
		std::cerr << vipctl::error_line(e) << std::endl;
		return 1;
	}
	return 0;
}
