// SPDX-License-Identifier: GPL-2.0
// vipctl dev add|del NAME IF...
#include <memory>

#include "lib/client.hpp"
#include "commands.hpp"
#include "lib/error.hpp"

namespace vipctl {

namespace {

struct DevArgs {
	std::string name;
	std::vector<std::string> devs;
};

void run(uint8_t cmd, const DevArgs &a)
{
	check_group_name(a.name);
	const std::vector<DevRef> devs = resolve_devs(a.devs, VIPFO_MAX_MEMBERS);
	Client client;
	client.devs(cmd, a.name, devs);
}

void setup_one(CLI::App *dev, const char *verb, const char *help, uint8_t cmd)
{
	auto args = std::make_shared<DevArgs>();
	CLI::App *sub = dev->add_subcommand(verb, help);
	sub->add_option("NAME", args->name, "Group name")->required();
	sub->add_option("IF", args->devs, "Network device(s); commas allowed")->required();
	sub->callback([args, verb, cmd] {
		with_context(std::string("dev ") + verb + " " + args->name, [&] { run(cmd, *args); });
	});
}

} // namespace

void setup_dev(CLI::App &app)
{
	CLI::App *dev = app.add_subcommand("dev", "Add or remove member devices of a group");
	dev->require_subcommand(1);
	setup_one(dev, "add", "Add devices to a group", VIPFO_CMD_DEV_ADD);
	setup_one(dev, "del", "Remove devices from a group", VIPFO_CMD_DEV_DEL);
}

} // namespace vipctl
