// SPDX-License-Identifier: GPL-2.0
#include "config_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <toml++/toml.h>

#include "error.hpp"

namespace vipctl::config {

namespace {

namespace fs = std::filesystem;

Where where_of(const toml::source_region &r, const std::string &file)
{
	return {file, r.begin.line, r.begin.column};
}

[[noreturn]] void fail(const Where &w, const std::string &what)
{
	throw Error(w.str() + ": " + what);
}

// A device name the kernel could have: 1-15 bytes, no '/', ':' or white
// space (dev_valid_name()).
bool valid_ifname(std::string_view n)
{
	return !n.empty() && n.size() < 16 && n != "." && n != ".." &&
	       std::none_of(n.begin(), n.end(), [](unsigned char c) {
		       return c == '/' || c == ':' || std::isspace(c);
	       });
}

// A keepalived vrrp_instance name as its notifications carry it: a word
// (keepalived quotes it in the FIFO's lines).
bool valid_instance(std::string_view n)
{
	return !n.empty() && n.size() < 128 &&
	       std::none_of(n.begin(), n.end(), [](unsigned char c) {
		       return c == '"' || c == '\\' || std::isspace(c) || std::iscntrl(c);
	       });
}

const toml::array &array_of_strings(const toml::node &node, const std::string &what,
				    const std::string &file)
{
	const toml::array *a = node.as_array();
	if (!a)
		fail(where_of(node.source(), file), what + ": not a list of strings");
	for (const toml::node &e : *a)
		if (!e.is_string())
			fail(where_of(e.source(), file), what + ": not a string");
	return *a;
}

void parse_group(GroupSpec &g, const toml::table &t, const std::string &file)
{
	const std::string ctx = "group " + g.name;
	for (auto &&[key, node] : t) {
		const std::string k(key.str());
		const Where w = where_of(key.source(), file);
		if (k == "devices") {
			for (const toml::node &e : array_of_strings(node, ctx + ": devices", file)) {
				const std::string n = *e.value<std::string>();
				const Where ew = where_of(e.source(), file);
				if (!valid_ifname(n))
					fail(ew, ctx + ": '" + n + "': not a device name");
				for (const auto &d : g.devices)
					if (d.value == n)
						fail(ew, ctx + ": device " + n + " given twice");
				g.devices.push_back({n, ew});
			}
			if (g.devices.size() > VIPFO_MAX_MEMBERS)
				fail(w, ctx + ": more than " + std::to_string(VIPFO_MAX_MEMBERS) +
						" devices");
		} else if (k == "vips") {
			const toml::array &a = array_of_strings(node, ctx + ": vips", file);
			g.vips.reserve(a.size());
			for (const toml::node &e : a) {
				const Where ew = where_of(e.source(), file);
				try {
					g.vips.push_back({parse_addr(*e.value<std::string>()), ew});
				} catch (const Error &err) {
					fail(ew, ctx + ": " + err.what());
				}
			}
		} else if (k == "vrrp-instance") {
			const std::optional<std::string> s = node.value_exact<std::string>();
			if (!s || !valid_instance(*s))
				fail(where_of(node.source(), file),
				     ctx + ": vrrp-instance: not the name of a VRRP instance "
					   "(1-127 characters, no white space or quotes)");
			g.vrrp_instance = Located<std::string>{*s, w};
		} else if (k == "local") {
			const std::optional<bool> b = node.value_exact<bool>();
			if (!b)
				fail(w, ctx + ": local: not true or false");
			g.local = *b;
		} else {
			const auto *o = std::find_if(std::begin(kOptions), std::end(kOptions),
						     [&](const OptionKey &x) { return k == x.key; });
			if (o == std::end(kOptions))
				fail(w, ctx + ": unknown key '" + k + "'");
			const std::optional<int64_t> v = node.value_exact<int64_t>();
			if (!v || *v < o->min || *v > o->max)
				fail(where_of(node.source(), file),
				     ctx + ": " + k + ": not a whole number in " +
					     std::to_string(o->min) + "-" + std::to_string(o->max));
			g.options.*(o->field) = static_cast<uint32_t>(*v);
		}
	}
}

// The VIPs of every group, sorted, with where each was given: duplicates
// are neighbours.
void check_unique_vips(const Config &c)
{
	std::vector<std::pair<const Located<IpAddr> *, const GroupSpec *>> all;
	for (const GroupSpec &g : c.groups)
		for (const auto &v : g.vips)
			all.emplace_back(&v, &g);
	std::sort(all.begin(), all.end(),
		  [](const auto &a, const auto &b) { return a.first->value < b.first->value; });
	for (size_t i = 1; i < all.size(); i++)
		if (all[i].first->value == all[i - 1].first->value) {
			auto [first, second] = std::minmax(all[i - 1], all[i], [](auto &a, auto &b) {
				return std::tie(a.first->where.file, a.first->where.line,
						a.first->where.column) <
				       std::tie(b.first->where.file, b.first->where.line,
						b.first->where.column);
			});
			fail(second.first->where,
			     "group " + second.second->name + ": vip " + second.first->value.str() +
				     " given before, in group " + first.second->name + " at " +
				     first.first->where.str());
		}
}

void check_unique_devices(const Config &c)
{
	std::map<std::string, std::pair<const Located<std::string> *, const GroupSpec *>> seen;
	for (const GroupSpec &g : c.groups)
		for (const auto &d : g.devices) {
			auto [it, fresh] = seen.try_emplace(d.value, &d, &g);
			if (!fresh)
				fail(d.where, "group " + g.name + ": device " + d.value +
						      " given before, in group " + it->second.second->name +
						      " at " + it->second.first->where.str());
		}
}

// A string as a TOML basic string.
std::string quoted(std::string_view s)
{
	std::string out = "\"";
	for (unsigned char c : s) {
		if (c == '"' || c == '\\') {
			out += '\\';
			out += static_cast<char>(c);
		} else if (c < 0x20 || c == 0x7f) {
			char buf[8];
			std::snprintf(buf, sizeof(buf), "\\u%04x", c);
			out += buf;
		} else {
			out += static_cast<char>(c);
		}
	}
	return out + "\"";
}

// A group name as a key: bare when it can be (no '.', which would nest).
std::string key(std::string_view name)
{
	return name.find('.') == std::string_view::npos ? std::string(name) : quoted(name);
}

} // namespace

std::string Where::str() const
{
	return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Config parse(std::string_view text, const std::string &file)
{
	toml::table doc;
	try {
		doc = toml::parse(text, file);
	} catch (const toml::parse_error &e) {
		fail(where_of(e.source(), file), std::string(e.description()));
	}
	Config c;
	for (auto &&[top, node] : doc) {
		const Where w = where_of(top.source(), file);
		if (top.str() != "group")
			fail(w, "unknown table '" + std::string(top.str()) + "' (groups are [group.NAME])");
		const toml::table *groups = node.as_table();
		if (!groups)
			fail(w, "group: not a table of groups ([group.NAME])");
		for (auto &&[name, gnode] : *groups) {
			GroupSpec g;
			g.name = std::string(name.str());
			g.where = where_of(name.source(), file);
			try {
				check_group_name(g.name);
			} catch (const Error &e) {
				fail(g.where, e.what());
			}
			const toml::table *t = gnode.as_table();
			if (!t)
				fail(g.where, "group " + g.name + ": not a table");
			parse_group(g, *t, file);
			c.groups.push_back(std::move(g));
		}
	}
	// toml++ keeps a table's keys sorted: the groups in the file's order.
	std::stable_sort(c.groups.begin(), c.groups.end(), [](const auto &a, const auto &b) {
		return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
	});
	check_unique_vips(c);
	check_unique_devices(c);
	return c;
}

Config merge(std::span<const Config> parts)
{
	Config all;
	std::map<std::string, Where> seen;
	for (const Config &c : parts)
		for (const GroupSpec &g : c.groups) {
			auto [it, fresh] = seen.try_emplace(g.name, g.where);
			if (!fresh)
				fail(g.where, "group " + g.name + " defined before, at " + it->second.str());
			all.groups.push_back(g);
		}
	check_unique_vips(all);
	check_unique_devices(all);
	return all;
}

std::vector<std::string> expand(const std::string &path)
{
	if (path == "-" || !fs::is_directory(path))
		return {path};
	std::vector<std::string> files;
	for (const fs::directory_entry &e : fs::directory_iterator(path))
		if (e.path().extension() == ".conf" && !e.is_directory())
			files.push_back(e.path().string());
	std::sort(files.begin(), files.end());
	return files;
}

Config load(std::span<const std::string> files)
{
	std::vector<Config> parts;
	for (const std::string &f : files) {
		std::ostringstream text;
		if (f == "-") {
			text << std::cin.rdbuf();
			parts.push_back(parse(text.str(), "<stdin>"));
			continue;
		}
		std::ifstream in(f);
		if (!in)
			throw Error(f + ": cannot read: " + std::strerror(errno));
		text << in.rdbuf();
		parts.push_back(parse(text.str(), f));
	}
	return merge(parts);
}

std::vector<std::string> default_files(const std::string &dir)
{
	std::vector<std::string> files;
	if (fs::exists(dir + "/vipfo.conf"))
		files.push_back(dir + "/vipfo.conf");
	if (fs::is_directory(dir + "/conf.d"))
		for (std::string &f : expand(dir + "/conf.d"))
			files.push_back(std::move(f));
	return files;
}

std::string render(std::span<const proto::Group> groups, const std::vector<bool> &local)
{
	std::ostringstream out;
	out << "# vipfo configuration, written by vipctl save (vipctl " VIPCTL_VERSION ")\n";
	for (size_t i = 0; i < groups.size(); i++) {
		const proto::Group &g = groups[i];
		out << "\n[group." << key(g.name) << "]\n";
		out << "devices = [";
		for (size_t d = 0; d < g.devices.size(); d++)
			out << (d ? ", " : "")
			    << quoted(g.devices[d].ifname.value_or(
				       "ifindex-" + std::to_string(g.devices[d].ifindex)));
		out << "]\n";
		out << "vips = [";
		for (size_t v = 0; v < g.vips.size(); v++)
			out << (v ? ",\n\t" : "\n\t") << quoted(g.vips[v].str());
		out << (g.vips.empty() ? "]\n" : ",\n]\n");
		const proto::GroupOptions have{.garp_count = g.garp_count,
					       .garp_interval = g.garp_interval,
					       .carrier_poll = g.carrier_poll,
					       .reply_rate = g.reply_rate,
					       .up_delay = g.up_delay};
		for (const OptionKey &o : kOptions)
			if (const auto &v = have.*(o.field))
				out << o.key << " = " << *v << "\n";
		out << "local = " << (i < local.size() && local[i] ? "true" : "false") << "\n";
	}
	return out.str();
}

} // namespace vipctl::config
