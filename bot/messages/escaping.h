// Escaping user text for the document formats, once, by the renderer (a template never escapes
// by hand): HTML (text and attribute values) and Markdown (paragraphs and table cells alike).
// Text with right-to-left letters is wrapped in Unicode isolates (FSI … PDI) so it cannot
// reorder the punctuation around it (a table's pipes, a sentence's parentheses); direction
// controls of its own (U+202A–202E, U+2066–2069) are removed, so it can neither open a
// direction nor close the isolate early.
#pragma once

#include <string>

namespace muster {

// The entity for & < or > (the characters HTML, XML, Markdown and Slack mrkdwn all read as
// markup), or nullptr for any other byte. Every escaper below, and Slack's, starts from it.
const char* markup_entity(char c);
// & < > " ' as entities; line breaks as <br/> (well-formed XML as well as HTML): for text
// positions of a document.
std::string escape_html(const std::string& plain);
// Markdown's active punctuation backslash-escaped (\ ` * _ [ ] | ~, and # + - = or "1." at the
// start where they would begin a heading or a list), so a title can neither format nor link
// (CommonMark §2.4: any ASCII punctuation may be escaped; these are the ones that act);
// HTML's < > & as entities (Markdown renderers pass raw HTML through); a line break as <br/>, so
// a note with newlines or a "|" keeps a table row one row with its cells.
std::string escape_markdown(const std::string& plain);
// Plain text for a chat answer (the chat adapter escapes it for its own markup): one line, no
// direction controls.
std::string escape_plain(const std::string& plain);
// Text and attribute values inside SVG (XML): entities, a line break as a space.
std::string escape_svg_text(const std::string& plain);
// A coordinate for SVG: one decimal, "." as the separator whatever the locale.
std::string svg_number(double v);
// Whether the text has right-to-left letters (Hebrew, Arabic and their presentation forms).
bool has_rtl(const std::string& s);

}  // namespace muster
