// SPDX-License-Identifier: GPL-2.0
// vipctl show [NAME] [-j|--json] [-s|--stats]
#include <iostream>
#include <memory>

#include "lib/client.hpp"
#include "commands.hpp"
#include "lib/error.hpp"
#include "lib/output.hpp"

namespace vipctl {

namespace {

struct ShowArgs {
	std::string name;
	bool json = false;
	bool stats = false;
};

void show(const ShowArgs &a)
{
	std::optional<std::string_view> filter;
	if (!a.name.empty()) {
		check_group_name(a.name);
		filter = a.name;
	}
	Client client;
	const std::vector<proto::Group> groups = client.groups(filter);
	if (filter && groups.empty())
		throw Error("no such group");
	if (a.json)
		std::cout << dump_json(groups_json(groups, a.stats)) << '\n';
	else
		std::cout << render_groups_text(groups, a.stats);
	std::cout.flush();
}

} // namespace

void setup_show(CLI::App &app)
{
	auto args = std::make_shared<ShowArgs>();
	CLI::App *cmd = app.add_subcommand("show", "Show groups: devices and their state, VIPs");
	cmd->add_option("NAME", args->name, "Only this group");
	cmd->add_flag("-j,--json", args->json, "JSON output (schema: docs/vipctl-json.md)");
	cmd->add_flag("-s,--stats", args->stats, "Include counters for groups and devices");
	cmd->callback([args] {
		with_context(args->name.empty() ? std::string("show") : "show " + args->name,
			     [&] { show(*args); });
	});
}

} // namespace vipctl
