// SPDX-License-Identifier: GPL-2.0
#include "output.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>
#include <utility>

#include "printer.hpp"

namespace vipctl {

using proto::Device;
using proto::Group;
using proto::Stats;

namespace {

std::string plural(uint64_t n, const char *one, const char *many)
{
	return std::to_string(n) + " " + (n == 1 ? one : many);
}

Json optional_json(const std::optional<uint32_t> &v)
{
	return v ? Json(*v) : Json(nullptr);
}

// After "failovers N": the reasons, "(admin-down 1, carrier-loss 2)" in
// the text (those not 0), every one in JSON.
void print_failover_reasons(Printer &p, const Stats &s)
{
	p.open_object("failovers_by_reason");
	const char *sep = " (";
	for (size_t i = 0; i < proto::kFailoverReasons.size(); i++) {
		const uint64_t v = s.failovers_by_reason[i];
		const std::string name = proto::reason_name(proto::kFailoverReasons[i].reason);
		p.member(name.c_str(), v);
		if (v) {
			p.text(sep + name + " " + std::to_string(v));
			sep = ", ";
		}
	}
	if (*sep == ',')
		p.text(")");
	p.close();
}

// The counters, on a text line of their own; null in JSON when the
// kernel sent none.
void print_stats(Printer &p, const std::optional<Stats> &s, const char *indent)
{
	if (!s) {
		p.member("stats", nullptr);
		return;
	}
	p.open_object("stats");
	p.text(indent);
	const char *sep = "";
	for (const proto::Counter &c : proto::kCounters) {
		const uint64_t v = (*s).*(c.field);
		p.any(c.name, v, sep + std::string(c.name) + " " + std::to_string(v));
		if (c.attr == VIPFO_STATS_A_FAILOVERS)
			print_failover_reasons(p, *s);
		sep = " ";
	}
	p.text("\n");
	p.close();
}

// What the text says of a device beyond "eth1 (ifindex 3)" (the JSON
// has every field the kernel sent).
enum DevText : unsigned {
	kRef = 0,
	kMac = 1 << 0,	     // " 52:54:00:12:34:01"
	kState = 1 << 1,     // " no-carrier"
	kHeldLeft = 1 << 2,  // " (800 ms left)"
	kHeldDown = 1 << 3,  // " held down for 800 ms"
};

// Opens the device's object (the caller closes it): ifindex always, the
// other fields when known; "eth1 (ifindex 3)", or "ifindex 3" when the
// name is unknown, then what @text asks for.
void open_device(Printer &p, const char *key, const Device &d, unsigned text)
{
	p.open_object(key);
	if (d.ifname)
		p.any("ifname", *d.ifname, *d.ifname + " (");
	p.any("ifindex", d.ifindex, "ifindex " + std::to_string(d.ifindex) + (d.ifname ? ")" : ""));
	if (d.mac) {
		const std::string mac = format_mac(*d.mac);
		p.any("mac", mac, text & kMac ? " " + mac : "");
	}
	if (d.state) {
		const std::string state = proto::dev_state_name(*d.state);
		p.any("state", state, text & kState ? " " + state : "");
	}
	if (text & kHeldDown)
		p.text(" held down");
	if (d.held_ms) {
		const std::string ms = std::to_string(*d.held_ms);
		p.any("held_ms", *d.held_ms,
		      text & kHeldLeft ? " (" + ms + " ms left)" : text & kHeldDown ? " for " + ms + " ms" : "");
	}
}

// "eth1 (ifindex 3), eth2 (ifindex 4)"; a JSON array of the devices.
void print_devices(Printer &p, const char *key, const std::vector<Device> &devs)
{
	p.open_array(key);
	for (size_t i = 0; i < devs.size(); i++) {
		if (i)
			p.text(", ");
		open_device(p, nullptr, devs[i], kRef);
		p.close();
	}
	p.close();
}

void print_detector(Printer &p, const std::optional<uint8_t> &detector, const char *prefix)
{
	if (detector) {
		const std::string name = proto::detector_name(*detector);
		p.any("detected_by", name, std::string(" (") + prefix + "detected by " + name + ")");
	}
}

// "failover web: ...", {"event":"failover","group":"web",...}
void print_event_head(Printer &p, const char *event, const std::string &group, const char *sep)
{
	p.any("event", event, std::string(event) + " ");
	p.any("group", group, group + sep);
}

// Everything about a group but its VIP list, inside its open object.
void print_group_head(Printer &p, const Group &g, bool stats)
{
	const uint64_t vips = g.vip_count ? *g.vip_count : g.vips.size();

	p.any("name", g.name, "group " + g.name + ": ");
	p.text(plural(g.devices.size(), "device", "devices") + ", " + plural(vips, "vip", "vips"));
	p.member("garp_count", optional_json(g.garp_count));
	p.member("garp_interval_ms", optional_json(g.garp_interval));
	if (g.garp_count && g.garp_interval)
		p.text(", garp " + std::to_string(*g.garp_count) + " x " +
		       std::to_string(*g.garp_interval) + " ms");
	if (g.carrier_poll)
		p.any("carrier_poll_ms", *g.carrier_poll,
		      *g.carrier_poll ? ", carrier poll " + std::to_string(*g.carrier_poll) + " ms"
				      : ", carrier poll off");
	if (g.reply_rate)
		p.any("reply_rate", *g.reply_rate,
		      *g.reply_rate ? ", reply rate " + std::to_string(*g.reply_rate) + "/s"
				    : ", reply rate unlimited");
	if (g.up_delay)
		p.any("up_delay_ms", *g.up_delay, ", up delay " + std::to_string(*g.up_delay) + " ms");
	p.member("vip_count", vips);
	p.text("\n");
	if (stats)
		print_stats(p, g.stats, "  ");
	p.open_array("devices");
	for (const Device &d : g.devices) {
		p.text("  dev ");
		open_device(p, nullptr, d, kMac | kState | kHeldLeft);
		p.text("\n");
		if (stats)
			print_stats(p, d.stats, "    ");
		p.close();
	}
	p.close();
}

std::string vip_line(const IpAddr &v)
{
	return "  vip " + v.str() + "\n";
}

void print_group(Printer &p, const Group &g, bool stats)
{
	p.open_object();
	print_group_head(p, g, stats);
	p.open_array("vips");
	for (const IpAddr &v : g.vips)
		p.any(nullptr, v.str(), vip_line(v));
	p.close();
	p.close();
}

struct EventPrinter {
	Printer &p;

	void operator()(const proto::ChangeEvent &e) const
	{
		const bool devs = !e.devices.empty(), vips = e.vips && !e.vips->empty();
		const std::string change = proto::change_name(e.change);

		print_event_head(p, "change", e.group, " ");
		p.any("change", change, change + (devs || e.vip_count || vips ? ":" : ""));
		if (devs)
			p.text(" devices ");
		print_devices(p, "devices", e.devices);
		if (e.reason) {
			const std::string reason = proto::reason_name(*e.reason);
			p.any("reason", reason, devs ? " (" + reason + ")" : "");
		}
		if (devs && (e.vip_count || vips))
			p.text(";");
		if (e.vip_count)
			p.any("vip_count", *e.vip_count, " " + plural(*e.vip_count, "vip", "vips"));
		if (e.vips) {
			if (vips)
				p.text(":");
			p.open_array("vips");
			for (const IpAddr &v : *e.vips)
				p.any(nullptr, v.str(), " " + v.str());
			p.close();
		}
	}
	void operator()(const proto::FailoverEvent &e) const
	{
		const bool survivors = !e.survivors.empty();

		print_event_head(p, "failover", e.group, ": ");
		open_device(p, "failed", e.failed, kMac);
		p.close();
		if (e.reason) {
			const std::string reason = proto::reason_name(*e.reason);
			p.any("reason", reason, " " + reason);
		}
		print_detector(p, e.detected_by, "");
		p.text(survivors ? "; survivors " : "; no survivors");
		print_devices(p, "survivors", e.survivors);
		// With nobody left to announce, the text says nothing of it.
		if (survivors && (e.vip_count || e.garp_count))
			p.text(" announce");
		if (e.vip_count)
			p.any("vip_count", *e.vip_count,
			      survivors ? " " + plural(*e.vip_count, "vip", "vips") : "");
		if (e.garp_count)
			p.any("garp_count", *e.garp_count,
			      survivors ? " x " + plural(*e.garp_count, "round", "rounds") : "");
	}
	void operator()(const proto::RecoverEvent &e) const
	{
		print_event_head(p, "recover", e.group, ": ");
		open_device(p, "device", e.device, kMac | kState);
		p.close();
		print_detector(p, e.detected_by, "");
	}
	void operator()(const proto::HoldEvent &e) const
	{
		print_event_head(p, "hold", e.group, ": ");
		open_device(p, "device", e.device, kMac | kHeldDown);
		p.close();
		print_detector(p, e.detected_by, "back, ");
	}
	void operator()(const proto::ConflictEvent &e) const
	{
		print_event_head(p, "conflict", e.group, ": ");
		p.any("vip", e.vip.str(), e.vip.str() + " claimed by ");
		if (e.peer_mac) {
			const std::string mac = format_mac(*e.peer_mac);
			p.any("peer_mac", mac, mac);
		} else {
			p.text("another host");
		}
		p.text(", seen on ");
		open_device(p, "device", e.device, kRef);
		p.close();
	}
	void operator()(const proto::UnknownEvent &e) const
	{
		p.any("event", "unknown", "unknown event ");
		p.any("cmd", e.cmd, std::to_string(e.cmd));
		p.any("group", e.group, e.group.empty() ? "" : " " + e.group);
	}
};

void print_groups(Printer &p, std::span<const Group> groups, bool stats)
{
	p.open_object();
	p.open_array("groups");
	for (const Group &g : groups)
		print_group(p, g, stats);
	p.close();
	p.close();
}

void print_event(Printer &p, const proto::Event &ev)
{
	p.open_object();
	std::visit(EventPrinter{p}, ev);
	p.close();
}

} // namespace

std::string format_mac(const std::array<uint8_t, 6> &mac)
{
	char buf[18];
	std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		      mac[4], mac[5]);
	return buf;
}

std::string render_groups_text(std::span<const Group> groups, bool stats)
{
	Printer p(false);
	print_groups(p, groups, stats);
	return p.take_text();
}

Json groups_json(std::span<const Group> groups, bool stats)
{
	Printer p(true);
	print_groups(p, groups, stats);
	return p.take_json();
}

GroupStream::GroupStream(Sink sink, bool json, bool pretty, bool stats)
	: sink_(std::move(sink)), json_(json), pretty_(pretty), stats_(stats)
{
}

void GroupStream::part(const Group &g)
{
	std::string out;
	if (!open_ || group_ != g.name) {
		end_group(out);
		out += head(g);
		open_ = true;
		group_ = g.name;
		groups_++;
		vips_ = 0;
	}
	for (const IpAddr &v : g.vips) {
		if (!json_)
			out += vip_line(v);
		else
			out += (vips_ ? "," : "") + std::string(pretty_ ? "\n        " : "") +
			       dump_json(v.str());
		vips_++;
	}
	sink_(out);
}

void GroupStream::finish()
{
	std::string out;
	end_group(out);
	if (json_) {
		if (!groups_)
			out += begin();
		out += groups_ && pretty_ ? "\n  ]\n}\n" : pretty_ ? "]\n}\n" : "]}\n";
	}
	sink_(out);
}

std::string GroupStream::begin() const
{
	return pretty_ ? "{\n  \"groups\": [" : "{\"groups\":[";
}

// A group's JSON as nlohmann writes it inside the document, cut where its
// (last, empty) VIP list would open: "...,"vips":" then "[".
std::string GroupStream::head(const Group &g) const
{
	Printer p(json_);
	p.open_object();
	print_group_head(p, g, stats_);
	p.open_array("vips");
	p.close();
	p.close();
	if (!json_)
		return p.take_text();

	std::string s = dump_json(p.take_json(), pretty_), tail = "[]}";
	if (pretty_) {
		// Two levels down: the document's object, then its "groups" array.
		std::string in = "    ";
		for (size_t i = 0; (i = s.find('\n', i)) != std::string::npos; i += 5)
			s.insert(i + 1, in);
		s = "\n" + in + s;
		tail = "[]\n" + in + "}";
	}
	if (!s.ends_with(tail))
		throw std::logic_error("group JSON does not end with its VIP list: " + s);
	s.resize(s.size() - tail.size());
	return (groups_ ? std::string(",") : begin()) + s + "[";
}

void GroupStream::end_group(std::string &out)
{
	if (!open_ || !json_) {
		open_ = false;
		return;
	}
	if (pretty_)
		out += vips_ ? "\n      ]\n    }" : "]\n    }";
	else
		out += "]}";
	open_ = false;
}

HeldOutput::HeldOutput(std::ostream &out, size_t hold) : out_(out), hold_(hold)
{
}

void HeldOutput::write(std::string_view s)
{
	if (released_) {
		out_ << s;
		return;
	}
	held_ += s;
	if (held_.size() >= hold_) {
		out_ << held_;
		held_ = std::string();
		released_ = true;
	}
}

bool HeldOutput::restart()
{
	if (released_)
		return false;
	held_.clear();
	return true;
}

void HeldOutput::flush()
{
	out_ << held_;
	held_.clear();
	out_.flush();
}

std::string render_event_text(const proto::Event &ev)
{
	Printer p(false);
	print_event(p, ev);
	return p.take_text();
}

Json event_json(const proto::Event &ev)
{
	Printer p(true);
	print_event(p, ev);
	return p.take_json();
}

std::string dump_json(const Json &j, bool pretty)
{
	return j.dump(pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace vipctl
