// SPDX-License-Identifier: GPL-2.0
// All netlink I/O of vipctl: a socket owned RAII-style on top of libmnl,
// message building, attribute iteration, pipelined requests with
// extended-ack parsing, dumps that restart when interrupted, multicast, and
// generic netlink family resolution.
//
// libmnl builds, validates and walks the messages; the receive loop is
// ours: mnl_cb_run() follows one sequence number and turns an error into
// errno, dropping its extended ack, while vipctl pipelines many requests
// (one per VIP batch) and reports the kernel's message and offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

namespace vipctl::nl {

// One complete netlink message (nlmsghdr first). Requests are encoded into
// these; the socket fills in nlmsg_seq and nlmsg_pid when sending.
using Message = std::vector<std::byte>;

inline const nlmsghdr *header(const Message &m)
{
	return reinterpret_cast<const nlmsghdr *>(m.data());
}

// Builds one message with libmnl in a buffer of fixed capacity; putting an
// attribute that does not fit throws.
class MsgBuilder {
public:
	MsgBuilder(uint16_t type, uint16_t flags, size_t capacity);
	// nlmsghdr + genlmsghdr for a generic netlink family.
	static MsgBuilder genl(uint16_t family, uint8_t cmd, uint8_t version, uint16_t flags,
			       size_t capacity);

	// A fixed header after nlmsghdr (ifaddrmsg, genlmsghdr), zeroed.
	template <class T> T &put_header()
	{
		return *static_cast<T *>(mnl_nlmsg_put_extra_header(nlh(), sizeof(T)));
	}
	void put_u8(uint16_t type, uint8_t v);
	void put_u16(uint16_t type, uint16_t v);
	void put_u32(uint16_t type, uint32_t v);
	void put_u64(uint16_t type, uint64_t v);
	void put_strz(uint16_t type, std::string_view s);
	void put_bytes(uint16_t type, std::span<const uint8_t> b);
	nlattr *nest_start(uint16_t type);
	void nest_end(nlattr *nest);

	size_t size() const; // nlmsg_len so far
	nlmsghdr *nlh() { return reinterpret_cast<nlmsghdr *>(buf_.data()); }
	const nlmsghdr *nlh() const { return reinterpret_cast<const nlmsghdr *>(buf_.data()); }
	Message finish() const; // a copy of exactly nlmsg_len bytes

private:
	void check(bool ok) const;
	std::vector<std::byte> buf_;
};

// The attributes in a byte range, as a range for range-for.
class Attrs {
public:
	Attrs(const void *data, size_t len) : data_(static_cast<const nlattr *>(data)), len_(len) {}
	// The attributes of a message after its fixed header of offset bytes.
	static Attrs of(const nlmsghdr *nlh, size_t offset);
	static Attrs of(const nlattr *nest);

	class iterator {
	public:
		using value_type = const nlattr *;
		using difference_type = std::ptrdiff_t;
		iterator() = default;
		iterator(const nlattr *a, int left) : a_(a), left_(left) {}
		const nlattr *operator*() const { return a_; }
		iterator &operator++();
		void operator++(int) { ++*this; }
		bool operator==(std::default_sentinel_t) const;

	private:
		const nlattr *a_ = nullptr;
		int left_ = 0;
	};
	iterator begin() const { return {data_, static_cast<int>(len_)}; }
	std::default_sentinel_t end() const { return {}; }

private:
	const nlattr *data_;
	size_t len_;
};

// Typed attribute payloads; a wrong length throws Error("malformed ...").
uint16_t attr_type(const nlattr *a);
uint8_t attr_u8(const nlattr *a);
uint16_t attr_u16(const nlattr *a);
uint32_t attr_u32(const nlattr *a);
uint64_t attr_u64(const nlattr *a);
std::string attr_str(const nlattr *a); // up to the first NUL
std::span<const uint8_t> attr_bytes(const nlattr *a);

// The answer to one request: errno (0 when it worked) and, when the kernel
// gave them, the extended ack message and the offset of the attribute it
// points at (from the start of the request).
struct Ack {
	int error = 0;
	std::string extack;
	std::optional<uint32_t> offset;
};

// Decodes an NLMSG_ERROR (or the payload of NLMSG_DONE when done is set).
Ack parse_ack(const nlmsghdr *nlh, bool done = false);

using MsgFn = std::function<void(const nlmsghdr *)>;
using ReplyFn = std::function<void(size_t index, const nlmsghdr *)>;

// Reads the replies to one dump request: skips messages of other
// requests, passes the dump's messages on until one is flagged
// NLM_F_DUMP_INTR, and notes the end (NLMSG_DONE, or NLMSG_ERROR).
class DumpReader {
public:
	explicit DumpReader(uint32_t seq) : seq_(seq) {}
	void feed(const nlmsghdr *nlh, const MsgFn &on_msg);
	bool done() const { return done_; }
	bool interrupted() const { return interrupted_; }
	const Ack &result() const { return result_; }

private:
	uint32_t seq_;
	bool done_ = false;
	bool interrupted_ = false;
	Ack result_;
};

// Requests and dumps: what the vipfo client needs from a socket (and what
// the unit tests fake).
class Transport {
public:
	virtual ~Transport() = default;

	// Sends every message (they should carry NLM_F_ACK) pipelined: as many
	// per sendmsg as the socket buffers take, then reads the acks. Other
	// replies to message i go to on_reply(i, nlh). Returns one Ack per
	// message, in order.
	virtual std::vector<Ack> transact(std::span<const Message> msgs, const ReplyFn &on_reply) = 0;
	std::vector<Ack> transact(std::span<const Message> msgs) { return transact(msgs, ReplyFn()); }

	// Sends a dump request and passes every message to on_msg. If the dump
	// is flagged NLM_F_DUMP_INTR, calls on_restart and starts again, at most
	// tries times, then throws. A kernel error throws KernelError.
	virtual void dump(const Message &req, const std::function<void()> &on_restart, const MsgFn &on_msg,
			  int tries) = 0;
	void dump(const Message &req, const std::function<void()> &on_restart, const MsgFn &on_msg)
	{
		dump(req, on_restart, on_msg, 10);
	}

	// One request; throws KernelError when the kernel refuses it.
	void request(const Message &msg, const MsgFn &on_reply = {});
};

class Socket : public Transport {
public:
	// bus: NETLINK_GENERIC or NETLINK_ROUTE. Sets NETLINK_EXT_ACK and
	// NETLINK_CAP_ACK and enlarges the socket buffers where allowed.
	explicit Socket(int bus);

	int fd() const;
	uint32_t portid() const;
	void set_option(int optname, int value); // SOL_NETLINK
	void add_membership(uint32_t group);

	using Transport::dump;
	using Transport::transact;
	std::vector<Ack> transact(std::span<const Message> msgs, const ReplyFn &on_reply) override;
	void dump(const Message &req, const std::function<void()> &on_restart, const MsgFn &on_msg,
		  int tries) override;

	// Blocks for at least one datagram and passes its messages to on_msg
	// (notifications have nlmsg_seq 0). Returns false if the socket
	// overran (ENOBUFS: notifications were lost).
	bool receive(const MsgFn &on_msg);

	// How many messages / bytes one sendmsg carries at most.
	size_t window_msgs() const { return window_msgs_; }
	size_t window_bytes() const { return window_bytes_; }

private:
	struct Closer {
		void operator()(mnl_socket *s) const;
	};
	// Receives what is queued (waiting at most timeout_ms for the first
	// datagram, -1: forever) and calls fn for every message. Returns false
	// on ENOBUFS (the kernel dropped messages for us).
	bool recv_some(const MsgFn &fn, int timeout_ms);
	void recv_or_throw(const MsgFn &fn);

	std::unique_ptr<mnl_socket, Closer> sock_;
	uint32_t seq_;
	size_t window_msgs_ = 256;
	size_t window_bytes_ = 32768;
	std::unique_ptr<std::byte[]> rxbuf_;
};

// Generic netlink family as resolved through nlctrl.
struct GenlFamily {
	uint16_t id = 0;
	uint32_t version = 0;
	std::vector<std::pair<std::string, uint32_t>> mcast_groups;
	std::string name;

	std::optional<uint32_t> mcast_group(std::string_view name) const;
};

Message encode_get_family(std::string_view name);
GenlFamily decode_family(const nlmsghdr *nlh);

// nlctrl's "notify" group tells of families registered and unregistered
// (a module loaded or unloaded; its family id and groups may change).
struct FamilyNotice {
	bool registered;
	GenlFamily family;
};
// nullopt for any other message, nlctrl's other notifications included.
std::optional<FamilyNotice> decode_family_notice(const nlmsghdr *nlh);
// Asks nlctrl (which loads the module by alias when it can); nullopt when
// there is no such family.
std::optional<GenlFamily> resolve_family(Transport &io, std::string_view name);

} // namespace vipctl::nl
