// SPDX-License-Identifier: GPL-2.0
// vipctl -b FILE [--force]: the commands of FILE, one a line, as with
// `ip -batch`. The global options given before -b apply to every line.
#pragma once

#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace vipctl {

// Runs the words of one command: throws CLI::ParseError for a usage
// error, any other exception for a failure.
using BatchLineFn = std::function<void(const std::vector<std::string> &words)>;

// Runs the commands of in, in order, with run_line. A command that fails
// is reported on err as "vipctl: NAME:LINE: <why>", and the batch stops
// there unless force. Returns the exit status: 0 when every command
// worked; else 2 when one was a usage error (or its line could not be
// split), 1 otherwise.
int run_batch(std::istream &in, const std::string &name, bool force, const BatchLineFn &run_line,
	      std::ostream &err);

// One command of a batch: parsed by an app of its own with every command
// but monitor (it never returns) and none of the global options.
void run_batch_line(const std::vector<std::string> &words);

// The commands of file ("-": standard input) with run_batch_line, all
// over one vipfo connection.
int run_batch_file(const std::string &file, bool force);

} // namespace vipctl
