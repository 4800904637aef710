// SPDX-License-Identifier: GPL-2.0
#include "prometheus.hpp"

#include <cstdio>
#include <sstream>
#include <string_view>

namespace vipctl {

namespace {

struct Help {
	std::string_view name;
	std::string_view help;
};

constexpr Help kHelp[] = {
	{"requests", "ARP requests and neighbour solicitations for a VIP that matched"},
	{"replies", "ARP replies and solicited neighbour advertisements sent"},
	{"garps", "Gratuitous ARPs sent (IPv4 announcements)"},
	{"nas", "Unsolicited neighbour advertisements sent (IPv6 announcements)"},
	{"failovers", "Failovers by reason: started (group), or of this member (member)"},
	{"tx_errors", "Replies or announcements that could not be sent"},
	{"rate_limited", "Requests answered by the receiving member alone: the reply rate was used up"},
	{"conflicts", "Frames of another host claiming a VIP"},
};

constexpr uint8_t kStates[] = {VIPFO_DEV_STATE_UP, VIPFO_DEV_STATE_NO_CARRIER,
			       VIPFO_DEV_STATE_DOWN, VIPFO_DEV_STATE_HELD_DOWN};

// A label value: backslash, double quote and newline escaped.
std::string label(std::string_view v)
{
	std::string out;
	for (char c : v) {
		if (c == '\\' || c == '"')
			out += '\\';
		if (c == '\n') {
			out += "\\n";
			continue;
		}
		out += c;
	}
	return out;
}

class Writer {
public:
	void family(const std::string &name, const char *type, std::string_view help)
	{
		out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
	}

	// name{group="G"[,device="D"][,extra]} value
	void sample(const std::string &name, const proto::Group &g, const proto::Device *d,
		    uint64_t value, const std::string &extra = {})
	{
		sample_text(name, g, d, std::to_string(value), extra);
	}

	void sample_text(const std::string &name, const proto::Group &g, const proto::Device *d,
			 const std::string &value, const std::string &extra = {})
	{
		out_ << name << "{group=\"" << label(g.name) << '"';
		if (d)
			out_ << ",device=\"" << label(d->ifname.value_or(std::to_string(d->ifindex)))
			     << '"';
		if (!extra.empty())
			out_ << ',' << extra;
		out_ << "} " << value << '\n';
	}

	// A counter's sample; failovers one per reason (label reason), whose
	// sum is the total.
	void counter(const std::string &name, const proto::Group &g, const proto::Device *d,
		     const proto::Stats &s, const proto::Counter &k)
	{
		if (k.attr != VIPFO_STATS_A_FAILOVERS) {
			sample(name, g, d, s.*(k.field));
			return;
		}
		for (size_t i = 0; i < proto::kFailoverReasons.size(); i++)
			sample(name, g, d, s.failovers_by_reason[i],
			       "reason=\"" + proto::reason_name(proto::kFailoverReasons[i].reason) +
				       "\"");
	}

	std::string str() const { return out_.str(); }

private:
	std::ostringstream out_;
};

} // namespace

std::string counter_help(const char *name)
{
	for (const Help &h : kHelp)
		if (h.name == name)
			return std::string(h.help);
	return {};
}

std::string render_prometheus(std::span<const proto::Group> groups)
{
	Writer w;
	w.family("vipfo_group_vips", "gauge", "VIPs of the group");
	for (const proto::Group &g : groups)
		w.sample("vipfo_group_vips", g, nullptr, g.vip_count.value_or(g.vips.size()));
	w.family("vipfo_group_members", "gauge", "Member devices of the group");
	for (const proto::Group &g : groups)
		w.sample("vipfo_group_members", g, nullptr, g.devices.size());
	w.family("vipfo_member_up", "gauge",
		 "1 while the member answers and announces (state up), else 0");
	for (const proto::Group &g : groups)
		for (const proto::Device &d : g.devices)
			w.sample("vipfo_member_up", g, &d, d.state == VIPFO_DEV_STATE_UP);
	w.family("vipfo_member_state", "gauge",
		 "1 for the state the member is in, 0 for the others");
	for (const proto::Group &g : groups)
		for (const proto::Device &d : g.devices)
			for (uint8_t s : kStates)
				w.sample("vipfo_member_state", g, &d, d.state == s,
					 "state=\"" + proto::dev_state_name(s) + "\"");
	w.family("vipfo_member_held_down_seconds", "gauge",
		 "How long a held-down member has left before it answers again");
	for (const proto::Group &g : groups)
		for (const proto::Device &d : g.devices) {
			const uint32_t ms = d.state == VIPFO_DEV_STATE_HELD_DOWN ? d.held_ms.value_or(0) : 0;
			char secs[16];
			std::snprintf(secs, sizeof(secs), "%u.%03u", ms / 1000, ms % 1000);
			w.sample_text("vipfo_member_held_down_seconds", g, &d, secs);
		}

	// Counters: per group (each request once) and per member (every copy
	// a member received, what it sent).
	for (const proto::Counter &k : proto::kCounters) {
		const std::string help = counter_help(k.name);
		const std::string gname = std::string("vipfo_group_") + k.name + "_total";
		w.family(gname, "counter", help + " (group)");
		for (const proto::Group &g : groups)
			if (g.stats)
				w.counter(gname, g, nullptr, *g.stats, k);
		const std::string mname = std::string("vipfo_") + k.name + "_total";
		w.family(mname, "counter", help + " (member)");
		for (const proto::Group &g : groups)
			for (const proto::Device &d : g.devices)
				if (d.stats)
					w.counter(mname, g, &d, *d.stats, k);
	}
	return w.str();
}

} // namespace vipctl
