// SPDX-License-Identifier: GPL-2.0
// vipctl show [NAME] [-j|--json [-p]] [-s|--stats] [--prometheus [-o FILE]]
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

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

// A listing shorter than this is printed once the dump is complete, so a
// dump interrupted by a change starts again unseen; a longer one goes out
// as it arrives (a million VIPs are not held in memory), and a change
// during it then ends show with an error rather than a listing that
// mixes two states.
constexpr size_t kHeldOutput = 256 * 1024;

void list(Client &client, std::optional<std::string_view> filter, const ShowArgs &a)
{
	HeldOutput out(std::cout, kHeldOutput);
	std::optional<GroupStream> stream;
	const auto start = [&] {
		stream.emplace([&](std::string_view s) { out.write(s); }, a.json, a.pretty, a.stats);
	};
	start();
	const bool found = client.dump_groups(
		filter,
		[&] {
			if (!out.restart()) {
				std::cout.flush(); // what went out, before the error
				throw Error("the groups changed while they were being listed: the "
					    "listing above is incomplete; run show again");
			}
			start();
		},
		[&](proto::Group &&g) { stream->part(g); });
	if (!found || (filter && !stream->groups()))
		throw Error("no such group");
	stream->finish();
	out.flush();
}

// The metrics: every group without its VIPs, which are only counted.
std::vector<proto::Group> groups_without_vips(Client &client, std::optional<std::string_view> filter)
{
	std::vector<proto::Group> groups;
	client.dump_groups(
		filter, [&] { groups.clear(); },
		[&](proto::Group &&g) {
			g.vips.clear();
			proto::merge_group(groups, std::move(g));
		});
	if (filter && groups.empty())
		throw Error("no such group");
	return groups;
}

void show(const ShowArgs &a)
{
	std::optional<std::string_view> filter;
	if (!a.name.empty()) {
		check_group_name(a.name);
		filter = a.name;
	}
	Client client;
	if (!a.prometheus)
		return list(client, filter, a);
	const std::string text = render_prometheus(groups_without_vips(client, filter));
	if (!a.output.empty())
		write_atomically(a.output, text);
	else
		std::cout << text << std::flush;
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
