#include "bot/app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "bot/domain/clock.h"
#include "bot/domain/text.h"

namespace muster {

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& s : secrets) {
        if (s.size() < 4) continue;  // too short to mask without mangling ordinary words
        for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 10))
            text.replace(pos, s.size(), "[REDACTED]");
    }
    return text;
}

namespace {

// One JSON object per line: {"ts":…,"level":…,"msg":…}.
class JsonFormatter final : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch())
                .count();
        nlohmann::json j = {
            {"ts", format_rfc3339(ms)},
            {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                  spdlog::level::to_string_view(msg.level).size())},
            {"msg", std::string(msg.payload.data(), msg.payload.size())},
        };
        const std::string line =
            j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        dest.append(line.data(), line.data() + line.size());
    }
    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>();
    }
};

class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    RedactingSink(spdlog::sink_ptr inner, std::vector<std::string> secrets, bool escape)
        : inner_(std::move(inner)), secrets_(std::move(secrets)), escape_(escape) {}

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::string clean = redact(std::string(msg.payload.data(), msg.payload.size()), secrets_);
        // One event, one line: a newline or terminal escape inside logged text (a user id, a
        // title) is shown escaped, so it can neither forge a line nor drive the terminal. JSON
        // lines are escaped by the JSON encoder instead.
        if (escape_) clean = escape_controls(clean);
        spdlog::details::log_msg copy(msg);
        copy.payload = clean;
        inner_->log(copy);
    }
    void flush_() override { inner_->flush(); }

  private:
    spdlog::sink_ptr inner_;
    std::vector<std::string> secrets_;
    bool escape_;
};

}  // namespace

void install_logging(const LogOptions& options, const std::vector<std::string>& secrets,
                     spdlog::sink_ptr out) {
    if (!out) out = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    if (options.format == "json")
        out->set_formatter(std::make_unique<JsonFormatter>());
    else
        out->set_formatter(std::make_unique<spdlog::pattern_formatter>(
            "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc));
    auto sink = std::make_shared<RedactingSink>(out, secrets, options.format != "json");
    auto logger = std::make_shared<spdlog::logger>("muster", sink);
    logger->set_level(spdlog::level::from_str(options.level));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

}  // namespace muster
