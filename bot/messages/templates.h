// Messages from Mustache templates. Each template renders a JSON document of the neutral message
// model; values are JSON-escaped as they are substituted, so no input can break the document.
// The shipped templates are compiled in; a file of the same name in templates.dir overrides one
// (read at start-up).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/messages/message.h"

namespace muster {

const std::map<std::string, std::string>& embedded_templates();

class Templates {
  public:
    explicit Templates(std::string override_dir = "");
    // Throws std::runtime_error naming the template when it cannot produce a message.
    Message render(const std::string& name, const nlohmann::json& data) const;
    // Problems with the override files (parse errors, output that is not a message).
    std::vector<std::string> check() const;
    std::string source_of(const std::string& name) const;  // a path, or "(built in)"

  private:
    std::string text_of(const std::string& name, std::string* origin) const;
    std::string dir_;
    // Override files are read once, at construction: rendering happens inside the request's
    // write and must not touch the file system. Changing an override needs a restart.
    std::map<std::string, std::pair<std::string, std::string>> overrides_;  // name → (path, text)
    // Parsed templates by text (the Mustache library stays inside templates.cpp).
    struct Parsed;
    mutable std::mutex parsed_mu_;
    mutable std::map<std::string, std::shared_ptr<Parsed>> parsed_;
};

}  // namespace muster
