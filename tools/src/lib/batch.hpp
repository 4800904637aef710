// SPDX-License-Identifier: GPL-2.0
// The file of `vipctl -b FILE`: one command a line, without "vipctl",
// its words split as sh splits them with quotes but nothing expanded, as
// `ip -batch` reads its file.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace vipctl::batch {

// A line that cannot be split (an open quote): a usage error.
class SyntaxError : public Error {
public:
	using Error::Error;
};

struct Words {
	std::vector<std::string> words;
	// The line ended in an unquoted backslash: the next line continues it.
	bool continued = false;
};

// Splits one line: blanks separate words; '...' takes everything
// literally; "..." too, but for \" \\ \$ and \` (a backslash before
// anything else stays); an unquoted backslash takes the next character
// literally; an unquoted # that starts a word starts a comment. No
// variables, globs or substitutions. Throws SyntaxError.
Words split(std::string_view line);

// One command of the file: the number of its (first) line and its words.
struct Command {
	size_t line = 0;
	std::vector<std::string> words;
};

// Reads commands, skipping blank and comment lines and joining lines that
// end in a backslash with the next.
class Reader {
public:
	explicit Reader(std::istream &in) : in_(in) {}

	// The next command, nullopt at the end. Throws SyntaxError (line()
	// says where) or Error when the file cannot be read.
	std::optional<Command> next();
	// The first line of the command next() returned or failed on.
	size_t line() const { return first_; }

private:
	std::istream &in_;
	size_t read_ = 0;  // lines read so far
	size_t first_ = 0; // first line of the current command
};

} // namespace vipctl::batch
