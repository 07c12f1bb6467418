// libFuzzer target: bytes on a connection, read with exactly the server's parser configuration
// and buffer bound (bot/http_server_beast.cpp). No input may throw, crash, or be accepted with a
// body over the limit.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bot/server/http_server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    // Small limits, so the fuzzer reaches every limit quickly; and the shipped defaults.
    muster::HttpServerOptions small;
    small.max_body_bytes = 64;
    small.max_header_bytes = 1024;
    for (const auto& options : {small, muster::HttpServerOptions{}}) {
        const auto r = muster::parse_http_request(bytes, options);
        if (r.complete && r.request.body.size() > options.max_body_bytes) std::abort();
        if (!r.complete && r.status != 0 && r.status != 400 && r.status != 413 && r.status != 431)
            std::abort();
    }
    return 0;
}
