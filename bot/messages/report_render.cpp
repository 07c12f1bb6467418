// The report's Markdown and HTML (through the report_markdown and report_html templates) and
// its SVG trend picture.
#include <algorithm>
#include <cstdio>

#include "bot/messages/escaping.h"
#include "bot/messages/pir.h"
#include "bot/messages/report.h"

namespace muster {

namespace {
std::string share(int part, int whole) {
    if (whole == 0) return "—";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * part / whole);
    return buf;
}

// "−37% (faster)", "+12% (slower)", "no change", or "—" without both numbers.
std::string change(const std::optional<EpochMs>& now, const std::optional<EpochMs>& before) {
    if (!now || !before || *before == 0) return "—";
    const double pct = 100.0 * static_cast<double>(*now - *before) / static_cast<double>(*before);
    if (pct > -0.5 && pct < 0.5) return "no change";
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%.0f%% (%s)", pct < 0 ? "−" : "+", pct < 0 ? -pct : pct,
                  pct < 0 ? "faster" : "slower");
    return buf;
}

}  // namespace

nlohmann::json report_template_data(const Report& r) {
    nlohmann::json d = {
        {"since", r.zone.date_time(r.since)},
        {"until", r.zone.date_time(r.until)},
        {"timezone", r.zone.name()},
        {"generated_at", r.zone.date_time(r.generated_at)},
        {"working_hours", r.working_hours},
        {"incidents", r.incidents},
        {"still_open", r.still_open ? std::to_string(r.still_open) : ""},  // "" is falsy
        {"drills", r.drills_left_out},
        {"declined", r.declined_left_out},
        {"pages", r.pages},
        {"pages_out_of_hours", r.pages_out_of_hours},
        {"out_of_hours_share", share(r.pages_out_of_hours, r.pages)},
    };
    d["severities"] = nlohmann::json::array();
    for (const auto& n : r.by_severity)
        d["severities"].push_back({{"severity", n.severity},
                                   {"name", n.name},
                                   {"incidents", n.incidents},
                                   {"mtta_p50", pir_duration(n.mtta.p50)},
                                   {"mtta_p90", pir_duration(n.mtta.p90)},
                                   {"mttm_p50", pir_duration(n.mttm.p50)},
                                   {"mttm_p90", pir_duration(n.mttm.p90)},
                                   {"mttr_p50", pir_duration(n.mttr.p50)},
                                   {"mttr_p90", pir_duration(n.mttr.p90)}});
    d["sources"] = nlohmann::json::array();
    for (const auto& [s, n] : r.by_source)
        d["sources"].push_back({{"source", s}, {"incidents", n}});
    const SeverityNumbers& all = r.by_severity.back();
    d["faster"] = nlohmann::json::array({
        {{"metric", "MTTA p50"},
         {"now", pir_duration(all.mtta.p50)},
         {"before", pir_duration(r.previous.mtta.p50)},
         {"change", change(all.mtta.p50, r.previous.mtta.p50)}},
        {{"metric", "MTTM p50"},
         {"now", pir_duration(all.mttm.p50)},
         {"before", pir_duration(r.previous.mttm.p50)},
         {"change", change(all.mttm.p50, r.previous.mttm.p50)}},
        {{"metric", "MTTR p50"},
         {"now", pir_duration(all.mttr.p50)},
         {"before", pir_duration(r.previous.mttr.p50)},
         {"change", change(all.mttr.p50, r.previous.mttr.p50)}},
        {{"metric", "Incidents"},
         {"now", std::to_string(all.incidents)},
         {"before", std::to_string(r.previous.incidents)},
         {"change", all.incidents == r.previous.incidents
                        ? "no change"
                        : (all.incidents > r.previous.incidents ? "+" : "−") +
                              std::to_string(std::abs(all.incidents - r.previous.incidents))}},
    });
    d["contacts"] = nlohmann::json::array();
    for (const auto& c : r.pages_per_contact)
        d["contacts"].push_back({{"contact", c.contact},
                                 {"pages", c.pages},
                                 {"out_of_hours", c.out_of_hours},
                                 {"share", share(c.out_of_hours, c.pages)}});
    d["overdue"] = nlohmann::json::array();
    for (const auto& [a, title] : r.overdue)
        d["overdue"].push_back({{"incident_id", a.incident_id},
                                {"incident_title", title},
                                {"number", std::to_string(a.number)},
                                {"text", a.text},
                                {"owner", a.owner.empty() ? "" : "@" + a.owner},
                                {"due", a.due.value_or("")}});
    return d;
}

std::string report_svg(const Report& r) {
    const double left = 50, right = 940, top = 30, height = 150;
    const std::size_t n = std::max<std::size_t>(1, r.trend.size());
    const double slot = (right - left) / static_cast<double>(n);
    int max_count = 1;
    EpochMs max_time = 60'000;
    for (const auto& t : r.trend) {
        max_count = std::max(max_count, t.incidents);
        if (t.mtta_p50) max_time = std::max(max_time, *t.mtta_p50);
        if (t.mttr_p50) max_time = std::max(max_time, *t.mttr_p50);
    }
    std::string s =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 960 260\" width=\"960\" "
        "height=\"260\" role=\"img\" aria-label=\"Incidents and response times over time\" "
        "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">"
        "<rect x=\"0\" y=\"0\" width=\"960\" height=\"260\" fill=\"#ffffff\"/>";
    s += "<text x=\"" + svg_number(left) +
         "\" y=\"18\" font-size=\"13\" font-weight=\"bold\">Incidents "
         "per " +
         std::string(r.trend.size() > 1 && r.trend[1].from - r.trend[0].from > 86'400'000 ? "week"
                                                                                          : "day") +
         " (bars), MTTA and MTTR p50 (lines, right axis)</text>";
    const double base = top + height;
    s += "<line x1=\"" + svg_number(left) + "\" y1=\"" + svg_number(base) + "\" x2=\"" +
         svg_number(right) + "\" y2=\"" + svg_number(base) + "\" stroke=\"#57606a\"/>";
    s += "<text x=\"" + svg_number(left - 6) + "\" y=\"" + svg_number(top + 4) +
         "\" text-anchor=\"end\">" + std::to_string(max_count) + "</text>";
    s += "<text x=\"" + svg_number(right + 4) + "\" y=\"" + svg_number(top + 4) + "\">" +
         escape_svg_text(pir_duration(max_time)) + "</text>";
    std::string mtta_path, mttr_path;
    for (std::size_t k = 0; k < r.trend.size(); ++k) {
        const auto& t = r.trend[k];
        const double x = left + slot * static_cast<double>(k);
        const double h = height * t.incidents / max_count;
        s += "<rect class=\"bar\" x=\"" + svg_number(x + slot * 0.15) + "\" y=\"" +
             svg_number(base - h) + "\" width=\"" + svg_number(slot * 0.7) + "\" height=\"" +
             svg_number(h) + "\" fill=\"#8c959f\"><title>" + escape_svg_text(r.zone.date(t.from)) +
             ": " + std::to_string(t.incidents) + " incident(s)</title></rect>";
        const double cx = x + slot / 2;
        auto point = [&](const std::optional<EpochMs>& v, std::string& path) {
            if (!v) return;
            const double y =
                base - height * static_cast<double>(*v) / static_cast<double>(max_time);
            path += (path.empty() ? "M" : " L") + svg_number(cx) + " " + svg_number(y);
        };
        point(t.mtta_p50, mtta_path);
        point(t.mttr_p50, mttr_path);
        if (r.trend.size() <= 16 || k % ((r.trend.size() + 11) / 12) == 0)
            s += "<text x=\"" + svg_number(cx) + "\" y=\"" + svg_number(base + 14) +
                 "\" text-anchor=\"middle\">" + escape_svg_text(r.zone.format(t.from, "%m-%d")) +
                 "</text>";
    }
    if (!mtta_path.empty())
        s += "<path class=\"mtta\" d=\"" + mtta_path +
             "\" fill=\"none\" stroke=\"#8250df\" stroke-width=\"2\"/>";
    if (!mttr_path.empty())
        s += "<path class=\"mttr\" d=\"" + mttr_path +
             "\" fill=\"none\" stroke=\"#d73a49\" stroke-width=\"2\"/>";
    const double ly = 230;
    s += "<rect x=\"" + svg_number(left) + "\" y=\"" + svg_number(ly - 9) +
         "\" width=\"10\" height=\"10\" fill=\"#8c959f\"/><text x=\"" + svg_number(left + 14) +
         "\" y=\"" + svg_number(ly) + "\">incidents</text>";
    s += "<rect x=\"" + svg_number(left + 100) + "\" y=\"" + svg_number(ly - 5) +
         "\" width=\"14\" height=\"2\" fill=\"#8250df\"/><text x=\"" + svg_number(left + 118) +
         "\" y=\"" + svg_number(ly) + "\">MTTA p50</text>";
    s += "<rect x=\"" + svg_number(left + 200) + "\" y=\"" + svg_number(ly - 5) +
         "\" width=\"14\" height=\"2\" fill=\"#d73a49\"/><text x=\"" + svg_number(left + 218) +
         "\" y=\"" + svg_number(ly) + "\">MTTR p50 · dates " + escape_svg_text(r.zone.name()) +
         "</text>";
    s += "</svg>";
    return s;
}

std::string report_markdown(const Report& r, const Templates& templates) {
    return templates.render_document("report_markdown", report_template_data(r),
                                     DocumentFormat::markdown);
}

std::string report_html(const Report& r, const Templates& templates) {
    nlohmann::json d = report_template_data(r);
    d["svg"] = report_svg(r);
    return templates.render_document("report_html", d, DocumentFormat::html);
}

}  // namespace muster
