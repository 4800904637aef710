// SPDX-License-Identifier: GPL-2.0
// The local addresses vipctl gives the host for its VIPs: ADDR/32 (IPv6:
// /128) on the loopback device, marked with IFA_PROTO = VIPFO_IFA_PROTO so
// that only those are ever removed. Requests are pipelined.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "addr.hpp"
#include "netlink.hpp"

namespace vipctl::rtnl {

// RTM_NEWADDR (create, exclusive) or RTM_DELADDR of addr/full-prefix on
// ifindex, with IFA_PROTO when proto is given.
nl::Message encode_addr(uint16_t type, uint32_t ifindex, const IpAddr &addr,
			std::optional<uint8_t> proto);
// RTM_GETADDR dump of the addresses on ifindex (filtered by the kernel
// with NETLINK_GET_STRICT_CHK, and again by us).
nl::Message encode_addr_dump(uint32_t ifindex);

struct LocalAddr {
	uint32_t ifindex = 0;
	uint8_t prefixlen = 0;
	IpAddr addr;
	std::optional<uint8_t> proto;
};
// One RTM_NEWADDR from a dump; nullopt for families other than IPv4/IPv6.
std::optional<LocalAddr> decode_addr(const nlmsghdr *nlh);

// Which of vips already are on the device (with any prefix length), and
// which of them carry our mark (full prefix length, VIPFO_IFA_PROTO).
struct Presence {
	std::vector<bool> present;
	std::vector<bool> marked;
};
Presence match(std::span<const LocalAddr> existing, uint32_t ifindex, std::span<const IpAddr> vips);

class LocalAddrs {
public:
	LocalAddrs(); // opens rtnetlink, finds lo

	// Adds every VIP not on lo yet, marked; returns those it added (the
	// others are left as they are). If one fails, removes the ones it
	// added and throws "<addr>: local address: <why>".
	std::vector<IpAddr> add(std::span<const IpAddr> vips);
	// Removes exactly these (an undo of add()); errors are ignored.
	void undo(std::span<const IpAddr> added);
	// Removes those of vips that are on lo with our mark; returns how
	// many. Throws on the first failure other than "already gone".
	size_t remove_marked(std::span<const IpAddr> vips);
	// Every address on lo now.
	std::vector<LocalAddr> list() { return dump(); }

private:
	std::vector<LocalAddr> dump();

	nl::Socket sock_;
	uint32_t lo_;
};

} // namespace vipctl::rtnl
