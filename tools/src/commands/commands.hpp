// SPDX-License-Identifier: GPL-2.0
// One setup function per command file: each registers its subcommand, its
// options and a callback that does the work (CLI11's subcom_in_files).
#pragma once

#include <CLI/CLI.hpp>

namespace vipctl {

void setup_group(CLI::App &app);   // group.cpp
void setup_dev(CLI::App &app);	   // dev.cpp
void setup_vip(CLI::App &app);	   // vip.cpp
void setup_show(CLI::App &app);	   // show.cpp
void setup_monitor(CLI::App &app); // monitor.cpp
void setup_apply(CLI::App &app);   // apply.cpp: apply, save
void setup_vrrp(CLI::App &app);	   // vrrp.cpp

// Every command above, in the order --help lists them (app.cpp): vipctl's
// own app has them, and so has the app of each line of a batch.
void setup_commands(CLI::App &app);

} // namespace vipctl
