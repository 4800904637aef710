// SPDX-License-Identifier: GPL-2.0
#include "config_plan.hpp"

#include <algorithm>
#include <map>
#include <sstream>

namespace vipctl::config {

namespace {

proto::GroupOptions options_of(const proto::Group &g)
{
	return {.garp_count = g.garp_count, .garp_interval = g.garp_interval,
		.carrier_poll = g.carrier_poll, .reply_rate = g.reply_rate,
		.up_delay = g.up_delay};
}

// Whether a running value is what the file wants: the value given, or
// when it gives none, the module's default (for the carrier poll also the
// floor the module raises it to).
bool matches(const OptionKey &o, const std::optional<uint32_t> &given,
	     const std::optional<uint32_t> &running, uint32_t floor)
{
	if (!running)
		return true; // an older module that does not report it
	if (given)
		return *given == *running;
	const uint32_t def = *(kDefaults.*(o.field));
	if (o.field == &proto::GroupOptions::carrier_poll && floor > def)
		return *running == def || *running == floor;
	return *running == def;
}

// "a, b, c and 7 more"
template <class T, class F> std::string some(const std::vector<T> &items, F name)
{
	constexpr size_t kShown = 4;
	std::string out;
	for (size_t i = 0; i < items.size() && i < kShown; i++)
		out += (i ? ", " : "") + name(items[i]);
	if (items.size() > kShown)
		out += " and " + std::to_string(items.size() - kShown) + " more";
	return out;
}

std::string devs_str(const std::vector<DevRef> &d)
{
	return some(d, [](const DevRef &x) { return x.name; });
}

std::string vips_str(const std::vector<IpAddr> &v)
{
	return some(v, [](const IpAddr &x) { return x.str(); });
}

std::string options_str(const proto::GroupOptions &o, const proto::GroupOptions *before)
{
	std::string out;
	for (const OptionKey &n : kOptions) {
		if (!(o.*(n.field)))
			continue;
		out += (out.empty() ? "" : ", ") + std::string(n.key) + " ";
		if (before && before->*(n.field))
			out += std::to_string(*(before->*(n.field))) + " -> ";
		out += std::to_string(*(o.*(n.field)));
	}
	return out;
}

} // namespace

std::string Step::str() const
{
	const std::string g = "group " + group;
	switch (op) {
	case Op::GroupDel:
		return "- " + g;
	case Op::GroupNew: {
		std::string s = "+ " + g;
		std::string more;
		if (!devs.empty())
			more += "devices " + devs_str(devs);
		if (!vips.empty())
			more += (more.empty() ? "" : "; ") + std::string("vips ") + vips_str(vips);
		const std::string o = options_str(options, nullptr);
		if (!o.empty())
			more += (more.empty() ? "" : "; ") + o;
		return more.empty() ? s : s + ": " + more;
	}
	case Op::GroupSet:
		return "~ " + g + ": " + options_str(options, &before);
	case Op::DevAdd:
		return "+ " + g + ": devices " + devs_str(devs);
	case Op::DevDel:
		return "- " + g + ": devices " + devs_str(devs);
	case Op::VipAdd:
		return "+ " + g + ": vips " + vips_str(vips);
	case Op::VipDel:
		return "- " + g + ": vips " + vips_str(vips);
	case Op::LocalAdd:
		return "+ local addresses on lo: " + vips_str(vips);
	case Op::LocalDel:
		return "- local addresses on lo: " + vips_str(vips);
	}
	return "?";
}

std::vector<Step> plan(const Config &want, const Running &have, const IfResolver &resolve,
		       const VrrpStates &vrrp)
{
	std::vector<Step> steps;
	std::map<std::string, const proto::Group *> running;
	for (const proto::Group &g : have.groups)
		running.emplace(g.name, &g);
	std::set<std::string> wanted;
	for (const GroupSpec &g : want.groups)
		wanted.insert(g.name);

	for (const proto::Group &h : have.groups) {
		if (wanted.count(h.name))
			continue;
		Step s{.op = Op::GroupDel, .group = h.name, .options = options_of(h)};
		for (const proto::Device &d : h.devices)
			s.devs.push_back({d.ifname.value_or(""), d.ifindex});
		s.vips = h.vips;
		steps.push_back(std::move(s));
	}

	// Whether a group's VIPs are wanted: always, or for a VRRP group
	// while its instance is master.
	const auto vips_wanted = [&](const GroupSpec &g) {
		if (!g.vrrp_instance)
			return true;
		if (auto v = vrrp.find(g.vrrp_instance->value); v != vrrp.end())
			return v->second;
		auto it = running.find(g.name);
		return it != running.end() && !it->second->vips.empty();
	};

	std::set<IpAddr> local;
	std::set<std::string> without_vips;
	for (const GroupSpec &g : want.groups) {
		std::vector<DevRef> devs;
		for (const auto &d : g.devices)
			if (uint32_t ifindex = resolve(d.value))
				devs.push_back({d.value, ifindex});
		std::vector<IpAddr> vips;
		if (vips_wanted(g)) {
			vips.reserve(g.vips.size());
			for (const auto &v : g.vips) {
				vips.push_back(v.value);
				if (g.local)
					local.insert(v.value);
			}
		} else {
			without_vips.insert(g.name);
		}

		auto it = running.find(g.name);
		if (it == running.end()) {
			steps.push_back({.op = Op::GroupNew, .group = g.name, .where = g.where,
					 .options = g.options, .devs = devs, .vips = vips});
			continue;
		}
		const proto::Group &h = *it->second;

		const std::set<IpAddr> have_vips(h.vips.begin(), h.vips.end());
		const std::set<IpAddr> want_vips(vips.begin(), vips.end());
		Step del{.op = Op::VipDel, .group = g.name, .where = g.where};
		for (const IpAddr &v : h.vips)
			if (!want_vips.count(v))
				del.vips.push_back(v);
		Step add{.op = Op::VipAdd, .group = g.name, .where = g.where};
		for (const IpAddr &v : vips)
			if (!have_vips.count(v))
				add.vips.push_back(v);

		Step ddel{.op = Op::DevDel, .group = g.name, .where = g.where};
		for (const proto::Device &d : h.devices)
			if (std::none_of(devs.begin(), devs.end(),
					 [&](const DevRef &x) { return x.ifindex == d.ifindex; }))
				ddel.devs.push_back({d.ifname.value_or(""), d.ifindex});
		Step dadd{.op = Op::DevAdd, .group = g.name, .where = g.where};
		for (const DevRef &d : devs)
			if (std::none_of(h.devices.begin(), h.devices.end(),
					 [&](const proto::Device &x) { return x.ifindex == d.ifindex; }))
				dadd.devs.push_back(d);

		Step set{.op = Op::GroupSet, .group = g.name, .where = g.where};
		const proto::GroupOptions now = options_of(h);
		for (const OptionKey &o : kOptions) {
			if (matches(o, g.options.*(o.field), now.*(o.field), have.carrier_poll_floor))
				continue;
			set.options.*(o.field) = (g.options.*(o.field)).value_or(*(kDefaults.*(o.field)));
			set.before.*(o.field) = now.*(o.field);
		}

		for (Step *s : {&del, &ddel, &set, &dadd, &add})
			if (!s->vips.empty() || !s->devs.empty() || !options_str(s->options, nullptr).empty())
				steps.push_back(std::move(*s));
	}

	Step ldel{.op = Op::LocalDel};
	for (const IpAddr &a : have.marked)
		if (!local.count(a))
			ldel.vips.push_back(a);
	Step ladd{.op = Op::LocalAdd};
	for (const GroupSpec &g : want.groups)
		if (g.local && !without_vips.count(g.name))
			for (const auto &v : g.vips)
				if (!have.local.count(v.value))
					ladd.vips.push_back(v.value);
	for (Step *s : {&ldel, &ladd})
		if (!s->vips.empty())
			steps.push_back(std::move(*s));

	std::stable_sort(steps.begin(), steps.end(),
			 [](const Step &a, const Step &b) { return a.op < b.op; });
	return steps;
}

Step inverse(const Step &s)
{
	Step r = s;
	switch (s.op) {
	case Op::GroupNew:
		r.op = Op::GroupDel;
		break;
	case Op::GroupDel:
		r.op = Op::GroupNew;
		break;
	case Op::GroupSet:
		std::swap(r.options, r.before);
		break;
	case Op::DevAdd:
		r.op = Op::DevDel;
		break;
	case Op::DevDel:
		r.op = Op::DevAdd;
		break;
	case Op::VipAdd:
		r.op = Op::VipDel;
		break;
	case Op::VipDel:
		r.op = Op::VipAdd;
		break;
	case Op::LocalAdd:
		r.op = Op::LocalDel;
		break;
	case Op::LocalDel:
		r.op = Op::LocalAdd;
		break;
	}
	return r;
}

} // namespace vipctl::config
