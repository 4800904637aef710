// SPDX-License-Identifier: GPL-2.0
// vipctl: configures the vipfo kernel module over generic netlink.
#include <iostream>

#include "commands/batch.hpp"
#include "commands/commands.hpp"
#include "lib/error.hpp"
#include "lib/netns.hpp"

int main(int argc, char **argv)
{
	CLI::App app{"Configure vipfo: every live adapter answers ARP for the virtual IPs (VIPs)\n"
		     "with its own MAC; when one fails, the survivors announce the VIPs.",
		     "vipctl"};
	app.set_version_flag("--version", "vipctl " VIPCTL_VERSION, "Print the version and exit");
	// A command, or -b FILE (checked below).
	app.require_subcommand(0, 1);
	// Entered as soon as it is parsed: before the command runs.
	app.add_option_function<std::string>("-n,--netns", vipctl::enter_netns,
					      "Work in network namespace NETNS (a name of 'ip netns', "
					      "or a path such as /proc/PID/ns/net), as 'ip -n'")
		->type_name("NETNS");
	std::string batch_file;
	bool force = false;
	CLI::Option *batch =
		app.add_option("-b,--batch", batch_file,
			       "Run the commands of FILE (- for standard input), one a line, without "
			       "'vipctl', as 'ip -b'; stop at the first that fails")
			->type_name("FILE");
	app.add_flag("--force", force, "With -b: go on after a command fails (exit 1 at the end)")
		->needs(batch);

	vipctl::setup_commands(app);
	app.parse_complete_callback([&] {
		if (batch->count() && !app.get_subcommands().empty())
			throw CLI::ValidationError("-b,--batch", "the commands are in FILE, not after it");
		if (!batch->count() && app.get_subcommands().empty())
			throw CLI::RequiredError("A subcommand");
	});

	// After the subcommands, so that only the top-level help shows it.
	app.footer("Configuration is per network namespace. Run 'vipctl COMMAND --help' for details.\n"
		   "Exit status: 0 success, 1 failure, 2 usage error.");

	try {
		app.parse(argc, argv);
		if (batch->count())
			return vipctl::run_batch_file(batch_file, force);
	} catch (const CLI::ParseError &e) {
		return app.exit(e) == 0 ? 0 : 2;
	} catch (const std::exception &e) {
		std::cerr << vipctl::error_line(e) << std::endl;
		return 1;
	}
	return 0;
}
