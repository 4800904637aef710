// SPDX-License-Identifier: GPL-2.0
#include "journal.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.hpp"
#include "output.hpp"

namespace vipctl {

namespace {

std::string field_name(const std::string &key)
{
	std::string out = "VIPFO_";
	for (char c : key)
		out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	return out;
}

// A scalar as text, a device as its name, a list comma-separated.
std::string value_text(const Json &v)
{
	if (v.is_string())
		return v.get<std::string>();
	if (v.is_object())
		return v.contains("ifname") ? value_text(v["ifname"]) : v.dump();
	if (v.is_array()) {
		std::string out;
		for (const Json &e : v)
			out += (out.empty() ? "" : ",") + value_text(e);
		return out;
	}
	return v.dump();
}

} // namespace

JournalFields event_fields(const proto::Event &ev)
{
	const Json j = event_json(ev);
	const std::string kind = j.value("event", "");
	const char *priority = kind == "failover" || kind == "conflict" ? "4"
			       : kind == "hold"				 ? "5"
										 : "6";
	JournalFields f{{"MESSAGE", render_event_text(ev)},
			{"PRIORITY", priority},
			{"SYSLOG_IDENTIFIER", "vipctl"}};
	for (const auto &[key, v] : j.items()) {
		if (v.is_null())
			continue;
		f.emplace_back(field_name(key == "failed" ? "device" : key), value_text(v));
		if (v.is_object() && v.contains("held_ms"))
			f.emplace_back("VIPFO_HELD_MS", value_text(v["held_ms"]));
	}
	return f;
}

std::string journal_entry(const JournalFields &fields)
{
	std::string out;
	for (const auto &[k, v] : fields) {
		if (v.find('\n') == std::string::npos) {
			out += k + "=" + v + "\n";
			continue;
		}
		out += k + "\n";
		uint64_t n = v.size();
		for (int i = 0; i < 8; i++)
			out += static_cast<char>((n >> (8 * i)) & 0xff);
		out += v + "\n";
	}
	return out;
}

Journal::Journal(std::string path) : fd_(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)), path_(std::move(path))
{
	if (fd_ < 0)
		throw Error("journal: socket: " + describe_errno(errno));
	sockaddr_un sa{};
	sa.sun_family = AF_UNIX;
	if (path_.size() >= sizeof(sa.sun_path)) {
		close(fd_);
		throw Error("journal: " + path_ + ": path too long");
	}
	std::memcpy(sa.sun_path, path_.c_str(), path_.size() + 1);
	if (connect(fd_, reinterpret_cast<const sockaddr *>(&sa), sizeof(sa)) < 0) {
		const int err = errno;
		close(fd_);
		throw Error("journal: " + path_ + ": " + std::strerror(err) +
			    " (is systemd-journald running?)");
	}
}

Journal::~Journal()
{
	close(fd_);
}

void Journal::send(const JournalFields &fields)
{
	const std::string entry = journal_entry(fields);
	if (::send(fd_, entry.data(), entry.size(), 0) < 0)
		throw Error("journal: " + path_ + ": " + std::strerror(errno));
}

} // namespace vipctl
