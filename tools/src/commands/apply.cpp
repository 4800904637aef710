// SPDX-License-Identifier: GPL-2.0
// vipctl apply [FILE...] [--check] [--wait SEC], vipctl save
#include "apply.hpp"

#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <fcntl.h>
#include <net/if.h>
#include <sys/file.h>
#include <unistd.h>

#include "commands.hpp"
#include "lib/client.hpp"
#include "lib/config_file.hpp"
#include "lib/config_plan.hpp"
#include "lib/error.hpp"
#include "lib/rtnl_addr.hpp"

namespace vipctl {

namespace {

using config::Op;
using config::Step;

struct ApplyArgs {
	ApplyRequest req;
	unsigned wait = 0;
	CLI::Option *wait_opt = nullptr;
};

// Held while one vipctl applies: keepalived may run several notifications
// at once, and boot or reload an apply beside them; each plans from what
// the one before it left.
class ApplyLock {
public:
	static constexpr const char *kPath = "/run/vipfo.lock";

	ApplyLock() : fd_(open(kPath, O_RDWR | O_CREAT | O_CLOEXEC, 0600))
	{
		if (fd_ < 0)
			throw Error(std::string(kPath) + ": " + describe_errno(errno));
		while (flock(fd_, LOCK_EX) < 0)
			if (errno != EINTR)
				throw Error(std::string(kPath) + ": lock: " + describe_errno(errno));
	}
	~ApplyLock() { close(fd_); }
	ApplyLock(const ApplyLock &) = delete;
	ApplyLock &operator=(const ApplyLock &) = delete;

private:
	int fd_;
};

uint32_t ifindex(const std::string &name)
{
	return if_nametoindex(name.c_str());
}

// The module's floor for the carrier poll, 0 when unknown.
uint32_t carrier_poll_floor()
{
	std::ifstream in("/sys/module/vipfo/parameters/carrier_poll_min");
	uint32_t v = 0;
	return in >> v ? v : 0;
}

config::Running running(Client &client, rtnl::LocalAddrs &local)
{
	config::Running r;
	r.groups = client.groups();
	r.carrier_poll_floor = carrier_poll_floor();
	for (const rtnl::LocalAddr &a : local.list()) {
		r.local.insert(a.addr);
		if (a.proto == VIPFO_IFA_PROTO && a.prefixlen == a.addr.full_prefix())
			r.marked.insert(a.addr);
	}
	return r;
}

// Devices the file names that do not exist: waits up to wait seconds for
// them (a NIC renamed late at boot, a VLAN networkd creates), then leaves
// out those still missing, each with a warning. Without --wait, a missing
// device is an error.
void check_devices(const config::Config &want, const std::optional<unsigned> &wait)
{
	const auto missing = [&] {
		std::vector<std::pair<const config::GroupSpec *, const config::Located<std::string> *>> m;
		for (const config::GroupSpec &g : want.groups)
			for (const auto &d : g.devices)
				if (!ifindex(d.value))
					m.emplace_back(&g, &d);
		return m;
	};
	auto m = missing();
	if (m.empty())
		return;
	if (!wait)
		throw Error(m.front().second->where.str() + ": group " + m.front().first->name +
				 ": device " + m.front().second->value +
				 ": no such device (--wait SEC waits for devices)");
	const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(*wait);
	while (!m.empty() && std::chrono::steady_clock::now() < end) {
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
		m = missing();
	}
	for (const auto &[g, d] : m)
		std::cerr << "vipctl: warning: " << d->where.str() << ": group " << g->name
			  << ": device " << d->value << " does not exist after " << *wait
			  << " s: left out\n";
}

void run(const Step &s, Client &client, rtnl::LocalAddrs &local)
{
	switch (s.op) {
	case Op::GroupDel:
		client.group_del(s.group);
		break;
	case Op::GroupNew:
		client.group_new(s.group, s.options, s.devs, s.vips);
		break;
	case Op::GroupSet:
		client.group_set(s.group, s.options);
		break;
	case Op::DevAdd:
		client.devs(VIPFO_CMD_DEV_ADD, s.group, s.devs);
		break;
	case Op::DevDel:
		client.devs(VIPFO_CMD_DEV_DEL, s.group, s.devs);
		break;
	case Op::VipAdd:
		client.vips(VIPFO_CMD_VIP_ADD, s.group, s.vips);
		break;
	case Op::VipDel:
		client.vips(VIPFO_CMD_VIP_DEL, s.group, s.vips);
		break;
	case Op::LocalAdd:
		local.add(s.vips);
		break;
	case Op::LocalDel:
		local.remove_marked(s.vips);
		break;
	}
}

// Where the file gave what the kernel refused (a VIP, a device), or the
// step's group.
std::string locate(const config::Config &want, const Step &s, const Error &e)
{
	const auto *ke = dynamic_cast<const KernelError *>(&e);
	if (ke && !ke->subject().empty())
		for (const config::GroupSpec &g : want.groups) {
			for (const auto &v : g.vips)
				if (v.value.str() == ke->subject())
					return v.where.str() + ": group " + g.name + ": ";
			for (const auto &d : g.devices)
				if (d.value == ke->subject())
					return d.where.str() + ": group " + g.name + ": ";
		}
	if (!s.where.file.empty())
		return s.where.str() + ": group " + s.group + ": ";
	return "";
}

// All or nothing: a step that fails undoes the ones before it.
void run_all(const std::vector<Step> &steps, const config::Config &want, Client &client,
	     rtnl::LocalAddrs &local)
{
	for (size_t i = 0; i < steps.size(); i++) {
		try {
			run(steps[i], client, local);
		} catch (const Error &e) {
			std::string undo;
			for (size_t j = i; j-- > 0;) {
				try {
					run(config::inverse(steps[j]), client, local);
				} catch (const Error &u) {
					undo = "; rolling back '" + steps[j].str() + "' failed too: " +
					       u.what();
				}
			}
			throw Error(locate(want, steps[i], e) + e.what() + " (in '" +
					 steps[i].str() + "'; " +
					 (undo.empty() ? "nothing changed" : undo.substr(2)) + ")");
		}
		std::cout << steps[i].str() << std::endl;
	}
}

void save()
{
	Client client;
	rtnl::LocalAddrs local;
	const config::Running r = running(client, local);
	std::vector<bool> is_local;
	for (const proto::Group &g : r.groups)
		is_local.push_back(g.vips.empty() ||
				   std::any_of(g.vips.begin(), g.vips.end(),
					       [&](const IpAddr &v) { return r.local.count(v) > 0; }));
	std::cout << config::render(r.groups, is_local);
}

} // namespace

std::vector<std::string> config_files(const std::vector<std::string> &paths)
{
	std::vector<std::string> files;
	for (const std::string &f : paths) {
		std::vector<std::string> some = config::expand(f);
		// Not "no groups": that would delete every group (/dev/null
		// says so on purpose).
		if (some.empty())
			throw Error(f + ": no *.conf file in this directory");
		for (std::string &e : some)
			files.push_back(std::move(e));
	}
	if (paths.empty()) {
		files = config::default_files();
		if (files.empty())
			throw Error("no configuration: neither /etc/vipfo/vipfo.conf nor "
				    "/etc/vipfo/conf.d/*.conf exists");
	}
	return files;
}

void apply_config(const ApplyRequest &r)
{
	const config::Config want = config::load(config_files(r.files));
	check_devices(want, r.wait);

	Client client;
	rtnl::LocalAddrs local;
	std::optional<ApplyLock> lock;
	if (!r.check)
		lock.emplace();
	const std::vector<Step> steps =
		config::plan(want, running(client, local), ifindex, r.vrrp);
	if (r.check || steps.empty()) {
		for (const Step &s : steps)
			std::cout << s.str() << '\n';
		if (steps.empty())
			std::cout << "no changes\n";
		return;
	}
	run_all(steps, want, client, local);
}

void setup_apply(CLI::App &app)
{
	auto args = std::make_shared<ApplyArgs>();
	CLI::App *apply_cmd = app.add_subcommand(
		"apply",
		"Make the configuration equal to the file(s): create, change and delete\n"
		"groups, members, VIPs and their local addresses on lo as needed, leaving\n"
		"what matches untouched; all or nothing. Default files: /etc/vipfo/vipfo.conf\n"
		"and /etc/vipfo/conf.d/*.conf (docs/configuration.md)");
	apply_cmd->add_option("FILE", args->req.files,
			      "Configuration file(s), in order; a directory stands for its *.conf "
			      "in lexical order; - reads standard input");
	apply_cmd->add_flag("--check", args->req.check,
			    "Check the file(s) and print what would change, changing nothing");
	args->wait_opt = apply_cmd->add_option(
				      "--wait", args->wait,
				      "Wait up to SEC seconds for member devices that do not exist yet, "
				      "then leave out those still missing, with a warning (default: a "
				      "missing device is an error)")
				 ->type_name("SEC")
				 ->check(CLI::Range(0, 3600));
	apply_cmd->callback([args] {
		if (args->wait_opt->count())
			args->req.wait = args->wait;
		with_context("apply", [&] { apply_config(args->req); });
	});

	CLI::App *save_cmd = app.add_subcommand(
		"save", "Print the running configuration in the file format of 'apply'");
	save_cmd->callback([] { with_context("save", [] { save(); }); });
}

} // namespace vipctl
