// SPDX-License-Identifier: GPL-2.0
// vipctl vrrp [--config FILE]... (INSTANCE|GROUP NAME STATE [PRIORITY] | --fifo PATH)
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>

#include "apply.hpp"
#include "commands.hpp"
#include "lib/error.hpp"
#include "lib/vrrp.hpp"

namespace vipctl {

namespace {

struct VrrpArgs {
	std::vector<std::string> notify;
	std::vector<std::string> config;
	std::string fifo;
};

// The groups of the instance get their VIPs (MASTER) or lose them: the
// files applied as `vipctl apply` does, with that instance's state. A
// device missing now is left out: a transition must not wait.
void handle(const vrrp::Event &e, const VrrpArgs &a)
{
	std::cout << "vrrp " << e.instance << ' ' << e.state << std::endl;
	apply_config({.files = a.config, .wait = 0u, .vrrp = {{e.instance, e.master}}});
}

// keepalived's notify_fifo_script: the FIFO's lines in the order
// keepalived wrote them, until it closes it (it stops). A line that fails
// is reported and the next one handled. keepalived signals the script to
// terminate before it writes its instances' STOP lines: SIGTERM is
// ignored, the end is the FIFO's end.
void follow(const VrrpArgs &a)
{
	std::signal(SIGTERM, SIG_IGN);
	std::ifstream in(a.fifo);
	if (!in)
		throw Error(a.fifo + ": cannot open");
	std::string line;
	while (std::getline(in, line)) {
		try {
			if (std::optional<vrrp::Event> e = vrrp::parse_fifo_line(line))
				handle(*e, a);
		} catch (const Error &err) {
			std::cerr << "vipctl: vrrp: " << err.what() << std::endl;
		}
	}
}

void run(const VrrpArgs &a)
{
	if (a.fifo.empty() == a.notify.empty())
		throw Error("give either keepalived's notify arguments or --fifo PATH");
	if (!a.fifo.empty())
		return follow(a);
	if (std::optional<vrrp::Event> e = vrrp::parse_notify(a.notify))
		handle(*e, a);
}

} // namespace

void setup_vrrp(CLI::App &app)
{
	auto args = std::make_shared<VrrpArgs>();
	CLI::App *cmd = app.add_subcommand(
		"vrrp",
		"keepalived's notification of a VRRP state change: the groups whose\n"
		"vrrp-instance it names get their VIPs (MASTER) or lose them (BACKUP,\n"
		"FAULT, STOP), the configuration file(s) applied as 'apply' does.\n"
		"For keepalived's notify (INSTANCE NAME STATE [PRIORITY]) or, in order,\n"
		"notify_fifo_script (--fifo PATH); docs/keepalived.md");
	cmd->add_option("ARGS", args->notify,
			"keepalived's notify arguments: INSTANCE|GROUP NAME STATE [PRIORITY]")
		->expected(0, 4);
	cmd->add_option("-c,--config", args->config,
			"Configuration file(s) as for 'apply' (default: /etc/vipfo/vipfo.conf "
			"and /etc/vipfo/conf.d/*.conf)")
		->type_name("FILE")
		->allow_extra_args(false); // -c F INSTANCE ...: one FILE each
	cmd->add_option("--fifo", args->fifo,
			"Read keepalived's notify FIFO at PATH (notify_fifo_script passes it) "
			"until keepalived closes it")
		->type_name("PATH");
	cmd->callback([args] { with_context("vrrp", [&] { run(*args); }); });
}

} // namespace vipctl
