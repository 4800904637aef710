// SPDX-License-Identifier: GPL-2.0
#include "netlink.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>
#include <linux/genetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include "error.hpp"

namespace vipctl::nl {

namespace {

// Receive slots for recvmmsg: a netlink datagram is at most 32 KiB for
// dumps; notifications and acks are far smaller.
constexpr size_t kSlotSize = 64 * 1024;
constexpr size_t kSlots = 16;
// Socket buffers we ask for (SO_*BUFFORCE needs CAP_NET_ADMIN, which every
// changing command needs anyway; without it we get what rmem_max allows).
constexpr int kBufSize = 8 * 1024 * 1024;
// What one queued ack costs in the receive buffer (skb truesize), with
// room to spare. More acks than fit would be dropped by the kernel.
constexpr size_t kAckCost = 2048;
// Waiting for the kernel: genetlink and rtnetlink answer while we are in
// sendmsg, so this only guards against a hang.
constexpr int kTimeoutMs = 30000;

std::string errno_text(int err)
{
	return describe_errno(err);
}

int get_sockopt_int(int fd, int name)
{
	int v = 0;
	socklen_t len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, name, &v, &len) < 0)
		return 0;
	return v;
}

void grow_buffer(int fd, int force, int plain)
{
	const int size = kBufSize;
	if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &size, sizeof(size));
}

} // namespace

// --- MsgBuilder ---

MsgBuilder::MsgBuilder(uint16_t type, uint16_t flags, size_t capacity) : buf_(capacity)
{
	if (capacity < MNL_NLMSG_HDRLEN)
		throw Error("netlink message buffer too small");
	nlmsghdr *h = mnl_nlmsg_put_header(buf_.data());
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
}

MsgBuilder MsgBuilder::genl(uint16_t family, uint8_t cmd, uint8_t version, uint16_t flags,
			    size_t capacity)
{
	MsgBuilder b(family, flags, capacity);
	auto &g = b.put_header<genlmsghdr>();
	g.cmd = cmd;
	g.version = version;
	return b;
}

void MsgBuilder::check(bool ok) const
{
	if (!ok)
		throw Error("netlink message too large (" + std::to_string(size()) + " of " +
			    std::to_string(buf_.size()) + " bytes used)");
}

void MsgBuilder::put_u8(uint16_t type, uint8_t v)
{
	check(mnl_attr_put_u8_check(nlh(), buf_.size(), type, v));
}

void MsgBuilder::put_u16(uint16_t type, uint16_t v)
{
	check(mnl_attr_put_u16_check(nlh(), buf_.size(), type, v));
}

void MsgBuilder::put_u32(uint16_t type, uint32_t v)
{
	check(mnl_attr_put_u32_check(nlh(), buf_.size(), type, v));
}

void MsgBuilder::put_u64(uint16_t type, uint64_t v)
{
	check(mnl_attr_put_u64_check(nlh(), buf_.size(), type, v));
}

void MsgBuilder::put_strz(uint16_t type, std::string_view s)
{
	const std::string z(s); // NUL-terminated copy
	check(mnl_attr_put_check(nlh(), buf_.size(), type, z.size() + 1, z.c_str()));
}

void MsgBuilder::put_bytes(uint16_t type, std::span<const uint8_t> b)
{
	check(mnl_attr_put_check(nlh(), buf_.size(), type, b.size(), b.data()));
}

nlattr *MsgBuilder::nest_start(uint16_t type)
{
	nlattr *n = mnl_attr_nest_start_check(nlh(), buf_.size(), type);
	check(n != nullptr);
	return n;
}

void MsgBuilder::nest_end(nlattr *nest)
{
	mnl_attr_nest_end(nlh(), nest);
}

size_t MsgBuilder::size() const
{
	return nlh()->nlmsg_len;
}

Message MsgBuilder::finish() const
{
	return Message(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(size()));
}

// --- attributes ---

Attrs Attrs::of(const nlmsghdr *nlh, size_t offset)
{
	const size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(offset);
	if (nlh->nlmsg_len < hdr)
		throw Error("malformed netlink message (" + std::to_string(nlh->nlmsg_len) +
			    " bytes)");
	return {reinterpret_cast<const char *>(nlh) + hdr, nlh->nlmsg_len - hdr};
}

Attrs Attrs::of(const nlattr *nest)
{
	return {mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest)};
}

Attrs::iterator &Attrs::iterator::operator++()
{
	left_ -= static_cast<int>(MNL_ALIGN(a_->nla_len));
	a_ = mnl_attr_next(a_);
	return *this;
}

bool Attrs::iterator::operator==(std::default_sentinel_t) const
{
	return a_ == nullptr || !mnl_attr_ok(a_, left_);
}

namespace {

// libmnl checks an integer attribute's length (exactly its type's size)
// and reads it; the error says what arrived.
template <typename T, mnl_attr_data_type Type, T (*Get)(const nlattr *)>
T attr_int(const nlattr *a)
{
	if (mnl_attr_validate(a, Type) < 0)
		throw Error("malformed netlink attribute " + std::to_string(attr_type(a)) + " (" +
			    std::to_string(mnl_attr_get_payload_len(a)) + " bytes, expected " +
			    std::to_string(sizeof(T)) + ")");
	return Get(a);
}

} // namespace

uint16_t attr_type(const nlattr *a)
{
	return mnl_attr_get_type(a);
}

uint8_t attr_u8(const nlattr *a)
{
	return attr_int<uint8_t, MNL_TYPE_U8, mnl_attr_get_u8>(a);
}

uint16_t attr_u16(const nlattr *a)
{
	return attr_int<uint16_t, MNL_TYPE_U16, mnl_attr_get_u16>(a);
}

uint32_t attr_u32(const nlattr *a)
{
	return attr_int<uint32_t, MNL_TYPE_U32, mnl_attr_get_u32>(a);
}

uint64_t attr_u64(const nlattr *a)
{
	return attr_int<uint64_t, MNL_TYPE_U64, mnl_attr_get_u64>(a);
}

std::string attr_str(const nlattr *a)
{
	const char *p = static_cast<const char *>(mnl_attr_get_payload(a));
	return std::string(p, strnlen(p, mnl_attr_get_payload_len(a)));
}

std::span<const uint8_t> attr_bytes(const nlattr *a)
{
	return {static_cast<const uint8_t *>(mnl_attr_get_payload(a)), mnl_attr_get_payload_len(a)};
}

// --- acks ---

Ack parse_ack(const nlmsghdr *nlh, bool done)
{
	Ack ack;
	size_t tlv_offset;

	if (done) {
		// NLMSG_DONE carries an int (the dump's error) and maybe TLVs.
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
			return ack;
		int err;
		std::memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		ack.error = -err;
		tlv_offset = sizeof(int);
	} else {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr))
			throw Error("malformed netlink error message");
		const auto *e = static_cast<const nlmsgerr *>(mnl_nlmsg_get_payload(nlh));
		ack.error = -e->error;
		tlv_offset = sizeof(nlmsgerr);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			tlv_offset += e->msg.nlmsg_len >= sizeof(nlmsghdr)
					      ? e->msg.nlmsg_len - sizeof(nlmsghdr)
					      : 0;
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    MNL_NLMSG_HDRLEN + MNL_ALIGN(tlv_offset) > nlh->nlmsg_len)
		return ack;
	for (const nlattr *a : Attrs::of(nlh, tlv_offset)) {
		switch (attr_type(a)) {
		case NLMSGERR_ATTR_MSG:
			ack.extack = attr_str(a);
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_get_payload_len(a) == 4)
				ack.offset = attr_u32(a);
			break;
		default:
			break;
		}
	}
	return ack;
}

// --- Socket ---

void Socket::Closer::operator()(mnl_socket *s) const
{
	mnl_socket_close(s);
}

Socket::Socket(int bus) : seq_(static_cast<uint32_t>(time(nullptr)))
{
	sock_.reset(mnl_socket_open(bus));
	if (!sock_)
		throw Error("cannot open netlink socket: " + errno_text(errno));
	if (mnl_socket_bind(sock_.get(), 0, MNL_SOCKET_AUTOPID) < 0)
		throw Error("cannot bind netlink socket: " + errno_text(errno));

	int one = 1;
	// Both exist since Linux 4.12/4.3; older kernels just give less detail.
	mnl_socket_setsockopt(sock_.get(), NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sock_.get(), NETLINK_CAP_ACK, &one, sizeof(one));

	grow_buffer(fd(), SO_SNDBUFFORCE, SO_SNDBUF);
	grow_buffer(fd(), SO_RCVBUFFORCE, SO_RCVBUF);
	// netlink_sendmsg() refuses datagrams longer than sk_sndbuf - 32; a
	// margin keeps us clear of it. Acks must fit in the receive buffer.
	const int snd = get_sockopt_int(fd(), SO_SNDBUF);
	const int rcv = get_sockopt_int(fd(), SO_RCVBUF);
	window_bytes_ = std::clamp<size_t>(snd > 1024 ? static_cast<size_t>(snd) - 1024 : 0,
					   16384, 1024 * 1024);
	window_msgs_ = std::clamp<size_t>(static_cast<size_t>(std::max(rcv, 0)) / 2 / kAckCost, 16,
					  4096);

	rxbuf_ = std::make_unique_for_overwrite<std::byte[]>(kSlots * kSlotSize);
}

int Socket::fd() const
{
	return mnl_socket_get_fd(sock_.get());
}

uint32_t Socket::portid() const
{
	return mnl_socket_get_portid(sock_.get());
}

void Socket::set_option(int optname, int value)
{
	if (mnl_socket_setsockopt(sock_.get(), optname, &value, sizeof(value)) < 0)
		throw Error("netlink socket option " + std::to_string(optname) + ": " +
			    errno_text(errno));
}

void Socket::add_membership(uint32_t group)
{
	set_option(NETLINK_ADD_MEMBERSHIP, static_cast<int>(group));
}

bool Socket::recv_some(const MsgFn &fn, int timeout_ms)
{
	pollfd pfd{fd(), POLLIN, 0};
	for (;;) {
		const int r = poll(&pfd, 1, timeout_ms);
		if (r > 0)
			break;
		if (r == 0)
			throw Error("no answer from the kernel");
		if (errno != EINTR)
			throw Error("netlink poll: " + errno_text(errno));
	}

	std::array<mmsghdr, kSlots> hdrs{};
	std::array<iovec, kSlots> iov{};
	std::array<sockaddr_nl, kSlots> from{};
	for (size_t i = 0; i < kSlots; i++) {
		iov[i] = {rxbuf_.get() + i * kSlotSize, kSlotSize};
		hdrs[i].msg_hdr.msg_iov = &iov[i];
		hdrs[i].msg_hdr.msg_iovlen = 1;
		hdrs[i].msg_hdr.msg_name = &from[i];
		hdrs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	int n;
	do {
		n = recvmmsg(fd(), hdrs.data(), kSlots, MSG_DONTWAIT, nullptr);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return true;
		if (errno == ENOBUFS)
			return false;
		throw Error("netlink receive: " + errno_text(errno));
	}
	for (int i = 0; i < n; i++) {
		if (hdrs[i].msg_hdr.msg_flags & MSG_TRUNC)
			throw Error("netlink message truncated");
		if (from[i].nl_pid != 0)
			continue; // not from the kernel
		const auto *nlh = reinterpret_cast<const nlmsghdr *>(iov[i].iov_base);
		int len = static_cast<int>(hdrs[i].msg_len);
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			fn(nlh);
	}
	return true;
}

void Socket::recv_or_throw(const MsgFn &fn)
{
	if (!recv_some(fn, kTimeoutMs))
		throw Error("netlink receive buffer overrun: replies were lost");
}

std::vector<Ack> Socket::transact(std::span<const Message> msgs, const ReplyFn &on_reply)
{
	std::vector<Ack> acks(msgs.size());
	std::vector<bool> acked(msgs.size());
	std::vector<std::byte> out;

	for (size_t i = 0; i < msgs.size();) {
		const uint32_t base = seq_;
		size_t j = i;
		out.clear();
		while (j < msgs.size() && j - i < window_msgs_ &&
		       (j == i || out.size() + MNL_ALIGN(msgs[j].size()) <= window_bytes_)) {
			const size_t at = out.size();
			out.resize(at + MNL_ALIGN(msgs[j].size()));
			std::copy(msgs[j].begin(), msgs[j].end(), out.begin() + static_cast<long>(at));
			auto *h = reinterpret_cast<nlmsghdr *>(out.data() + at);
			h->nlmsg_seq = seq_++;
			h->nlmsg_pid = 0;
			j++;
		}
		if (mnl_socket_sendto(sock_.get(), out.data(), out.size()) < 0)
			throw Error("netlink send: " + errno_text(errno));

		size_t pending = j - i;
		while (pending > 0) {
			recv_or_throw(
				[&](const nlmsghdr *nlh) {
					const uint32_t k = nlh->nlmsg_seq - base;
					if (k >= j - i)
						return; // stale or foreign
					const size_t idx = i + k;
					if (nlh->nlmsg_type == NLMSG_ERROR) {
						acks[idx] = parse_ack(nlh);
						if (!acked[idx]) {
							acked[idx] = true;
							pending--;
						}
					} else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && on_reply) {
						on_reply(idx, nlh);
					}
				});
		}
		i = j;
	}
	return acks;
}

void Transport::request(const Message &msg, const MsgFn &on_reply)
{
	const std::vector<Ack> acks = transact(std::span<const Message>(&msg, 1),
					       [&](size_t, const nlmsghdr *nlh) {
						       if (on_reply)
							       on_reply(nlh);
					       });
	if (acks[0].error)
		throw KernelError(acks[0].error, acks[0].extack);
}

void DumpReader::feed(const nlmsghdr *nlh, const MsgFn &on_msg)
{
	if (done_ || nlh->nlmsg_seq != seq_)
		return;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		interrupted_ = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_DONE:
		done_ = true;
		result_ = parse_ack(nlh, true);
		break;
	case NLMSG_ERROR:
		done_ = true;
		result_ = parse_ack(nlh);
		break;
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		break;
	default:
		// After an interruption the rest is read but thrown away.
		if (!interrupted_)
			on_msg(nlh);
		break;
	}
}

void Socket::dump(const Message &req, const std::function<void()> &on_restart, const MsgFn &on_msg,
		  int tries)
{
	for (int t = 0; t < tries; t++) {
		if (t > 0) {
			// Changes come in bursts (e.g. IPv6 DAD finishing for a batch of
			// addresses): back off a little more each time.
			std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5 << t, 200)));
			if (on_restart)
				on_restart();
		}
		Message m = req;
		auto *h = reinterpret_cast<nlmsghdr *>(m.data());
		h->nlmsg_seq = seq_++;
		h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
		if (mnl_socket_sendto(sock_.get(), m.data(), m.size()) < 0)
			throw Error("netlink send: " + errno_text(errno));

		DumpReader reader(h->nlmsg_seq);
		while (!reader.done())
			recv_or_throw([&](const nlmsghdr *nlh) { reader.feed(nlh, on_msg); });
		if (reader.result().error)
			throw KernelError(reader.result().error, reader.result().extack);
		if (!reader.interrupted())
			return;
	}
	throw Error("dump interrupted by concurrent changes " + std::to_string(tries) +
		    " times, giving up");
}

bool Socket::receive(const MsgFn &on_msg)
{
	return recv_some(on_msg, -1);
}

// --- generic netlink family ---

std::optional<uint32_t> GenlFamily::mcast_group(std::string_view name) const
{
	for (const auto &[n, id] : mcast_groups)
		if (n == name)
			return id;
	return std::nullopt;
}

Message encode_get_family(std::string_view name)
{
	auto b = MsgBuilder::genl(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_REQUEST | NLM_F_ACK,
				  256);
	b.put_strz(CTRL_ATTR_FAMILY_NAME, name);
	return b.finish();
}

GenlFamily decode_family(const nlmsghdr *nlh)
{
	GenlFamily f;
	for (const nlattr *a : Attrs::of(nlh, sizeof(genlmsghdr))) {
		switch (attr_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			f.id = attr_u16(a);
			break;
		case CTRL_ATTR_VERSION:
			f.version = attr_u32(a);
			break;
		case CTRL_ATTR_FAMILY_NAME:
			f.name = attr_str(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			for (const nlattr *grp : Attrs::of(a)) {
				std::string name;
				std::optional<uint32_t> id;
				for (const nlattr *g : Attrs::of(grp)) {
					if (attr_type(g) == CTRL_ATTR_MCAST_GRP_NAME)
						name = attr_str(g);
					else if (attr_type(g) == CTRL_ATTR_MCAST_GRP_ID)
						id = attr_u32(g);
				}
				if (id)
					f.mcast_groups.emplace_back(name, *id);
			}
			break;
		default:
			break;
		}
	}
	if (f.id == 0)
		throw Error("malformed nlctrl reply: no family id");
	return f;
}

std::optional<FamilyNotice> decode_family_notice(const nlmsghdr *nlh)
{
	if (nlh->nlmsg_type != GENL_ID_CTRL || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(genlmsghdr)))
		return std::nullopt;
	const auto *genl = static_cast<const genlmsghdr *>(mnl_nlmsg_get_payload(nlh));
	if (genl->cmd != CTRL_CMD_NEWFAMILY && genl->cmd != CTRL_CMD_DELFAMILY)
		return std::nullopt;
	return FamilyNotice{genl->cmd == CTRL_CMD_NEWFAMILY, decode_family(nlh)};
}

std::optional<GenlFamily> resolve_family(Transport &io, std::string_view name)
{
	std::optional<GenlFamily> fam;
	const Message req = encode_get_family(name);
	const std::vector<Ack> acks = io.transact(std::span<const Message>(&req, 1),
						    [&](size_t, const nlmsghdr *nlh) {
							    if (nlh->nlmsg_type == GENL_ID_CTRL)
								    fam = decode_family(nlh);
						    });
	if (acks[0].error == ENOENT)
		return std::nullopt;
	if (acks[0].error)
		throw KernelError(acks[0].error, acks[0].extack);
	if (!fam)
		throw Error("no reply from nlctrl for family " + std::string(name));
	return fam;
}

} // namespace vipctl::nl
