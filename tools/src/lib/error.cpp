// SPDX-License-Identifier: GPL-2.0
#include "error.hpp"

#include <cerrno>
#include <cstring>

namespace vipctl {

namespace {

std::string kernel_message(int err, const std::string &extack, const std::string &subject)
{
	std::string s = subject.empty() ? std::string() : subject + ": ";
	return s + describe_errno(err, extack);
}

} // namespace

KernelError::KernelError(int err, std::string extack, std::string subject)
	: Error(kernel_message(err, extack, subject)), err_(err), extack_(std::move(extack)),
	  subject_(std::move(subject))
{
}

std::string describe_errno(int err, std::string_view extack)
{
	if (err == EPERM) {
		// The kernel says what is missing; an older module says nothing.
		if (!extack.empty())
			return std::string("operation not permitted: ").append(extack);
		return "operation not permitted (need CAP_NET_ADMIN)";
	}
	if (!extack.empty())
		return std::string(extack);
	std::string s = std::strerror(err);
	// strerror() says "No such device"; our lines are lower case.
	if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z'))
		s[0] = static_cast<char>(s[0] - 'A' + 'a');
	return s;
}

std::string error_line(const std::exception &e)
{
	return std::string("vipctl: ") + e.what();
}

} // namespace vipctl
