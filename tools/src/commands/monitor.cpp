// SPDX-License-Identifier: GPL-2.0
// vipctl monitor [-j|--json|--journal]: prints vipfo notifications as they
// arrive, or sends them to the systemd journal.
#include <array>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <utility>

#include "lib/client.hpp"
#include "commands.hpp"
#include "lib/error.hpp"
#include "lib/journal.hpp"
#include "lib/netlink.hpp"
#include "lib/output.hpp"

namespace vipctl {

namespace {

class Fd {
public:
	explicit Fd(int fd) : fd_(fd) {}
	Fd(Fd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	Fd &operator=(Fd &&) = delete;
	~Fd()
	{
		if (fd_ >= 0)
			close(fd_);
	}
	int get() const { return fd_; }

private:
	int fd_;
};

// SIGINT and SIGTERM arrive through a file descriptor, so that waiting
// for a notification and for a signal is one poll() and nothing races.
Fd signal_fd()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0)
		throw Error("sigprocmask: " + describe_errno(errno));
	Fd fd(signalfd(-1, &set, SFD_CLOEXEC));
	if (fd.get() < 0)
		throw Error("signalfd: " + describe_errno(errno));
	return fd;
}

// A module unloaded and loaded again registers its family anew, maybe
// with another id and group: follow it, and say so on stderr (stdout
// carries only events). *family is 0 while the module is away.
void follow_module(nl::Socket &sock, uint16_t *family, const nl::FamilyNotice &n)
{
	if (n.family.name != VIPFO_GENL_NAME)
		return;
	if (!n.registered) {
		*family = 0;
		std::cerr << "vipctl: monitor: the vipfo module was unloaded; waiting for it to be loaded again"
			  << std::endl;
		return;
	}
	const std::optional<uint32_t> id = n.family.mcast_group(VIPFO_MCGRP_EVENTS);
	if (!id)
		throw Error("the reloaded vipfo family has no multicast group \"" VIPFO_MCGRP_EVENTS "\"");
	sock.add_membership(*id);
	*family = n.family.id;
	std::cerr << "vipctl: monitor: the vipfo module was loaded again; following its events" << std::endl;
}

enum class Sink { Text, Json, Journal };

void monitor(Sink sink)
{
	std::optional<Journal> journal;
	if (sink == Sink::Journal)
		journal.emplace();
	Client client;
	nl::Socket sock = client.subscribe();
	uint16_t family = client.family().id;
	const Fd sig = signal_fd();

	const auto print = [&](const nlmsghdr *nlh) {
		try {
			if (const auto notice = nl::decode_family_notice(nlh)) {
				follow_module(sock, &family, *notice);
				return;
			}
			if (family == 0 || nlh->nlmsg_type != family)
				return;
			const proto::Event ev = proto::decode_event(nlh);
			if (journal)
				journal->send(event_fields(ev));
			else
				std::cout << (sink == Sink::Json ? dump_json(event_json(ev))
								 : render_event_text(ev))
					  << std::endl;
		} catch (const Error &e) {
			std::cerr << "vipctl: monitor: warning: " << e.what() << std::endl;
		}
	};

	for (;;) {
		std::array<pollfd, 2> pfd{{{sock.fd(), POLLIN, 0}, {sig.get(), POLLIN, 0}}};
		if (poll(pfd.data(), pfd.size(), -1) < 0) {
			if (errno == EINTR)
				continue;
			throw Error("poll: " + describe_errno(errno));
		}
		if (pfd[1].revents)
			return; // SIGINT or SIGTERM: a clean exit
		if (pfd[0].revents && !sock.receive(print))
			std::cerr << "vipctl: monitor: warning: receive buffer overrun, events were lost"
				  << std::endl;
	}
}

} // namespace

void setup_monitor(CLI::App &app)
{
	auto json = std::make_shared<bool>(false);
	auto journal = std::make_shared<bool>(false);
	CLI::App *cmd = app.add_subcommand("monitor", "Print vipfo events (changes, failovers, recoveries) as they happen");
	CLI::Option *j = cmd->add_flag("-j,--json", *json,
				       "One JSON object per line (schema: docs/vipctl-json.md)");
	cmd->add_flag("--journal", *journal,
		      "Send each event to the systemd journal, with its fields as VIPFO_GROUP, "
		      "VIPFO_DEVICE, VIPFO_REASON, VIPFO_VIP_COUNT, ...")
		->excludes(j);
	cmd->callback([json, journal] {
		with_context("monitor", [&] {
			monitor(*journal ? Sink::Journal : *json ? Sink::Json : Sink::Text);
		});
	});
}

} // namespace vipctl
