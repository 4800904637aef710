// SPDX-License-Identifier: GPL-2.0
#include "output.hpp"

#include <cstdio>

namespace vipctl {

using proto::Device;
using proto::Group;
using proto::Stats;

namespace {

std::string plural(uint64_t n, const char *one, const char *many)
{
	return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string stats_text(const Stats &s)
{
	std::string out;
	for (const proto::Counter &c : proto::kCounters)
		out += (out.empty() ? "" : " ") + std::string(c.name) + " " + std::to_string(s.*(c.field));
	return out;
}

Json stats_json(const Stats &s)
{
	Json j = Json::object();
	for (const proto::Counter &c : proto::kCounters)
		j[c.name] = s.*(c.field);
	return j;
}

// "eth1 (ifindex 3)"; "ifindex 3" when the name is unknown.
std::string dev_ref_text(const Device &d)
{
	if (d.ifname)
		return *d.ifname + " (ifindex " + std::to_string(d.ifindex) + ")";
	return "ifindex " + std::to_string(d.ifindex);
}

std::string devs_text(const std::vector<Device> &devs)
{
	std::string s;
	for (const Device &d : devs) {
		if (!s.empty())
			s += ", ";
		s += dev_ref_text(d);
	}
	return s.empty() ? "none" : s;
}

// Keys in a fixed order; ifindex always, the others when known.
Json device_json(const Device &d, bool stats)
{
	Json j = Json::object();
	if (d.ifname)
		j["ifname"] = *d.ifname;
	j["ifindex"] = d.ifindex;
	if (d.mac)
		j["mac"] = format_mac(*d.mac);
	if (d.state)
		j["state"] = proto::dev_state_name(*d.state);
	if (d.held_ms)
		j["held_ms"] = *d.held_ms;
	if (stats && d.stats)
		j["stats"] = stats_json(*d.stats);
	return j;
}

Json devices_json(const std::vector<Device> &devs)
{
	Json a = Json::array();
	for (const Device &d : devs)
		a.push_back(device_json(d, false));
	return a;
}

Json vips_json(const std::vector<IpAddr> &vips)
{
	Json a = Json::array();
	for (const IpAddr &v : vips)
		a.push_back(v.str());
	return a;
}

uint64_t vip_count(const Group &g)
{
	return g.vip_count ? *g.vip_count : g.vips.size();
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
	std::string out;
	for (const Group &g : groups) {
		out += "group " + g.name + ": " + plural(g.devices.size(), "device", "devices") + ", " +
		       plural(vip_count(g), "vip", "vips");
		if (g.garp_count && g.garp_interval)
			out += ", garp " + std::to_string(*g.garp_count) + " x " +
			       std::to_string(*g.garp_interval) + " ms";
		if (g.carrier_poll)
			out += *g.carrier_poll ? ", carrier poll " + std::to_string(*g.carrier_poll) + " ms"
					       : ", carrier poll off";
		if (g.reply_rate)
			out += *g.reply_rate ? ", reply rate " + std::to_string(*g.reply_rate) + "/s"
					     : ", reply rate unlimited";
		if (g.up_delay)
			out += ", up delay " + std::to_string(*g.up_delay) + " ms";
		out += "\n";
		if (stats && g.stats)
			out += "  " + stats_text(*g.stats) + "\n";
		for (const Device &d : g.devices) {
			out += "  dev " + dev_ref_text(d);
			if (d.mac)
				out += " " + format_mac(*d.mac);
			if (d.state)
				out += " " + proto::dev_state_name(*d.state);
			if (d.held_ms)
				out += " (" + std::to_string(*d.held_ms) + " ms left)";
			out += "\n";
			if (stats && d.stats)
				out += "    " + stats_text(*d.stats) + "\n";
		}
		for (const IpAddr &v : g.vips)
			out += "  vip " + v.str() + "\n";
	}
	return out;
}

Json groups_json(std::span<const Group> groups, bool stats)
{
	Json arr = Json::array();
	for (const Group &g : groups) {
		Json j = Json::object();
		j["name"] = g.name;
		j["garp_count"] = g.garp_count ? Json(*g.garp_count) : Json(nullptr);
		j["garp_interval_ms"] = g.garp_interval ? Json(*g.garp_interval) : Json(nullptr);
		if (g.carrier_poll)
			j["carrier_poll_ms"] = *g.carrier_poll;
		if (g.reply_rate)
			j["reply_rate"] = *g.reply_rate;
		if (g.up_delay)
			j["up_delay_ms"] = *g.up_delay;
		j["vip_count"] = vip_count(g);
		if (stats)
			j["stats"] = g.stats ? stats_json(*g.stats) : Json(nullptr);
		Json devs = Json::array();
		for (const Device &d : g.devices) {
			Json dj = device_json(d, stats);
			if (stats && !d.stats)
				dj["stats"] = nullptr;
			devs.push_back(std::move(dj));
		}
		j["devices"] = std::move(devs);
		j["vips"] = vips_json(g.vips);
		arr.push_back(std::move(j));
	}
	return Json{{"groups", std::move(arr)}};
}

std::string render_event_text(const proto::Event &ev)
{
	struct Visitor {
		std::string operator()(const proto::ChangeEvent &e) const
		{
			std::string s = "change " + e.group + " " + proto::change_name(e.change) + ":";
			if (!e.devices.empty())
				s += " devices " + devs_text(e.devices) +
				     (e.reason ? " (" + proto::reason_name(*e.reason) + ")" : "") + ";";
			if (e.vip_count)
				s += " " + plural(*e.vip_count, "vip", "vips");
			if (e.vips && !e.vips->empty()) {
				s += ":";
				for (const IpAddr &v : *e.vips)
					s += " " + v.str();
			}
			if (s.back() == ';' || s.back() == ':')
				s.pop_back();
			return s;
		}
		std::string operator()(const proto::FailoverEvent &e) const
		{
			std::string s = "failover " + e.group + ": " + dev_ref_text(e.failed);
			if (e.failed.mac)
				s += " " + format_mac(*e.failed.mac);
			if (e.reason)
				s += " " + proto::reason_name(*e.reason);
			if (e.detected_by)
				s += " (detected by " + proto::detector_name(*e.detected_by) + ")";
			if (e.survivors.empty()) {
				s += "; no survivors";
				return s;
			}
			s += "; survivors " + devs_text(e.survivors);
			if (e.vip_count || e.garp_count) {
				s += " announce";
				if (e.vip_count)
					s += " " + plural(*e.vip_count, "vip", "vips");
				if (e.garp_count)
					s += " x " + plural(*e.garp_count, "garp", "garps");
			}
			return s;
		}
		std::string operator()(const proto::RecoverEvent &e) const
		{
			std::string s = "recover " + e.group + ": " + dev_ref_text(e.device);
			if (e.device.mac)
				s += " " + format_mac(*e.device.mac);
			if (e.device.state)
				s += " " + proto::dev_state_name(*e.device.state);
			if (e.detected_by)
				s += " (detected by " + proto::detector_name(*e.detected_by) + ")";
			return s;
		}
		std::string operator()(const proto::HoldEvent &e) const
		{
			std::string s = "hold " + e.group + ": " + dev_ref_text(e.device);
			if (e.device.mac)
				s += " " + format_mac(*e.device.mac);
			s += " held down";
			if (e.device.held_ms)
				s += " for " + std::to_string(*e.device.held_ms) + " ms";
			if (e.detected_by)
				s += " (back, detected by " + proto::detector_name(*e.detected_by) + ")";
			return s;
		}
		std::string operator()(const proto::ConflictEvent &e) const
		{
			std::string s = "conflict " + e.group + ": " + e.vip.str() + " claimed by ";
			s += e.peer_mac ? format_mac(*e.peer_mac) : std::string("another host");
			return s + ", seen on " + dev_ref_text(e.device);
		}
		std::string operator()(const proto::UnknownEvent &e) const
		{
			return "unknown event " + std::to_string(e.cmd) +
			       (e.group.empty() ? std::string() : " " + e.group);
		}
	};
	return std::visit(Visitor{}, ev);
}

Json event_json(const proto::Event &ev)
{
	struct Visitor {
		Json operator()(const proto::ChangeEvent &e) const
		{
			Json j{{"event", "change"}, {"group", e.group}, {"change", proto::change_name(e.change)}};
			j["devices"] = devices_json(e.devices);
			if (e.reason)
				j["reason"] = proto::reason_name(*e.reason);
			if (e.vip_count)
				j["vip_count"] = *e.vip_count;
			if (e.vips)
				j["vips"] = vips_json(*e.vips);
			return j;
		}
		Json operator()(const proto::FailoverEvent &e) const
		{
			Json j{{"event", "failover"}, {"group", e.group}};
			j["failed"] = device_json(e.failed, false);
			if (e.reason)
				j["reason"] = proto::reason_name(*e.reason);
			if (e.detected_by)
				j["detected_by"] = proto::detector_name(*e.detected_by);
			j["survivors"] = devices_json(e.survivors);
			if (e.vip_count)
				j["vip_count"] = *e.vip_count;
			if (e.garp_count)
				j["garp_count"] = *e.garp_count;
			return j;
		}
		Json operator()(const proto::RecoverEvent &e) const
		{
			Json j{{"event", "recover"}, {"group", e.group}};
			j["device"] = device_json(e.device, false);
			if (e.detected_by)
				j["detected_by"] = proto::detector_name(*e.detected_by);
			return j;
		}
		Json operator()(const proto::HoldEvent &e) const
		{
			Json j{{"event", "hold"}, {"group", e.group}};
			j["device"] = device_json(e.device, false);
			if (e.detected_by)
				j["detected_by"] = proto::detector_name(*e.detected_by);
			return j;
		}
		Json operator()(const proto::ConflictEvent &e) const
		{
			Json j{{"event", "conflict"}, {"group", e.group}, {"vip", e.vip.str()}};
			if (e.peer_mac)
				j["peer_mac"] = format_mac(*e.peer_mac);
			j["device"] = device_json(e.device, false);
			return j;
		}
		Json operator()(const proto::UnknownEvent &e) const
		{
			return Json{{"event", "unknown"}, {"cmd", e.cmd}, {"group", e.group}};
		}
	};
	return std::visit(Visitor{}, ev);
}

std::string dump_json(const Json &j)
{
	return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace vipctl
