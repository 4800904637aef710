// SPDX-License-Identifier: GPL-2.0
// vipctl group add|del|set
#include <memory>

#include "lib/client.hpp"
#include "commands.hpp"
#include "lib/error.hpp"
#include "lib/rtnl_addr.hpp"

namespace vipctl {

namespace {

// "MIN-MAX" of an option, from the UAPI header's constants.
std::string range(uint32_t min, uint32_t max)
{
	return std::to_string(min) + "-" + std::to_string(max);
}

struct GroupArgs {
	std::string name;
	std::vector<std::string> devs;
	std::vector<std::string> vips;
	uint32_t garp_count = 0;
	uint32_t garp_interval = 0;
	uint32_t carrier_poll = 0;
	uint32_t reply_rate = 0;
	uint32_t up_delay = 0;
	bool no_local = false;
	CLI::Option *count_opt = nullptr;
	CLI::Option *interval_opt = nullptr;
	CLI::Option *poll_opt = nullptr;
	CLI::Option *rate_opt = nullptr;
	CLI::Option *up_delay_opt = nullptr;

	proto::GroupOptions options() const
	{
		proto::GroupOptions o;
		if (count_opt && count_opt->count())
			o.garp_count = garp_count;
		if (interval_opt && interval_opt->count())
			o.garp_interval = garp_interval;
		if (poll_opt && poll_opt->count())
			o.carrier_poll = carrier_poll;
		if (rate_opt && rate_opt->count())
			o.reply_rate = reply_rate;
		if (up_delay_opt && up_delay_opt->count())
			o.up_delay = up_delay;
		return o;
	}
};

void add_name(CLI::App *cmd, GroupArgs &a)
{
	cmd->add_option("NAME", a.name,
			"Group name: " + range(1, VIPFO_GROUP_NAME_SIZE - 1) +
				" characters of A-Z a-z 0-9 _ . -")
		->required();
}

void add_garp_options(CLI::App *cmd, GroupArgs &a)
{
	a.count_opt = cmd->add_option("--garp-count", a.garp_count,
				      "Gratuitous ARPs each survivor sends per VIP on failover (" +
					      range(0, VIPFO_GARP_COUNT_MAX) + ", "
				      "0 = answer ARP requests, never announce; default 3)")
			      ->type_name("N")
			      ->check(CLI::Range(0, VIPFO_GARP_COUNT_MAX));
	a.interval_opt = cmd->add_option("--garp-interval", a.garp_interval,
					 "Milliseconds between those gratuitous ARPs (" +
					 range(VIPFO_GARP_INTERVAL_MIN, VIPFO_GARP_INTERVAL_MAX) + ", default 200)")
				 ->type_name("MS")
				 ->check(CLI::Range(VIPFO_GARP_INTERVAL_MIN, VIPFO_GARP_INTERVAL_MAX));
	a.poll_opt = cmd->add_option("--carrier-poll", a.carrier_poll,
				     "Milliseconds between checks of the members' carrier, which catch a "
				     "lost link before the kernel reports it (" + range(0, VIPFO_CARRIER_POLL_MAX) +
				     ", 0 = off, default 5; in a "
				     "namespace of another user namespace at least the module's carrier_poll_min, "
				     "default 10)")
			     ->type_name("MS")
			     ->check(CLI::Range(0, VIPFO_CARRIER_POLL_MAX));
	a.rate_opt = cmd->add_option("--reply-rate", a.reply_rate,
				     "ARP frames per second the group may send in answer to received ones "
				     "(replies, conflict announcements); requests beyond it get one reply, "
				     "from the adapter that received them "
				     "(" + range(0, VIPFO_REPLY_RATE_MAX) + ", 0 = no limit, default 100000)")
			     ->type_name("N")
			     ->check(CLI::Range(0, VIPFO_REPLY_RATE_MAX));
	a.up_delay_opt = cmd->add_option("--up-delay", a.up_delay,
					 "Milliseconds a member that comes back is held down before it "
					 "answers and announces again, doubled for each flap in a row up "
					 "to 32 times; not while no other member is up "
					 "(" + range(0, VIPFO_UP_DELAY_MAX) + ", 0 = at once, default 1000)")
			     ->type_name("MS")
			     ->check(CLI::Range(0, VIPFO_UP_DELAY_MAX));
}

void group_add(const GroupArgs &a)
{
	check_group_name(a.name);
	const std::vector<DevRef> devs = resolve_devs(a.devs, VIPFO_MAX_MEMBERS);
	const std::vector<IpAddr> vips = parse_addr_list(a.vips);

	Client client;
	client.group_new(a.name, a.options(), devs, vips);
	if (a.no_local || vips.empty())
		return;
	try {
		rtnl::LocalAddrs local;
		local.add(vips);
	} catch (const Error &) {
		try {
			client.group_del(a.name);
		} catch (const Error &) {
		}
		throw;
	}
}

void group_del(const GroupArgs &a)
{
	check_group_name(a.name);
	Client client;
	// The VIPs first: their local addresses go once the group is gone.
	const std::vector<proto::Group> groups = client.groups(a.name);
	client.group_del(a.name);
	if (!groups.empty() && !groups.front().vips.empty()) {
		rtnl::LocalAddrs local;
		local.remove_marked(groups.front().vips);
	}
}

void group_set(const GroupArgs &a)
{
	if (!a.count_opt->count() && !a.interval_opt->count() && !a.poll_opt->count() &&
	    !a.rate_opt->count() && !a.up_delay_opt->count())
		throw CLI::RequiredError(
			"--garp-count, --garp-interval, --carrier-poll, --reply-rate or --up-delay");
	check_group_name(a.name);
	Client client;
	client.group_set(a.name, a.options());
}

} // namespace

void setup_group(CLI::App &app)
{
	CLI::App *group = app.add_subcommand("group", "Create, delete and configure groups");
	group->require_subcommand(1);

	auto add_args = std::make_shared<GroupArgs>();
	CLI::App *add = group->add_subcommand(
		"add", "Create a group, optionally with devices and VIPs; the VIPs also become\n"
		       "local addresses (ADDR/32 or /128 on lo, marked with proto 0x76) unless --no-local");
	add_name(add, *add_args);
	add->add_option("--dev", add_args->devs,
			"Member device(s), comma-separated; may be repeated (at most 16)")
		->type_name("IF[,IF...]")
		->allow_extra_args(false);
	add->add_option("--vip", add_args->vips,
			"Virtual IPv4/IPv6 address(es), comma-separated; may be repeated")
		->type_name("ADDR[,ADDR...]")
		->allow_extra_args(false);
	add_garp_options(add, *add_args);
	add->add_flag("--no-local", add_args->no_local,
		      "Do not add the VIPs as local addresses (ADDR/32, /128) on lo");
	add->callback([add_args] { with_context("group add " + add_args->name, [&] { group_add(*add_args); }); });

	auto del_args = std::make_shared<GroupArgs>();
	CLI::App *del = group->add_subcommand(
		"del", "Delete a group, and the local addresses vipctl added for its VIPs");
	add_name(del, *del_args);
	del->callback([del_args] { with_context("group del " + del_args->name, [&] { group_del(*del_args); }); });

	auto set_args = std::make_shared<GroupArgs>();
	CLI::App *set = group->add_subcommand("set", "Change a group's options");
	add_name(set, *set_args);
	add_garp_options(set, *set_args);
	set->callback([set_args] { with_context("group set " + set_args->name, [&] { group_set(*set_args); }); });
}

} // namespace vipctl
