// The PIR's Markdown and HTML (through the pir_markdown and pir_html templates) and its SVG
// timeline picture.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bot/messages/escaping.h"
#include "bot/messages/pir.h"

namespace muster {

nlohmann::json pir_template_data(const Pir& p) {
    const Incident& i = p.incident;
    nlohmann::json d = {
        {"id", i.id},
        {"title", i.title},
        {"drill", i.drill},
        {"severity", i.severity},
        {"severity_name", p.severity_name},
        {"status_label", status_label(i.status)},
        {"timezone", p.zone.name()},
        {"start", p.zone.date_time(i.declared_at)},
        {"end", i.resolved_at ? p.zone.date_time(*i.resolved_at)
                              : "still open at " + p.zone.date_time(p.end)},
        {"duration", pir_duration(p.end - i.declared_at)},
        {"impact", i.impact},
        {"root_cause", i.root_cause},
        {"source", i.source},
        {"link", p.source_link},
        {"generated_at", p.zone.date_time(p.generated_at)},
    };
    d["people"] = nlohmann::json::array();
    for (const auto& [role, who] : p.people) d["people"].push_back({{"role", role}, {"who", who}});
    d["metrics"] = nlohmann::json::array({
        {{"name", "Time to acknowledge"}, {"value", pir_duration(p.time_to_acknowledge)}},
        {{"name", "Time to mitigate (first Monitoring)"},
         {"value", pir_duration(p.time_to_mitigate)}},
        {{"name", "Time to resolve"}, {"value", pir_duration(p.time_to_resolve)}},
        {{"name", "Pages sent"}, {"value", std::to_string(p.pages_sent)}},
        {{"name", "Highest escalation level reached"},
         {"value", p.highest_level > 0 ? "L" + std::to_string(p.highest_level) : "none"}},
    });
    auto list = [](const std::vector<std::string>& items) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& t : items) out.push_back({{"text", t}});
        return out;
    };
    d["went_well"] = list(p.went_well);
    d["went_wrong"] = list(p.went_wrong);
    d["lessons"] = list(p.lessons);
    d["action_items"] = nlohmann::json::array();
    for (const auto& a : p.action_items)
        d["action_items"].push_back({{"number", std::to_string(a.number)},
                                     {"text", a.text},
                                     {"owner", a.owner.empty() ? "" : "@" + a.owner},
                                     {"due", a.due.value_or("")},
                                     {"status", a.status}});
    return d;
}

// Colours of the status bands (also in the legend; tests look for them in the picture).
const char* status_colour(Status s) {
    switch (s) {
        case Status::investigating:
            return "#d73a49";
        case Status::identified:
            return "#f0883e";
        case Status::monitoring:
            return "#d4a72c";
        case Status::resolved:
            return "#2da44e";
    }
    return "#8c959f";
}

std::string pir_svg(const Pir& p) {
    const double width = 960, left = 20, right = 940, band_y = 34, band_h = 34;
    const EpochMs t0 = p.incident.declared_at;
    const EpochMs t1 = std::max(p.end, t0 + 60'000);
    auto x = [&](EpochMs t) {
        return left + (right - left) * static_cast<double>(std::clamp(t, t0, t1) - t0) /
                          static_cast<double>(t1 - t0);
    };
    std::string s;
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 960 190\" width=\"960\" "
         "height=\"190\" role=\"img\" aria-label=\"Timeline of " +
         escape_svg_text(p.incident.id) +
         "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">";
    s += "<rect x=\"0\" y=\"0\" width=\"" + svg_number(width) +
         "\" height=\"190\" fill=\"#ffffff\"/>";
    s += "<text x=\"20\" y=\"20\" font-size=\"13\" font-weight=\"bold\">" +
         escape_svg_text(p.incident.id) + " · " + escape_svg_text(p.zone.date_time(t0)) + "</text>";
    // Status phases as bands.
    for (const auto& ph : p.phases) {
        const double x0 = x(ph.from), x1 = std::max(x(ph.to), x0 + 1.0);
        s += "<rect class=\"phase\" x=\"" + svg_number(x0) + "\" y=\"" + svg_number(band_y) +
             "\" width=\"" + svg_number(x1 - x0) + "\" height=\"" + svg_number(band_h) +
             "\" fill=\"" + status_colour(ph.status) + "\"><title>" + status_label(ph.status) +
             " " + escape_svg_text(p.zone.time_of_day(ph.from)) + "–" +
             escape_svg_text(p.zone.time_of_day(ph.to)) + "</title></rect>";
    }
    // Markers.
    const double my = 88;
    auto marker = [&](EpochMs at, const std::string& shape, const std::string& colour,
                      const std::string& label) {
        const double cx = x(at);
        s += "<g class=\"marker\"><title>" + escape_svg_text(p.zone.time_of_day(at) + " " + label) +
             "</title>";
        if (shape == "circle")
            s += "<circle cx=\"" + svg_number(cx) + "\" cy=\"" + svg_number(my) +
                 "\" r=\"5\" fill=\"" + colour + "\"/>";
        else if (shape == "diamond")
            s += "<path d=\"M" + svg_number(cx) + " " + svg_number(my - 7) + " L" +
                 svg_number(cx + 7) + " " + svg_number(my) + " L" + svg_number(cx) + " " +
                 svg_number(my + 7) + " L" + svg_number(cx - 7) + " " + svg_number(my) +
                 " Z\" fill=\"" + colour + "\"/>";
        else if (shape == "square")
            s += "<rect x=\"" + svg_number(cx - 3.5) + "\" y=\"" + svg_number(my + 10) +
                 "\" width=\"7\" height=\"7\" fill=\"" + colour + "\"/>";
        else
            s += "<path d=\"M" + svg_number(cx) + " " + svg_number(my - 8) + " L" +
                 svg_number(cx + 7) + " " + svg_number(my + 6) + " L" + svg_number(cx - 7) + " " +
                 svg_number(my + 6) + " Z\" fill=\"" + colour + "\"/>";
        s += "</g>";
    };
    for (const auto& m : p.markers) {
        switch (m.kind) {
            case PirMarker::declared:
                marker(m.at, "triangle", "#24292f", m.label);
                break;
            case PirMarker::page:
                marker(m.at, "circle", "#0969da", m.label);
                break;
            case PirMarker::acknowledged:
                marker(m.at, "diamond", "#8250df", m.label);
                break;
            case PirMarker::note:
                marker(m.at, "square", "#57606a", m.label);
                break;
            case PirMarker::resolved:
                marker(m.at, "triangle", "#2da44e", m.label);
                break;
        }
    }
    // Time axis, ticks at a round step in the document's zone.
    const double ay = 128;
    s += "<line x1=\"" + svg_number(left) + "\" y1=\"" + svg_number(ay) + "\" x2=\"" +
         svg_number(right) + "\" y2=\"" + svg_number(ay) +
         "\" stroke=\"#57606a\" stroke-width=\"1\"/>";
    static const EpochMs steps[] = {60'000,     5 * 60'000,      15 * 60'000,   30 * 60'000,
                                    3'600'000,  3 * 3'600'000,   6 * 3'600'000, 12 * 3'600'000,
                                    86'400'000, 7 * 86'400'000LL};
    EpochMs step = steps[0];
    for (EpochMs st : steps) {
        step = st;
        if ((t1 - t0) / st <= 8) break;
    }
    for (EpochMs t = (t0 / step + 1) * step; t < t1; t += step) {
        const double tx = x(t);
        s += "<line x1=\"" + svg_number(tx) + "\" y1=\"" + svg_number(ay) + "\" x2=\"" +
             svg_number(tx) + "\" y2=\"" + svg_number(ay + 5) + "\" stroke=\"#57606a\"/>";
        s += "<text x=\"" + svg_number(tx) + "\" y=\"" + svg_number(ay + 17) +
             "\" text-anchor=\"middle\">" +
             escape_svg_text(p.zone.format(t, step >= 86'400'000 ? "%m-%d" : "%H:%M")) + "</text>";
    }
    // Legend.
    double lx = left;
    const double ly = 168;
    for (Status st :
         {Status::investigating, Status::identified, Status::monitoring, Status::resolved}) {
        s += "<rect x=\"" + svg_number(lx) + "\" y=\"" + svg_number(ly - 9) +
             "\" width=\"10\" height=\"10\" fill=\"" + status_colour(st) + "\"/>";
        s += "<text x=\"" + svg_number(lx + 14) + "\" y=\"" + svg_number(ly) + "\">" +
             status_label(st) + "</text>";
        lx += 110;
    }
    s += "<text x=\"" + svg_number(lx + 10) + "\" y=\"" + svg_number(ly) +
         "\">▲ declared/resolved ● page ◆ acknowledged ■ note · times " +
         escape_svg_text(p.zone.name()) + "</text>";
    s += "</svg>";
    return s;
}

namespace {
// The timeline table's rows, made one at a time as the template is written.
// At most `max_rows`, then one row saying how many more.
StreamedList timeline_rows(const Pir& p, std::size_t max_rows = static_cast<std::size_t>(-1)) {
    StreamedList rows;
    rows.name = "timeline";
    rows.empty = p.events == 0;
    rows.each = [&p, max_rows](const std::function<void(const nlohmann::json&)>& emit) {
        if (!p.each_event) return;
        nlohmann::json row = nlohmann::json::object();
        std::size_t n = 0;
        p.each_event([&](const TimelineEvent& e) {
            if (n++ >= max_rows) return;
            PirRow r = pir_row(e);
            row["time"] = p.zone.date_time_seconds(r.at);
            row["event"] = std::move(r.event);
            row["details"] = std::move(r.details);
            row["who"] = std::move(r.who);
            emit(row);
        });
        if (n > max_rows)
            emit({{"time", "…"},
                  {"event", std::to_string(n - max_rows) + " more"},
                  {"details", "the whole timeline: muster export " + p.incident.id},
                  {"who", ""}});
    };
    return rows;
}
}  // namespace

std::string pir_markdown(const Pir& p, const Templates& templates) {
    const StreamedList rows = timeline_rows(p);
    return templates.render_document("pir_markdown", pir_template_data(p), DocumentFormat::markdown,
                                     &rows);
}

std::string pir_chat_text(const Pir& p, const Templates& templates, std::size_t max_rows) {
    const StreamedList rows = timeline_rows(p, max_rows);
    return templates.render_document("pir_markdown", pir_template_data(p), DocumentFormat::plain,
                                     &rows);
}

std::string pir_html(const Pir& p, const Templates& templates) {
    nlohmann::json d = pir_template_data(p);
    d["svg"] = pir_svg(p);
    const StreamedList rows = timeline_rows(p);
    return templates.render_document("pir_html", d, DocumentFormat::html, &rows);
}

}  // namespace muster
