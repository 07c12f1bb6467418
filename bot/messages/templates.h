// Messages from Mustache templates. Each template renders a JSON document of the neutral message
// model; values are JSON-escaped as they are substituted, so no input can break the document.
// The shipped templates are compiled in; a file of the same name in templates.dir overrides one
// (read at start-up).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/messages/message.h"

namespace muster {

const std::map<std::string, std::string>& embedded_templates();
// The names each template's data has (templates/README.md); "." (the current item) is always
// allowed. A template that uses another name fails check().
const std::map<std::string, std::vector<std::string>>& template_variables();
// The tags of `text` that name no variable of `name`, and its syntax error, as
// "<origin>:<line>: …" problems (empty when the template is fine).
std::vector<std::string> template_problems(const std::string& name, const std::string& text,
                                           const std::string& origin);

// How a document template's {{values}} are escaped.
enum class DocumentFormat { markdown, html, plain };  // plain: a chat answer

// Whether `name` is a document template (rendered to text: pir_markdown, pir_html, report_*)
// rather than a message template (rendered to the neutral message model).
bool is_document_template(const std::string& name);

// A list too long to hold as template data (a PIR's 100,000 timeline rows): the section
// {{#name}}…{{/name}} is rendered once per item as `each` produces them. The items see the
// other values too, as in any section; {{^name}} sees whether the list is empty.
struct StreamedList {
    std::string name;
    bool empty = true;
    std::function<void(const std::function<void(const nlohmann::json&)>&)> each;
};

class Templates {
  public:
    explicit Templates(std::string override_dir = "");
    // Throws std::runtime_error naming the template when it cannot produce a message.
    Message render(const std::string& name, const nlohmann::json& data) const;
    // A document template rendered to text, every {{value}} escaped for `format` ({{{value}}}
    // is for markup Muster made itself, the SVG timeline). Throws like render(), after falling
    // back to the built-in template as render() does.
    std::string render_document(const std::string& name, const nlohmann::json& data,
                                DocumentFormat format, const StreamedList* list = nullptr) const;
    // Problems with the templates in use, as "<file>:<line>: …" (syntax errors, unknown
    // variables, a message template whose output is not a message).
    std::vector<std::string> check() const;
    // At start-up: overrides with problems are not used (the shipped template is), and their
    // problems are returned to be logged. check-config fails on the same problems instead.
    std::vector<std::string> drop_broken_overrides();
    std::string source_of(const std::string& name) const;  // a path, or "(built in)"

  private:
    std::vector<std::string> check_one(const std::string& name) const;
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
