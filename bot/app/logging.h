// Logging through spdlog: text or JSON lines on stderr, level from config. Every line passes a
// redacting sink that masks the configured secrets, so even a careless log call cannot leak one.
#pragma once

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

namespace muster {

struct LogOptions {
    std::string level = "info";
    std::string format = "text";  // text | json
};

std::string redact(std::string text, const std::vector<std::string>& secrets);

// Wraps `out` in the redactor and the chosen format, and makes it spdlog's default logger.
void install_logging(const LogOptions& options, const std::vector<std::string>& secrets,
                     spdlog::sink_ptr out = nullptr);

}  // namespace muster
