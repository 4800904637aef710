// SPDX-License-Identifier: GPL-2.0
// vipctl -b FILE without a kernel: which commands run, what is reported
// with which line, the exit status, and the usage errors of a line.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "commands/batch.hpp"
#include "lib/error.hpp"

using namespace vipctl;
using Strings = std::vector<std::string>;

namespace {

// run_batch with a fake command: "fail" fails, "usage" is a usage error;
// what ran and what was reported.
struct Outcome {
	int status = -1;
	Strings ran;
	std::string err;
};

Outcome run(const std::string &text, bool force)
{
	Outcome r;
	std::istringstream in(text);
	std::ostringstream err;
	r.status = run_batch(in, "cmds", force, [&](const Strings &w) {
		if (w[0] == "fail")
			throw Error("group add web: boom");
		if (w[0] == "usage")
			throw CLI::ExtrasError({"--bogus"});
		r.ran.push_back(w[0] + (w.size() > 1 ? " " + w[1] : ""));
	}, err);
	r.err = err.str();
	return r;
}

// What run_batch_line throws as a usage error, "(no usage error)" else.
std::string usage_error(const Strings &words)
{
	std::ostringstream out;
	std::streambuf *saved = std::cout.rdbuf(out.rdbuf()); // --help prints
	std::string what = "(no usage error)";
	try {
		run_batch_line(words);
	} catch (const CLI::ParseError &e) {
		what = e.what();
	} catch (const std::exception &e) {
		what = std::string("(failure) ") + e.what();
	}
	std::cout.rdbuf(saved);
	return what;
}

} // namespace

TEST(BatchRun, AllWork)
{
	const Outcome r = run("ok 1\n# comment\n\nok 2\n", false);
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.ran, (Strings{"ok 1", "ok 2"}));
	EXPECT_EQ(r.err, "");
	EXPECT_EQ(run("", false).status, 0);
}

TEST(BatchRun, StopsAtTheFirstFailure)
{
	const Outcome r = run("ok 1\n\nfail\nok 2\n", false);
	EXPECT_EQ(r.status, 1);
	EXPECT_EQ(r.ran, Strings{"ok 1"});
	EXPECT_EQ(r.err, "vipctl: cmds:3: group add web: boom\n");
}

TEST(BatchRun, UsageErrorStopsWithTwo)
{
	const Outcome r = run("ok 1\nusage\nok 2\n", false);
	EXPECT_EQ(r.status, 2);
	EXPECT_EQ(r.ran, Strings{"ok 1"});
	EXPECT_EQ(r.err, "vipctl: cmds:2: The following argument was not expected: --bogus\n");
}

TEST(BatchRun, SyntaxErrorIsAUsageError)
{
	const Outcome r = run("ok 1\nok 'two\nok 3\n", false);
	EXPECT_EQ(r.status, 2);
	EXPECT_EQ(r.ran, Strings{"ok 1"});
	EXPECT_EQ(r.err, "vipctl: cmds:2: unterminated ' quote\n");
}

TEST(BatchRun, ForceGoesOn)
{
	Outcome r = run("fail\nok 1\n\\\nfail\nok 2\n", true);
	EXPECT_EQ(r.status, 1);
	EXPECT_EQ(r.ran, (Strings{"ok 1", "ok 2"}));
	EXPECT_EQ(r.err, "vipctl: cmds:1: group add web: boom\nvipctl: cmds:3: group add web: boom\n");
	// The worst status wins: a usage error anywhere makes it 2.
	r = run("usage\nfail\nok 'x\nok 1", true);
	EXPECT_EQ(r.status, 2);
	EXPECT_EQ(r.ran, Strings{"ok 1"});
	EXPECT_EQ(r.err, "vipctl: cmds:1: The following argument was not expected: --bogus\n"
			 "vipctl: cmds:2: group add web: boom\n"
			 "vipctl: cmds:3: unterminated ' quote\n");
}

// The app of a line: every usage error is caught before anything runs
// (no kernel needed).
TEST(BatchLine, UsageErrors)
{
	EXPECT_EQ(usage_error({"-b", "more.cmds", "show"}), "-b,--batch: a batch line cannot run a batch");
	EXPECT_EQ(usage_error({"--batch=more.cmds"}), "-b,--batch: a batch line cannot run a batch");
	EXPECT_EQ(usage_error({"-n", "blue", "show"}),
		  "-n,--netns: a global option: give it before -b, for every line");
	EXPECT_EQ(usage_error({"--force", "show"}),
		  "--force: a global option: give it before -b, for every line");
	EXPECT_EQ(usage_error({"monitor"}), "monitor: never returns: not in a batch");
	EXPECT_EQ(usage_error({"monitor", "--json"}), "monitor: never returns: not in a batch");
	EXPECT_EQ(usage_error({"bogus"}), "The following argument was not expected: bogus");
	EXPECT_EQ(usage_error({"group"}), "A subcommand is required");
	EXPECT_EQ(usage_error({"vip", "add", "web", "192.0.2.1", "--bogus"}),
		  "The following argument was not expected: --bogus");
	EXPECT_EQ(usage_error({"vip", "add", "web"}), "ADDR is required");
	EXPECT_EQ(usage_error({"group", "set", "web"}),
		  "--garp-count, --garp-interval, --carrier-poll, --reply-rate or --up-delay is required");
}

TEST(BatchLine, HelpAndArgumentErrors)
{
	EXPECT_EQ(usage_error({"vip", "add", "--help"}), "(no usage error)");
	// Checked before a connection is made: a failure, not a usage error.
	EXPECT_EQ(usage_error({"vip", "add", "web", "300.1.2.3"}),
		  "(failure) vip add web: 300.1.2.3: invalid address");
	// Each line has an app of its own: nothing carries over.
	EXPECT_EQ(usage_error({"show", "-p"}), "--pretty requires --json");
	EXPECT_EQ(usage_error({"show", "-p"}), "--pretty requires --json");
}
