// SPDX-License-Identifier: GPL-2.0
#include "batch.hpp"

#include <cerrno>
#include <cstring>

namespace vipctl::batch {

namespace {

bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

} // namespace

Words split(std::string_view line)
{
	Words out;
	std::string word;
	bool in_word = false; // also true for '' or "": an empty word
	size_t i = 0;

	const auto end_word = [&] {
		if (in_word)
			out.words.push_back(std::move(word));
		word.clear();
		in_word = false;
	};
	while (i < line.size()) {
		const char c = line[i++];
		if (blank(c)) {
			end_word();
		} else if (c == '#' && !in_word) {
			break;
		} else if (c == '\\') {
			if (i == line.size()) {
				out.continued = true;
				break;
			}
			in_word = true;
			word += line[i++];
		} else if (c == '\'') {
			in_word = true;
			const size_t close = line.find('\'', i);
			if (close == std::string_view::npos)
				throw SyntaxError("unterminated ' quote");
			word.append(line.substr(i, close - i));
			i = close + 1;
		} else if (c == '"') {
			in_word = true;
			for (;;) {
				if (i == line.size())
					throw SyntaxError("unterminated \" quote");
				const char d = line[i++];
				if (d == '"')
					break;
				if (d == '\\' && i < line.size() &&
				    std::strchr("\"\\$`", line[i]) != nullptr)
					word += line[i++];
				else
					word += d;
			}
		} else {
			in_word = true;
			word += c;
		}
	}
	end_word();
	return out;
}

std::optional<Command> Reader::next()
{
	std::string text;
	std::string line;
	first_ = read_ + 1;
	while (std::getline(in_, line)) {
		read_++;
		text += line;
		Words w = split(text);
		if (w.continued) {
			text.pop_back(); // the backslash: the newline is dropped with it
			continue;
		}
		if (!w.words.empty())
			return Command{first_, std::move(w.words)};
		text.clear();
		first_ = read_ + 1;
	}
	if (in_.bad())
		throw Error(std::string("cannot read: ") + std::strerror(errno));
	if (!text.empty()) {
		// The last line ended in a backslash: nothing follows to continue it.
		Words w = split(text);
		if (!w.words.empty())
			return Command{first_, std::move(w.words)};
	}
	return std::nullopt;
}

} // namespace vipctl::batch
