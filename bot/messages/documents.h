// The documents Muster writes for people and scripts (the post-incident review, the report) in
// the three formats every entry point offers: `muster export` / `muster report`, /api/v1 and
// `/incident export` in chat all go through here, so they answer the same bytes.
#pragma once

#include <optional>
#include <string>

#include "bot/messages/pir.h"
#include "bot/messages/report.h"
#include "bot/messages/templates.h"

namespace muster {

enum class DocFormat { markdown, html, json };

// "markdown" (or "md"), "html", "json", any case; nullopt for anything else.
std::optional<DocFormat> parse_doc_format(const std::string& name);
const char* doc_format_name(DocFormat f);

struct Document {
    std::string body;          // UTF-8; JSON pretty-printed with a final newline
    std::string content_type;  // "text/markdown; charset=utf-8", "text/html; charset=utf-8", …
};

Document pir_document(const Pir& pir, DocFormat format, const Templates& templates);
Document report_document(const Report& report, DocFormat format, const Templates& templates);

}  // namespace muster
