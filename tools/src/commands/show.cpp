// SPDX-License-Identifier: GPL-2.0
// vipctl show [NAME] [-j|--json [-p]] [-s|--stats] [--prometheus [-o FILE]]
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include <unistd.h>

#include "lib/client.hpp"
#include "commands.hpp"
#include "lib/error.hpp"
#include "lib/output.hpp"
#include "lib/prometheus.hpp"

namespace vipctl {

namespace {

struct ShowArgs {
	std::string name;
	bool json = false;
	bool stats = false;
	bool pretty = false;
	bool prometheus = false;
	std::string output;
};

// Written next to path and renamed over it: a reader (node_exporter's
// textfile collector) sees the old file or the new one, never half.
void write_atomically(const std::string &path, const std::string &text)
{
	const std::string tmp = path + ".tmp." + std::to_string(getpid());
	{
		std::ofstream out(tmp, std::ios::trunc);
		out << text;
		out.flush();
		if (!out)
			throw Error(tmp + ": cannot write: " + std::strerror(errno));
	}
	if (std::rename(tmp.c_str(), path.c_str()) != 0) {
		const int err = errno;
		std::remove(tmp.c_str());
		throw Error(path + ": cannot rename " + tmp + " to it: " + std::strerror(err));
	}
}

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
	if (a.prometheus && !a.output.empty())
		write_atomically(a.output, render_prometheus(groups));
	else if (a.prometheus)
		std::cout << render_prometheus(groups);
	else if (a.json)
		std::cout << dump_json(groups_json(groups, a.stats), a.pretty) << '\n';
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
	CLI::Option *json =
		cmd->add_flag("-j,--json", args->json, "JSON output (schema: docs/vipctl-json.md)");
	cmd->add_flag("-p,--pretty", args->pretty,
		      "With --json: indented, for people (compact by default, as ip -j)")
		->needs(json);
	cmd->add_flag("-s,--stats", args->stats, "Include counters for groups and devices");
	CLI::Option *prom = cmd->add_flag(
		"--prometheus", args->prometheus,
		"Prometheus text format: states and counters (docs/metrics.md)");
	cmd->add_option("-o,--output", args->output,
			"With --prometheus: write FILE atomically (for node_exporter's textfile "
			"collector) instead of standard output")
		->type_name("FILE")
		->needs(prom);
	prom->excludes("--json");
	cmd->callback([args] {
		with_context(args->name.empty() ? std::string("show") : "show " + args->name,
			     [&] { show(*args); });
	});
}

} // namespace vipctl
