// SPDX-License-Identifier: GPL-2.0
// The vipfo operations the commands use: each resolves the family, sends
// what vipfo_proto encodes through the netlink layer and turns failures
// into errors naming what the kernel pointed at. Multi-request changes
// are all-or-nothing: later failures roll the earlier requests back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "addr.hpp"
#include "error.hpp"
#include "netlink.hpp"
#include "vipfo_proto.hpp"

namespace vipctl {

// "vipfo module not loaded (try: modprobe vipfo)"
[[noreturn]] void throw_module_not_loaded();

// A transport with the vipfo family resolved on it.
struct Connection {
	std::shared_ptr<nl::Transport> io;
	nl::GenlFamily family;
};

// Opens a generic netlink socket and resolves the vipfo family; throws
// FinalError when it does not exist.
Connection connect();

class Client {
public:
	// While one lives, every Client made with the first constructor uses
	// one connection, opened by the first of them: a batch of thousands
	// of commands opens one socket and asks nlctrl once. A failed open is
	// not kept. The socket stays in the namespace it was opened in.
	class Shared {
	public:
		explicit Shared(std::function<Connection()> open = connect);
		~Shared();
		Shared(const Shared &) = delete;
		Shared &operator=(const Shared &) = delete;

	private:
		friend class Client;
		const Connection &get();

		std::function<Connection()> open_;
		std::optional<Connection> conn_;
		Shared *outer_;
	};

	// The Shared connection when one is live, else a connection of its own.
	explicit Client(size_t batch_limit = proto::kBatchLimit);
	// Over another transport, with the family known (unit tests).
	Client(std::unique_ptr<nl::Transport> io, nl::GenlFamily family,
	       size_t batch_limit = proto::kBatchLimit);

	void group_new(std::string_view name, const proto::GroupOptions &opts,
		       std::span<const DevRef> devs, std::span<const IpAddr> vips);
	void group_del(std::string_view name);
	void group_set(std::string_view name, const proto::GroupOptions &opts);
	// cmd: VIPFO_CMD_DEV_ADD or VIPFO_CMD_DEV_DEL
	void devs(uint8_t cmd, std::string_view name, std::span<const DevRef> devs);
	// cmd: VIPFO_CMD_VIP_ADD or VIPFO_CMD_VIP_DEL; all or nothing.
	void vips(uint8_t cmd, std::string_view name, std::span<const IpAddr> vips);
	// Best-effort inverse of vips(): errors are swallowed (used for undo).
	void vips_undo(uint8_t cmd, std::string_view name, std::span<const IpAddr> vips);

	// Every group, or only the one named (empty result: no such group).
	std::vector<proto::Group> groups(std::optional<std::string_view> name = std::nullopt);
	// The same, part by part as the dump arrives (proto::merge_group()
	// says how parts make groups), for listings that must not hold every
	// VIP. on_restart: the dump was interrupted by a change and starts
	// again, so what the parts so far said is void. False: the name
	// given is no group's.
	bool dump_groups(std::optional<std::string_view> name, const std::function<void()> &on_restart,
			 const std::function<void(proto::Group &&)> &on_part);

	// A socket subscribed to the "events" multicast group, and to nlctrl's
	// "notify" group: the module's unload and reload (nl::FamilyNotice).
	nl::Socket subscribe();

	const nl::GenlFamily &family() const { return family_; }

	// A change that applied may come with a warning from the kernel (the
	// ack's message, as iproute2 prints "Warning: ..."): it goes to fn,
	// once per operation. By default to stderr, "vipctl: warning: MSG".
	using WarnFn = std::function<void(const std::string &)>;
	void on_warning(WarnFn fn) { warn_ = std::move(fn); }

private:
	// The warnings of the successful acks, each text once.
	void warn(std::span<const nl::Ack> acks) const;

	// Sends requests in order; if one fails, undoes the ones that worked
	// with undo and throws the failure.
	void all_or_nothing(std::span<const proto::Request> reqs, std::span<const IpAddr> vips,
			    std::span<const DevRef> devs, uint8_t undo_cmd, std::string_view name,
			    bool undo_by_group_del);

	std::shared_ptr<nl::Transport> io_;
	nl::GenlFamily family_;
	size_t batch_limit_;
	WarnFn warn_;
};

// While one lives, the kernel's warnings printed to stderr say where the
// command came from: "vipctl: FILE:LINE: warning: ..." for a batch line.
class WarningPlace {
public:
	explicit WarningPlace(std::string where);
	~WarningPlace();
	WarningPlace(const WarningPlace &) = delete;
	WarningPlace &operator=(const WarningPlace &) = delete;

private:
	std::string outer_;
};

// Turns a failed ack into a KernelError naming the VIP or device that the
// kernel's offset points at, if any.
KernelError kernel_error(const nl::Ack &ack, const nl::Message &request,
			 std::span<const DevRef> devs = {});

} // namespace vipctl
