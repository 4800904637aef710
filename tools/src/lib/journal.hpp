// SPDX-License-Identifier: GPL-2.0
// vipctl monitor --journal: events as systemd journal entries with
// structured fields (VIPFO_GROUP, VIPFO_DEVICE, VIPFO_REASON, ...), sent
// with the journal's native protocol: one datagram per entry on
// /run/systemd/journal/socket.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "vipfo_proto.hpp"

namespace vipctl {

using JournalFields = std::vector<std::pair<std::string, std::string>>;

// MESSAGE (the text monitor prints), PRIORITY (warning for failovers and
// conflicts, notice for hold-downs, info for the rest), SYSLOG_IDENTIFIER
// and the event's own fields as VIPFO_*: docs/vipctl-json.md's keys in
// upper case, a device as its name (VIPFO_DEVICE also for the failed one
// of a failover), lists comma-separated.
JournalFields event_fields(const proto::Event &ev);

// The entry as the native protocol wants it: KEY=VALUE lines, or for a
// value with a newline KEY, a newline, its length (64-bit little endian)
// and the value.
std::string journal_entry(const JournalFields &fields);

class Journal {
public:
	// Connects to the journal's socket (path: for tests); throws Error
	// when there is none.
	explicit Journal(std::string path = "/run/systemd/journal/socket");
	Journal(const Journal &) = delete;
	Journal &operator=(const Journal &) = delete;
	~Journal();

	void send(const JournalFields &fields);

private:
	int fd_;
	std::string path_;
};

} // namespace vipctl
