// The `muster` command line: serve, incidents, export, check-config, version.
#pragma once

#include <string>

#include "bot/config/config.h"

namespace muster {

int run_cli(int argc, char** argv);

// `muster serve`: wires storage, the core, the integrations and the HTTP server; runs until
// SIGTERM/SIGINT, then drains. Returns the process exit code.
int serve(Config cfg, const std::string& listen);

// One line on stderr and a non-zero exit: how every command-line failure ends.
int fail(const std::string& message, int code = 1);

}  // namespace muster
