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

class Storage;

// `muster incidents`: a page of the listing (or --all of them), as a table or JSON.
struct ListingOptions {
    bool open_only = false, as_json = false, all = false;
    std::string since, cursor;
    int limit = 100;
};
int list_incidents(Storage& db, const ListingOptions& o);

// `muster export` and `muster report`.
struct DocumentOptions {
    std::string id, format = "markdown", out, tz, since, until;
};
int export_document(Storage& db, const Config& cfg, const DocumentOptions& o);
int report_document(Storage& db, const Config& cfg, const DocumentOptions& o);

}  // namespace muster
