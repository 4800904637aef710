// SPDX-License-Identifier: GPL-2.0
#include "netns.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "error.hpp"

namespace vipctl {

void enter_netns(const std::string &name)
{
	const std::string path =
		name.find('/') == std::string::npos ? "/run/netns/" + name : name;
	const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		throw FinalError("netns " + name + ": " + path + ": " + std::strerror(errno));
	const int rc = setns(fd, CLONE_NEWNET);
	const int err = errno;
	close(fd);
	if (rc < 0)
		throw FinalError("netns " + name + ": cannot enter it: " + std::strerror(err));
}

} // namespace vipctl
