// SPDX-License-Identifier: GPL-2.0
// What `vipctl apply` changes to make the running configuration equal to
// a file: the steps, computed without I/O from what the kernel reported
// and what the file says (unit-tested), and each step's inverse, which a
// failed apply runs to roll back what it did.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "addr.hpp"
#include "config_file.hpp"
#include "vipfo_proto.hpp"

namespace vipctl::config {

// The order steps run in: whatever frees a VIP or a device (removals)
// before whatever takes one (additions), so that moving either between
// groups works in one apply.
enum class Op {
	GroupDel,
	VipDel,
	DevDel,
	LocalDel,
	GroupSet,
	GroupNew,
	DevAdd,
	VipAdd,
	LocalAdd,
};

struct Step {
	// Set with designated initializers: {.op = Op::VipAdd, ...}.
	Op op = Op::GroupDel;
	std::string group = {};
	Where where = {};		// what the file says it for (empty for GroupDel)
	proto::GroupOptions options = {}; // GroupNew: to set; GroupSet: the changes;
					// GroupDel: the group's (to restore)
	proto::GroupOptions before = {}; // GroupSet: the values it changes
	std::vector<DevRef> devs = {};	// GroupNew, GroupDel (to restore), DevAdd, DevDel
	std::vector<IpAddr> vips = {};	// GroupNew, GroupDel (to restore), VipAdd, VipDel,
					// LocalAdd, LocalDel

	// One line for the plan and the log: "+ group web: vip 192.0.2.1".
	std::string str() const;
};

// What runs now: the groups and which addresses are on lo, and which of
// those carry vipctl's mark; the module's carrier_poll_min (0 if unknown),
// to which it raises the default carrier poll in a namespace of another
// user namespace.
struct Running {
	std::vector<proto::Group> groups;
	std::set<IpAddr> local;
	std::set<IpAddr> marked;
	uint32_t carrier_poll_floor = 0;
};

// The VRRP instances a keepalived notification is about: name -> master.
using VrrpStates = std::map<std::string, bool>;

// The devices of the file by ifindex: resolve(name) is 0 for a device
// that does not exist (the caller has dropped those, or failed). A group
// with a vrrp-instance gets its VIPs (and their local addresses) while
// that instance is master: as vrrp says, or when vrrp does not name it,
// as now (master when the group holds any VIP).
std::vector<Step> plan(const Config &want, const Running &have,
		       const IfResolver &resolve, const VrrpStates &vrrp = {});

// The step that undoes step.
Step inverse(const Step &step);

} // namespace vipctl::config
