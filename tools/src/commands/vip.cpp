// SPDX-License-Identifier: GPL-2.0
// vipctl vip add|del NAME ADDR... [--no-local]
#include <memory>

#include "lib/client.hpp"
#include "commands.hpp"
#include "lib/error.hpp"
#include "lib/rtnl_addr.hpp"

namespace vipctl {

namespace {

struct VipArgs {
	std::string name;
	std::vector<std::string> addrs;
	bool no_local = false;
};

void vip_add(const VipArgs &a)
{
	check_group_name(a.name);
	const std::vector<IpAddr> vips = parse_addr_list(a.addrs);
	Client client;
	client.vips(VIPFO_CMD_VIP_ADD, a.name, vips);
	if (a.no_local)
		return;
	try {
		rtnl::LocalAddrs local;
		local.add(vips);
	} catch (const Error &) {
		client.vips_undo(VIPFO_CMD_VIP_DEL, a.name, vips);
		throw;
	}
}

void vip_del(const VipArgs &a)
{
	check_group_name(a.name);
	const std::vector<IpAddr> vips = parse_addr_list(a.addrs);
	Client client;
	client.vips(VIPFO_CMD_VIP_DEL, a.name, vips);
	if (a.no_local)
		return;
	rtnl::LocalAddrs local;
	local.remove_marked(vips);
}

void setup_one(CLI::App *vip, const char *verb, const char *help, const char *local_help,
	       void (*fn)(const VipArgs &))
{
	auto args = std::make_shared<VipArgs>();
	CLI::App *sub = vip->add_subcommand(verb, help);
	sub->add_option("NAME", args->name, "Group name")->required();
	sub->add_option("ADDR", args->addrs, "IPv4/IPv6 address(es), without prefix; commas allowed")
		->required();
	sub->add_flag("--no-local", args->no_local, local_help);
	sub->callback([args, verb, fn] {
		with_context(std::string("vip ") + verb + " " + args->name, [&] { fn(*args); });
	});
}

} // namespace

void setup_vip(CLI::App &app)
{
	CLI::App *vip = app.add_subcommand("vip", "Add or remove the virtual IPs of a group");
	vip->require_subcommand(1);
	setup_one(vip, "add",
		  "Add VIPs to a group, all or none; each also becomes a local address\n"
		  "(ADDR/32 or /128 on lo, marked with proto 0x76) unless --no-local",
		  "Do not add them as local addresses (ADDR/32, /128) on lo", vip_add);
	setup_one(vip, "del",
		  "Remove VIPs from a group, all or none, and the local addresses on lo\n"
		  "that vipctl added for them",
		  "Do not remove the local addresses vipctl added for them", vip_del);
}

} // namespace vipctl
