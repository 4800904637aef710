// SPDX-License-Identifier: GPL-2.0
// One walk over an object prints it as text or as JSON, after iproute2's
// print_*() helpers: each field is written once, with its JSON key and its
// text, and the printer keeps what its mode wants. Text-only and JSON-only
// parts (iproute2's PRINT_FP and PRINT_JSON) are where the two forms
// differ.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vipctl {

// nlohmann's ordered_json keeps keys in the order we write them.
using Json = nlohmann::ordered_json;

class Printer {
public:
	explicit Printer(bool json) : json_(json) {}

	bool json() const { return json_; }

	// Text only.
	void text(std::string_view s)
	{
		if (!json_)
			text_ += s;
	}
	// JSON only: a member of the open object (key), or an element of
	// the open array (key nullptr).
	void member(const char *key, Json v)
	{
		if (json_)
			put(key, std::move(v));
	}
	// Both: a JSON member and the text that says the same.
	void any(const char *key, Json v, std::string_view s)
	{
		member(key, std::move(v));
		text(s);
	}

	// Nesting, for JSON: the first one opened is the document.
	void open_object(const char *key = nullptr) { open(key, Json::object()); }
	void open_array(const char *key = nullptr) { open(key, Json::array()); }
	void close()
	{
		if (json_)
			open_.pop_back();
	}

	std::string take_text() { return std::move(text_); }
	Json take_json() { return std::move(doc_); }

private:
	Json &put(const char *key, Json v)
	{
		if (open_.empty())
			return doc_ = std::move(v);
		Json &top = *open_.back();
		if (!key) {
			top.push_back(std::move(v));
			return top.back();
		}
		return top[key] = std::move(v);
	}
	void open(const char *key, Json v)
	{
		if (json_)
			open_.push_back(&put(key, std::move(v)));
	}

	bool json_;
	std::string text_;
	Json doc_;
	// The containers open, innermost last: they point into doc_, and
	// nothing is added to one while a child of it is open.
	std::vector<Json *> open_;
};

} // namespace vipctl
