// SPDX-License-Identifier: GPL-2.0
#include "client.hpp"

#include <cerrno>
#include <iostream>
#include <set>
#include <net/if.h>

#include "error.hpp"

namespace vipctl {

namespace {

std::vector<uint32_t> ifindexes(std::span<const DevRef> devs)
{
	std::vector<uint32_t> out;
	out.reserve(devs.size());
	for (const DevRef &d : devs)
		out.push_back(d.ifindex);
	return out;
}

} // namespace

void throw_module_not_loaded()
{
	throw FinalError("vipfo module not loaded (try: modprobe vipfo)");
}

KernelError kernel_error(const nl::Ack &ack, const nl::Message &request, std::span<const DevRef> devs)
{
	std::string subject;
	if (ack.offset) {
		const proto::Culprit c = proto::locate_offset(request, *ack.offset);
		if (const auto *vip = std::get_if<IpAddr>(&c)) {
			subject = vip->str();
		} else if (const auto *ifindex = std::get_if<uint32_t>(&c)) {
			for (const DevRef &d : devs)
				if (d.ifindex == *ifindex)
					subject = d.name;
			if (subject.empty()) {
				char name[IF_NAMESIZE];
				subject = if_indextoname(*ifindex, name)
						  ? std::string(name)
						  : "ifindex " + std::to_string(*ifindex);
			}
		}
	}
	return KernelError(ack.error, ack.extack, subject);
}

namespace {

std::string g_warning_place; // "FILE:LINE: " in a batch

void warn_stderr(const std::string &msg)
{
	std::cout.flush(); // after what the command printed before
	std::cerr << "vipctl: " << g_warning_place << "warning: " << msg << std::endl;
}

} // namespace

WarningPlace::WarningPlace(std::string where) : outer_(std::move(g_warning_place))
{
	g_warning_place = std::move(where) + ": ";
}

WarningPlace::~WarningPlace()
{
	g_warning_place = std::move(outer_);
}

Connection connect()
{
	auto io = std::make_shared<nl::Socket>(NETLINK_GENERIC);
	std::optional<nl::GenlFamily> f = nl::resolve_family(*io, VIPFO_GENL_NAME);
	if (!f)
		throw_module_not_loaded();
	return {std::move(io), std::move(*f)};
}

namespace {

Client::Shared *g_shared = nullptr; // the innermost live one

} // namespace

Client::Shared::Shared(std::function<Connection()> open) : open_(std::move(open)), outer_(g_shared)
{
	g_shared = this;
}

Client::Shared::~Shared()
{
	g_shared = outer_;
}

const Connection &Client::Shared::get()
{
	if (!conn_)
		conn_ = open_();
	return *conn_;
}

Client::Client(size_t batch_limit) : batch_limit_(batch_limit), warn_(warn_stderr)
{
	const Connection c = g_shared ? g_shared->get() : connect();
	io_ = c.io;
	family_ = c.family;
}

Client::Client(std::unique_ptr<nl::Transport> io, nl::GenlFamily family, size_t batch_limit)
	: io_(std::move(io)), family_(std::move(family)), batch_limit_(batch_limit),
	  warn_(warn_stderr)
{
}

void Client::warn(std::span<const nl::Ack> acks) const
{
	std::set<std::string_view> said;
	for (const nl::Ack &a : acks)
		if (!a.error && !a.extack.empty() && said.insert(a.extack).second && warn_)
			warn_(a.extack);
}

void Client::all_or_nothing(std::span<const proto::Request> reqs, std::span<const IpAddr> vips,
			    std::span<const DevRef> devs, uint8_t undo_cmd, std::string_view name,
			    bool undo_by_group_del)
{
	std::vector<nl::Message> msgs;
	msgs.reserve(reqs.size());
	for (const proto::Request &r : reqs)
		msgs.push_back(r.msg);

	// The first request goes alone: if it fails (a GROUP_NEW for a name in
	// use, a VIP_ADD of a VIP held by another group...) nothing needs
	// undoing and the rest would fail the same way.
	std::vector<nl::Ack> acks = io_->transact(std::span(msgs).first(std::min<size_t>(1, msgs.size())));
	if (!acks.empty() && acks[0].error)
		throw kernel_error(acks[0], msgs[0], devs);
	if (msgs.size() > 1) {
		std::vector<nl::Ack> rest = io_->transact(std::span(msgs).subspan(1));
		acks.insert(acks.end(), rest.begin(), rest.end());
	}

	size_t failed = acks.size();
	for (size_t i = 0; i < acks.size(); i++)
		if (acks[i].error) {
			failed = i;
			break;
		}
	if (failed == acks.size()) {
		warn(acks);
		return;
	}

	if (undo_by_group_del) {
		try {
			io_->request(proto::encode_group_del(family_.id, name));
		} catch (const Error &) {
		}
	} else {
		std::vector<IpAddr> done;
		for (size_t i = 0; i < acks.size(); i++)
			if (!acks[i].error)
				done.insert(done.end(), vips.begin() + static_cast<long>(reqs[i].vip_first),
					    vips.begin() + static_cast<long>(reqs[i].vip_first + reqs[i].vip_count));
		vips_undo(undo_cmd, name, done);
	}
	throw kernel_error(acks[failed], msgs[failed], devs);
}

void Client::group_new(std::string_view name, const proto::GroupOptions &opts,
		       std::span<const DevRef> devs, std::span<const IpAddr> vips)
{
	const std::vector<uint32_t> idx = ifindexes(devs);
	const std::vector<proto::Request> reqs =
		proto::encode_group_new(family_.id, name, opts, idx, vips, batch_limit_);
	all_or_nothing(reqs, vips, devs, VIPFO_CMD_GROUP_DEL, name, true);
}

void Client::group_del(std::string_view name)
{
	const nl::Message m = proto::encode_group_del(family_.id, name);
	const std::vector<nl::Ack> acks = io_->transact(std::span(&m, 1));
	if (acks[0].error)
		throw kernel_error(acks[0], m);
	warn(acks);
}

void Client::group_set(std::string_view name, const proto::GroupOptions &opts)
{
	const nl::Message m = proto::encode_group_set(family_.id, name, opts);
	const std::vector<nl::Ack> acks = io_->transact(std::span(&m, 1));
	if (acks[0].error)
		throw kernel_error(acks[0], m);
	warn(acks);
}

void Client::devs(uint8_t cmd, std::string_view name, std::span<const DevRef> devs)
{
	const std::vector<uint32_t> idx = ifindexes(devs);
	const nl::Message m = proto::encode_devs(family_.id, cmd, name, idx);
	const std::vector<nl::Ack> acks = io_->transact(std::span(&m, 1));
	if (acks[0].error)
		throw kernel_error(acks[0], m, devs);
	warn(acks);
}

void Client::vips(uint8_t cmd, std::string_view name, std::span<const IpAddr> vips)
{
	const uint8_t inverse = cmd == VIPFO_CMD_VIP_ADD ? VIPFO_CMD_VIP_DEL : VIPFO_CMD_VIP_ADD;
	const std::vector<proto::Request> reqs =
		proto::encode_vips(family_.id, cmd, name, vips, batch_limit_);
	all_or_nothing(reqs, vips, {}, inverse, name, false);
}

void Client::vips_undo(uint8_t cmd, std::string_view name, std::span<const IpAddr> vips)
{
	if (vips.empty())
		return;
	try {
		const std::vector<proto::Request> reqs =
			proto::encode_vips(family_.id, cmd, name, vips, batch_limit_);
		std::vector<nl::Message> msgs;
		for (const proto::Request &r : reqs)
			msgs.push_back(r.msg);
		io_->transact(msgs);
	} catch (const Error &) {
		// Best effort: the error being reported is the one that matters.
	}
}

std::vector<proto::Group> Client::groups(std::optional<std::string_view> name)
{
	std::vector<proto::Group> out;
	dump_groups(
		name, [&] { out.clear(); },
		[&](proto::Group &&g) { proto::merge_group(out, std::move(g)); });
	return out;
}

bool Client::dump_groups(std::optional<std::string_view> name, const std::function<void()> &on_restart,
			 const std::function<void(proto::Group &&)> &on_part)
{
	try {
		io_->dump(proto::encode_group_dump(family_.id, name), on_restart, [&](const nlmsghdr *nlh) {
			proto::Group g = proto::decode_group(nlh);
			// Filter here too, in case the kernel did not.
			if (!name || g.name == *name)
				on_part(std::move(g));
		});
	} catch (const KernelError &e) {
		if (name && e.err() == ENOENT)
			return false; // the filter names no group
		throw;
	}
	return true;
}

nl::Socket Client::subscribe()
{
	const std::optional<uint32_t> id = family_.mcast_group(VIPFO_MCGRP_EVENTS);
	if (!id)
		throw Error("the vipfo family has no multicast group \"" VIPFO_MCGRP_EVENTS "\"");
	const std::optional<nl::GenlFamily> ctrl = nl::resolve_family(*io_, "nlctrl");
	const std::optional<uint32_t> notify = ctrl ? ctrl->mcast_group("notify") : std::nullopt;
	if (!notify)
		throw Error("nlctrl has no multicast group \"notify\"");
	nl::Socket s(NETLINK_GENERIC);
	s.add_membership(*id);
	s.add_membership(*notify);
	return s;
}

} // namespace vipctl
