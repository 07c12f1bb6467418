#include "bot/messages/documents.h"

#include <cctype>

#include "bot/messages/message.h"

namespace muster {

std::optional<DocFormat> parse_doc_format(const std::string& name) {
    std::string n = name;
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == "markdown" || n == "md") return DocFormat::markdown;
    if (n == "html") return DocFormat::html;
    if (n == "json") return DocFormat::json;
    return std::nullopt;
}

const char* doc_format_name(DocFormat f) {
    switch (f) {
        case DocFormat::markdown:
            return "markdown";
        case DocFormat::html:
            return "html";
        case DocFormat::json:
            return "json";
    }
    return "?";
}

namespace {
const char* content_type(DocFormat f) {
    switch (f) {
        case DocFormat::markdown:
            return "text/markdown; charset=utf-8";
        case DocFormat::html:
            return "text/html; charset=utf-8";
        case DocFormat::json:
            return "application/json";
    }
    return "application/octet-stream";
}
}  // namespace

Document pir_document(const Pir& pir, DocFormat format, const Templates& templates) {
    switch (format) {
        case DocFormat::markdown:
            return {pir_markdown(pir, templates), content_type(format)};
        case DocFormat::html:
            return {pir_html(pir, templates), content_type(format)};
        case DocFormat::json:
            return {pir_json(pir), content_type(format)};
    }
    return {};
}

Document report_document(const Report& report, DocFormat format, const Templates& templates) {
    switch (format) {
        case DocFormat::markdown:
            return {report_markdown(report, templates), content_type(format)};
        case DocFormat::html:
            return {report_html(report, templates), content_type(format)};
        case DocFormat::json:
            return {dump_json(report_json(report), 2) + "\n", content_type(format)};
    }
    return {};
}

}  // namespace muster
