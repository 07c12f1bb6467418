// The `muster` command line: serve, incidents, export, check-config, version.
#pragma once

#include <string>
#include <vector>

namespace muster {

int run_cli(int argc, char** argv);

}  // namespace muster
