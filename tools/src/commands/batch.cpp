// SPDX-License-Identifier: GPL-2.0
#include "batch.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <utility>

#include "commands.hpp"
#include "lib/batch.hpp"
#include "lib/client.hpp"

namespace vipctl {

int run_batch(std::istream &in, const std::string &name, bool force, const BatchLineFn &run_line,
	      std::ostream &err)
{
	batch::Reader reader(in);
	int status = 0;
	for (;;) {
		int failed = 1;
		std::string why;
		try {
			const std::optional<batch::Command> c = reader.next();
			if (!c)
				return status;
			const WarningPlace place(name + ":" + std::to_string(c->line));
			run_line(c->words);
			continue;
		} catch (const batch::SyntaxError &e) {
			failed = 2;
			why = e.what();
		} catch (const CLI::ParseError &e) {
			failed = 2;
			why = e.what();
		} catch (const std::exception &e) {
			why = e.what();
		}
		// The command's output first, then what went wrong with it.
		std::cout.flush();
		err << "vipctl: " << name << ":" << reader.line() << ": " << why << std::endl;
		status = std::max(status, failed);
		// After a read error (!in) there is nothing left to go on with.
		if (!force || !in)
			return status;
	}
}

void run_batch_line(const std::vector<std::string> &words)
{
	CLI::App app{"", "vipctl"};
	// Checked below, as main() does: "bogus" is then an unexpected
	// argument rather than a missing command.
	app.require_subcommand(0, 1);
	// The global options apply to the whole batch. Known here so that a
	// line that uses them is told why it may not, before anything else;
	// hidden from a line's --help.
	const auto refuse = [&](const char *names, const char *what) {
		app.add_flag_function(names, [names, what](int64_t) {
			   throw CLI::ValidationError(names, what);
		   })->group("");
	};
	const char *global = "a global option: give it before -b, for every line";
	app.add_option_function<std::string>("-b,--batch", [](const std::string &) {
		   throw CLI::ValidationError("-b,--batch", "a batch line cannot run a batch");
	   })->group("");
	app.add_option_function<std::string>("-n,--netns", [global](const std::string &) {
		   throw CLI::ValidationError("-n,--netns", global);
	   })->group("");
	refuse("--force", global);
	refuse("--version", global);
	app.parse_complete_callback([&] {
		if (app.got_subcommand("monitor"))
			throw CLI::ValidationError("monitor", "never returns: not in a batch");
		if (app.get_subcommands().empty())
			throw CLI::RequiredError("A subcommand");
	});
	setup_commands(app);

	std::vector<std::string> args(words.rbegin(), words.rend()); // CLI11 takes them reversed
	try {
		app.parse(args);
	} catch (const CLI::Success &e) {
		app.exit(e); // --help: prints it
	}
}

int run_batch_file(const std::string &file, bool force)
{
	std::ifstream f;
	if (file != "-") {
		f.open(file);
		if (!f) {
			std::cerr << "vipctl: " << file << ": cannot read: " << std::strerror(errno)
				  << std::endl;
			return 1;
		}
	}
	Client::Shared connection;
	return run_batch(file == "-" ? std::cin : f, file == "-" ? "<stdin>" : file, force,
			 run_batch_line, std::cerr);
}

} // namespace vipctl
