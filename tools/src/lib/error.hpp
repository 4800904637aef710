// SPDX-License-Identifier: GPL-2.0
// Errors carry the one line vipctl prints: "vipctl: <context>: <what>".
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace vipctl {

// Something went wrong; what() says what, without the command context.
class Error : public std::runtime_error {
public:
	explicit Error(const std::string &what) : std::runtime_error(what) {}
};

// A message that is complete already: no command context is added to it.
class FinalError : public Error {
public:
	using Error::Error;
};

// The kernel rejected a request: errno and the extended ack message.
class KernelError : public Error {
public:
	// subject, when not empty, names the item the kernel pointed at.
	KernelError(int err, std::string extack, std::string subject = {});
	int err() const { return err_; }
	const std::string &extack() const { return extack_; }
	const std::string &subject() const { return subject_; }

private:
	int err_;
	std::string extack_;
	std::string subject_;
};

// "no such device"; for EPERM "operation not permitted: <extack>" (or
// "... (need CAP_NET_ADMIN)" without one); otherwise the extack text alone
// when the kernel gave one.
std::string describe_errno(int err, std::string_view extack = {});

// The line printed for an error, without the trailing newline.
std::string error_line(const std::exception &e);

// Runs f; an Error that escapes it becomes a FinalError prefixed with
// "<context>: ".
template <class F> void with_context(std::string_view context, F &&f)
{
	try {
		f();
	} catch (const FinalError &) {
		throw;
	} catch (const Error &e) {
		throw FinalError(std::string(context) + ": " + e.what());
	}
}

} // namespace vipctl
