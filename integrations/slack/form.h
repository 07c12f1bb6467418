// application/x-www-form-urlencoded bodies, as Slack sends slash commands and interactions.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace muster {

// nullopt when the body is malformed (a bad %-escape).
std::optional<std::map<std::string, std::string>> parse_form(const std::string& body);
std::optional<std::string> url_decode(const std::string& s);
std::string url_encode(const std::string& s);

}  // namespace muster
