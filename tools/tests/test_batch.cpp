// SPDX-License-Identifier: GPL-2.0
// vipctl -b FILE: the words of a line as sh would split them, and the
// commands of a file with their line numbers.
#include <gtest/gtest.h>

#include <sstream>

#include "lib/batch.hpp"

using namespace vipctl;
using Strings = std::vector<std::string>;

namespace {

Strings words(std::string_view line)
{
	const batch::Words w = batch::split(line);
	EXPECT_FALSE(w.continued) << line;
	return w.words;
}

std::string syntax_error(std::string_view line)
{
	try {
		batch::split(line);
	} catch (const batch::SyntaxError &e) {
		return e.what();
	}
	return "(no error)";
}

// Every command of text as "LINE: word|word|...".
Strings commands(const std::string &text)
{
	std::istringstream in(text);
	batch::Reader r(in);
	Strings out;
	while (auto c = r.next()) {
		std::string s = std::to_string(c->line) + ":";
		for (const std::string &w : c->words)
			s += " " + w + "|";
		out.push_back(s);
	}
	return out;
}

} // namespace

TEST(BatchSplit, Blanks)
{
	EXPECT_EQ(words("vip add web 192.0.2.10"), (Strings{"vip", "add", "web", "192.0.2.10"}));
	EXPECT_EQ(words("  \tgroup\t del  web \r"), (Strings{"group", "del", "web"}));
	EXPECT_EQ(words(""), Strings{});
	EXPECT_EQ(words("   "), Strings{});
}

TEST(BatchSplit, Quotes)
{
	EXPECT_EQ(words("a 'b c' d"), (Strings{"a", "b c", "d"}));
	EXPECT_EQ(words("a \"b c\" d"), (Strings{"a", "b c", "d"}));
	// Quotes join with what touches them, and may make an empty word.
	EXPECT_EQ(words("x'y'\"z\"w"), (Strings{"xyzw"}));
	EXPECT_EQ(words("a '' \"\" b"), (Strings{"a", "", "", "b"}));
	// Single quotes take backslashes and double quotes literally.
	EXPECT_EQ(words(R"('a\b"c')"), (Strings{R"(a\b"c)"}));
	// In double quotes a backslash escapes only " \ $ `.
	EXPECT_EQ(words(R"("a\"b" "c\\d" "e\nf" "\$x")"), (Strings{"a\"b", "c\\d", "e\\nf", "$x"}));
	EXPECT_EQ(words(R"("it's")"), (Strings{"it's"}));
}

TEST(BatchSplit, Backslash)
{
	EXPECT_EQ(words(R"(a\ b c\'d \"e\\)"), (Strings{"a b", "c'd", "\"e\\"}));
	EXPECT_EQ(words(R"(\#no-comment)"), (Strings{"#no-comment"}));
}

TEST(BatchSplit, NoExpansion)
{
	EXPECT_EQ(words("show $HOME * ~ `id` $(id) a;b a|b"),
		  (Strings{"show", "$HOME", "*", "~", "`id`", "$(id)", "a;b", "a|b"}));
}

TEST(BatchSplit, Comments)
{
	EXPECT_EQ(words("# a comment"), Strings{});
	EXPECT_EQ(words("   # indented"), Strings{});
	EXPECT_EQ(words("vip add web 192.0.2.10 # the web VIP"), (Strings{"vip", "add", "web", "192.0.2.10"}));
	// As in sh: only a # that starts a word.
	EXPECT_EQ(words("group add a#b"), (Strings{"group", "add", "a#b"}));
	EXPECT_EQ(words("a '#b' \"#c\""), (Strings{"a", "#b", "#c"}));
	// A comment ending in a backslash continues nothing.
	EXPECT_FALSE(batch::split("# see \\").continued);
}

TEST(BatchSplit, Continued)
{
	const batch::Words w = batch::split("group add web \\");
	EXPECT_TRUE(w.continued);
	EXPECT_EQ(w.words, (Strings{"group", "add", "web"}));
	EXPECT_TRUE(batch::split("a\\").continued);
	EXPECT_FALSE(batch::split("a\\\\").continued);
	EXPECT_FALSE(batch::split("'a\\'").continued);
}

TEST(BatchSplit, Unterminated)
{
	EXPECT_EQ(syntax_error("vip add 'web"), "unterminated ' quote");
	EXPECT_EQ(syntax_error("vip add \"web"), "unterminated \" quote");
	EXPECT_EQ(syntax_error("\"a\\\""), "unterminated \" quote");
	EXPECT_EQ(syntax_error("'a' \"b\""), "(no error)");
}

TEST(BatchReader, LineNumbers)
{
	EXPECT_EQ(commands("group add web\n"
			   "\n"
			   "# comment\n"
			   "  \t\n"
			   "vip add web 192.0.2.10\n"
			   "show"), // no newline at the end
		  (Strings{"1: group| add| web|", "5: vip| add| web| 192.0.2.10|", "6: show|"}));
	EXPECT_EQ(commands(""), Strings{});
	EXPECT_EQ(commands("\n# only comments\n\n"), Strings{});
	// CRLF files: the \r is a blank.
	EXPECT_EQ(commands("show\r\nsave\r\n"), (Strings{"1: show|", "2: save|"}));
}

TEST(BatchReader, Continuation)
{
	// The command is numbered by its first line; the next one counts on.
	EXPECT_EQ(commands("group add web \\\n  --dev a1 \\\n  --vip 192.0.2.10\nshow\n"),
		  (Strings{"1: group| add| web| --dev| a1| --vip| 192.0.2.10|", "4: show|"}));
	// Without a blank the two halves are one word, as in sh.
	EXPECT_EQ(commands("vip add web 192.0.2.\\\n10\n"), (Strings{"1: vip| add| web| 192.0.2.10|"}));
	// A backslash on the last line: nothing to continue.
	EXPECT_EQ(commands("show \\"), (Strings{"1: show|"}));
}

TEST(BatchReader, SyntaxErrorAtItsLine)
{
	std::istringstream in("show\n\ngroup add 'web\nsave\n");
	batch::Reader r(in);
	ASSERT_TRUE(r.next());
	EXPECT_EQ(r.line(), 1u);
	EXPECT_THROW(r.next(), batch::SyntaxError);
	EXPECT_EQ(r.line(), 3u);
	// The bad line is consumed: reading goes on after it.
	const auto c = r.next();
	ASSERT_TRUE(c);
	EXPECT_EQ(c->line, 4u);
	EXPECT_EQ(c->words, Strings{"save"});
	EXPECT_FALSE(r.next());
}
