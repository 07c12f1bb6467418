// JSON from outside Muster (request bodies, platform answers, webhook payloads): parsed with a
// nesting limit checked while parsing (nlohmann's parser callback), so a deeply nested document is
// a clear error instead of a stack overflow; and read with accessors that never throw, so a field
// of the wrong type reads as absent (the caller answers 400) instead of escaping as a type_error.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace muster {

// Deeper than any payload Slack, Teams, PagerDuty or Alertmanager sends (Block Kit nests < 10).
constexpr int kMaxJsonDepth = 64;

// The document, or nullopt with `error` saying why (syntax, or nesting deeper than max_depth).
std::optional<nlohmann::json> parse_untrusted_json(std::string_view text,
                                                   std::string* error = nullptr,
                                                   int max_depth = kMaxJsonDepth);

// j[key] when j is an object and the member is a string; "" otherwise.
std::string json_string(const nlohmann::json& j, const char* key);
// j[key] when j is an object and the member is an object (or array); nullptr otherwise.
const nlohmann::json* json_object(const nlohmann::json& j, const char* key);
const nlohmann::json* json_array(const nlohmann::json& j, const char* key);
// j[key] when it is a boolean; `fallback` otherwise.
bool json_bool(const nlohmann::json& j, const char* key, bool fallback);
// j[key] when it is an integer that fits; nullopt otherwise.
std::optional<std::int64_t> json_int(const nlohmann::json& j, const char* key);

}  // namespace muster
