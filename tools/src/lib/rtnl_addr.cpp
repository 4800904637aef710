// SPDX-License-Identifier: GPL-2.0
#include "rtnl_addr.hpp"

#include <algorithm>
#include <cerrno>
#include <map>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/vipfo.h>

#include "error.hpp"

namespace vipctl::rtnl {

nl::Message encode_addr(uint16_t type, uint32_t ifindex, const IpAddr &addr,
			std::optional<uint8_t> proto)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWADDR)
		flags |= NLM_F_CREATE | NLM_F_EXCL;
	nl::MsgBuilder b(type, flags, 128);
	auto &ifa = b.put_header<ifaddrmsg>();
	ifa.ifa_family = static_cast<uint8_t>(addr.family);
	ifa.ifa_prefixlen = addr.full_prefix();
	ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	ifa.ifa_index = ifindex;
	// An IPv6 VIP is the host's at once: no duplicate address detection
	// (lo would skip it anyway; the flag says so to whoever reads it).
	if (addr.family == AF_INET6)
		ifa.ifa_flags = IFA_F_NODAD;
	// As `ip address add ADDR dev lo` does: local and peer both ADDR.
	b.put_bytes(IFA_LOCAL, addr.data());
	b.put_bytes(IFA_ADDRESS, addr.data());
	if (proto)
		b.put_u8(IFA_PROTO, *proto);
	return b.finish();
}

nl::Message encode_addr_dump(uint32_t ifindex)
{
	nl::MsgBuilder b(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 128);
	auto &ifa = b.put_header<ifaddrmsg>();
	ifa.ifa_family = AF_UNSPEC;
	ifa.ifa_index = ifindex;
	return b.finish();
}

std::optional<LocalAddr> decode_addr(const nlmsghdr *nlh)
{
	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(ifaddrmsg))
		return std::nullopt;
	const auto *ifa = static_cast<const ifaddrmsg *>(mnl_nlmsg_get_payload(nlh));
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return std::nullopt;

	LocalAddr la;
	la.ifindex = ifa->ifa_index;
	la.prefixlen = ifa->ifa_prefixlen;
	std::span<const uint8_t> local, address;
	for (const nlattr *a : nl::Attrs::of(nlh, sizeof(ifaddrmsg))) {
		switch (nl::attr_type(a)) {
		case IFA_LOCAL:
			local = nl::attr_bytes(a);
			break;
		case IFA_ADDRESS:
			address = nl::attr_bytes(a);
			break;
		case IFA_PROTO:
			la.proto = nl::attr_u8(a);
			break;
		default:
			break;
		}
	}
	// IPv4 puts the address itself in IFA_LOCAL; IPv6 only in IFA_ADDRESS
	// unless there is a peer.
	const std::span<const uint8_t> b = !local.empty() ? local : address;
	if (ifa->ifa_family == AF_INET && b.size() == 4)
		la.addr = IpAddr::v4(b.first<4>());
	else if (ifa->ifa_family == AF_INET6 && b.size() == 16)
		la.addr = IpAddr::v6(b.first<16>());
	else
		return std::nullopt;
	return la;
}

Presence match(std::span<const LocalAddr> existing, uint32_t ifindex, std::span<const IpAddr> vips)
{
	// address -> carries our mark with the full prefix length
	std::map<IpAddr, bool> on_dev;
	for (const LocalAddr &la : existing) {
		if (la.ifindex != ifindex)
			continue;
		const bool ours = la.proto == VIPFO_IFA_PROTO && la.prefixlen == la.addr.full_prefix();
		on_dev[la.addr] = on_dev[la.addr] || ours;
	}
	Presence p{std::vector<bool>(vips.size()), std::vector<bool>(vips.size())};
	for (size_t i = 0; i < vips.size(); i++) {
		const auto it = on_dev.find(vips[i]);
		if (it != on_dev.end()) {
			p.present[i] = true;
			p.marked[i] = it->second;
		}
	}
	return p;
}

LocalAddrs::LocalAddrs() : sock_(NETLINK_ROUTE), lo_(if_nametoindex("lo"))
{
	if (lo_ == 0)
		throw Error("no loopback device lo");
	// Lets the kernel filter the address dump by device (Linux 4.20+).
	try {
		sock_.set_option(NETLINK_GET_STRICT_CHK, 1);
	} catch (const Error &) {
	}
}

std::vector<LocalAddr> LocalAddrs::dump()
{
	std::vector<LocalAddr> out;
	sock_.dump(
		encode_addr_dump(lo_), [&] { out.clear(); },
		[&](const nlmsghdr *nlh) {
			if (auto la = decode_addr(nlh); la && la->ifindex == lo_)
				out.push_back(*la);
		});
	return out;
}

std::vector<IpAddr> LocalAddrs::add(std::span<const IpAddr> vips)
{
	const Presence p = match(dump(), lo_, vips);
	std::vector<IpAddr> todo;
	std::vector<nl::Message> msgs;
	for (size_t i = 0; i < vips.size(); i++) {
		if (p.present[i])
			continue;
		todo.push_back(vips[i]);
		msgs.push_back(encode_addr(RTM_NEWADDR, lo_, vips[i], VIPFO_IFA_PROTO));
	}

	const std::vector<nl::Ack> acks = sock_.transact(msgs);
	std::vector<IpAddr> added;
	std::optional<size_t> failed;
	for (size_t i = 0; i < acks.size(); i++) {
		if (acks[i].error == 0)
			added.push_back(todo[i]);
		else if (acks[i].error != EEXIST && !failed)
			failed = i; // EEXIST: someone added it meanwhile; not ours
	}
	if (failed) {
		undo(added);
		throw KernelError(acks[*failed].error, acks[*failed].extack,
				  todo[*failed].str() + ": local address on lo");
	}
	return added;
}

void LocalAddrs::undo(std::span<const IpAddr> added)
{
	std::vector<nl::Message> msgs;
	msgs.reserve(added.size());
	for (const IpAddr &a : added)
		msgs.push_back(encode_addr(RTM_DELADDR, lo_, a, std::nullopt));
	try {
		sock_.transact(msgs);
	} catch (const Error &) {
		// Best effort: the error being reported is the one that matters.
	}
}

size_t LocalAddrs::remove_marked(std::span<const IpAddr> vips)
{
	const Presence p = match(dump(), lo_, vips);
	std::vector<IpAddr> todo;
	std::vector<nl::Message> msgs;
	for (size_t i = 0; i < vips.size(); i++) {
		if (!p.marked[i])
			continue;
		todo.push_back(vips[i]);
		msgs.push_back(encode_addr(RTM_DELADDR, lo_, vips[i], VIPFO_IFA_PROTO));
	}

	const std::vector<nl::Ack> acks = sock_.transact(msgs);
	size_t removed = 0;
	for (size_t i = 0; i < acks.size(); i++) {
		if (acks[i].error == 0)
			removed++;
		else if (acks[i].error != EADDRNOTAVAIL && acks[i].error != ENOENT)
			throw KernelError(acks[i].error, acks[i].extack,
					  todo[i].str() + ": removing local address from lo");
	}
	return removed;
}

} // namespace vipctl::rtnl
