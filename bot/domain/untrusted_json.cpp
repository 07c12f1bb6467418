#include "bot/domain/untrusted_json.h"

#include <stdexcept>

namespace muster {

namespace {
struct TooDeep : std::runtime_error {
    using std::runtime_error::runtime_error;
};
}  // namespace

std::optional<nlohmann::json> parse_untrusted_json(std::string_view text, std::string* error,
                                                   int max_depth) {
    using event = nlohmann::json::parse_event_t;
    // `depth` is how many containers are open around the one starting.
    auto limit = [max_depth](int depth, event e, nlohmann::json&) {
        if ((e == event::object_start || e == event::array_start) && depth >= max_depth)
            throw TooDeep("JSON nested deeper than " + std::to_string(max_depth) + " levels");
        return true;
    };
    try {
        nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), limit, false);
        if (j.is_discarded()) {
            if (error) *error = "not valid JSON";
            return std::nullopt;
        }
        return j;
    } catch (const std::exception& e) {
        if (error) *error = e.what();
        return std::nullopt;
    }
}

std::string json_string(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return "";
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return "";
    return it->get<std::string>();
}

const nlohmann::json* json_object(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_object()) return nullptr;
    return &*it;
}

const nlohmann::json* json_array(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return nullptr;
    return &*it;
}

bool json_bool(const nlohmann::json& j, const char* key, bool fallback) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_boolean()) return fallback;
    return it->get<bool>();
}

std::optional<std::int64_t> json_int(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    if (it->is_number_unsigned() &&
        it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        return std::nullopt;
    return it->get<std::int64_t>();
}

}  // namespace muster
