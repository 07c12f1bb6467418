// `muster incidents`, `muster export` and `muster report`: read commands that work on the
// database read-only, while `serve` runs.
#include <cstdio>
#include <fstream>

#include "bot/app/app.h"
#include "bot/domain/incident_id.h"
#include "bot/domain/incident_json.h"
#include "bot/domain/text.h"
#include "bot/messages/documents.h"
#include "bot/messages/incident_export.h"
#include "bot/messages/message.h"
#include "storage/sqlite_storage.h"

namespace muster {

namespace {

std::string pad(std::string s, std::size_t w) {
    const std::size_t len = utf8_length(s);
    if (len < w) s.append(w - len, ' ');
    return s;
}

int write_out(const std::string& text, const std::string& out_path) {
    if (out_path.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
    }
    std::ofstream out(out_path, std::ios::binary);
    out << text;
    out.close();
    if (!out) return fail("cannot write " + out_path, 1);
    return 0;
}

// A broken override is named on stderr and the shipped template is used.
void set_aside_broken(Templates& t) {
    for (const auto& p : t.drop_broken_overrides())
        std::fprintf(stderr, "warning: %s (the shipped template is used instead)\n", p.c_str());
}

std::optional<TimeZone> zone_for(const Config& cfg, const std::string& tz) {
    return TimeZone::find(tz.empty() ? cfg.reports.timezone : tz);
}

}  // namespace

int list_incidents(Storage& db, const ListingOptions& o) {
    EpochMs since = 0;
    const EpochMs now = SystemClock().now_ms();
    if (!o.since.empty()) {
        const auto t = parse_point_in_time(o.since, now, TimeZone::utc());
        if (!t)
            return fail("--since '" + o.since + "': write 30d, 12h, 2026-11-01 or an RFC 3339 time",
                        2);
        since = *t;
    }
    std::vector<Incident> list;
    std::string cursor = o.cursor, next;
    try {
        do {
            auto page = db.list_page(o.open_only, since, cursor, o.limit);
            for (auto& i : page.incidents) list.push_back(std::move(i));
            next = cursor = page.next;
        } while (o.all && !cursor.empty());
    } catch (const std::invalid_argument& e) {
        return fail(std::string(e.what()) + " (use the `next` a previous page printed)", 2);
    }
    if (o.as_json) {
        nlohmann::json doc = {
            {"format", "muster.incidents.v1"},
            {"incidents", nlohmann::json::array()},
            {"next", next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next)}};
        for (const auto& i : list) doc["incidents"].push_back(incident_json(i));
        std::printf("%s\n", dump_json(doc, 2).c_str());
        return 0;
    }
    if (list.empty()) {
        std::printf(o.open_only ? "No open incidents.\n" : "No incidents.\n");
        return 0;
    }
    std::printf("%s\n", (pad("ID", 18) + pad("SEV", 5) + pad("STATUS", 15) +
                         pad("DECLARED (UTC)", 22) + pad("IC", 14) + "TITLE")
                            .c_str());
    // Stored text is clean; this is a terminal, so escape anything that is not anyway.
    for (const auto& i : list)
        std::printf("%s\n", escape_controls(pad(i.id, 18) + pad(i.severity, 5) +
                                            pad(status_name(i.status) +
                                                    std::string(i.drill ? " (drill)" : "") +
                                                    std::string(i.declined ? " (declined)" : ""),
                                                15) +
                                            pad(format_human_utc(i.declared_at), 22) +
                                            pad(i.ic.empty() ? "-" : i.ic, 14) + i.title)
                                .c_str());
    // Never a silent cut: say that there is more and how to get it.
    if (!next.empty())
        std::fprintf(stderr, "… more: muster incidents%s --limit %d --after %s (or --all)\n",
                     o.open_only ? " --open" : "", o.limit, next.c_str());
    return 0;
}

int export_document(Storage& db, const Config& cfg, const DocumentOptions& o) {
    const auto id = normalize_incident_id(o.id);
    if (!id) return fail("'" + o.id + "' is not an incident id (INC-YYYYMMDD-NNN)", 2);
    if (o.format == "incident") {  // the raw record, timeline and action items (muster.export.v1)
        const auto doc = export_incident(db, *id);
        if (!doc) return fail("no incident " + *id + " in " + cfg.storage.path, 1);
        return write_out(dump_json(*doc, 2) + "\n", o.out);
    }
    const auto format = parse_doc_format(o.format);
    if (!format) return fail("--format " + o.format + ": use markdown, html, json or incident", 2);
    const auto zone = zone_for(cfg, o.tz);
    if (!zone) return fail("--tz " + o.tz + " is not in the tz database (e.g. Europe/Berlin)", 2);
    const auto pir = load_pir(db, *id, cfg, *zone, SystemClock().now_ms());
    if (!pir) return fail("no incident " + *id + " in " + cfg.storage.path, 1);
    Templates templates(cfg.templates.dir);
    set_aside_broken(templates);
    return write_out(pir_document(*pir, *format, templates).body, o.out);
}

int report_document(Storage& db, const Config& cfg, const DocumentOptions& o) {
    const auto format = parse_doc_format(o.format);
    if (!format) return fail("--format " + o.format + ": use markdown, html or json", 2);
    const auto zone = zone_for(cfg, o.tz);
    if (!zone) return fail("--tz " + o.tz + " is not in the tz database (e.g. Europe/Berlin)", 2);
    const EpochMs now = SystemClock().now_ms();
    EpochMs until = now, since = now - cfg.reports.default_window_ms;
    if (!o.until.empty()) {
        const auto t = parse_point_in_time(o.until, now, *zone);
        if (!t)
            return fail("--until '" + o.until + "': write 30d, 2026-11-01 or an RFC 3339 time", 2);
        until = *t;
    }
    if (!o.since.empty()) {
        const auto t = parse_point_in_time(o.since, until, *zone);
        if (!t)
            return fail("--since '" + o.since + "': write 30d, 2026-11-01 or an RFC 3339 time", 2);
        since = *t;
    }
    if (since >= until) return fail("--since must be before --until", 2);
    const Report r = build_report(db, db, cfg, *zone, since, until, now);
    Templates templates(cfg.templates.dir);
    set_aside_broken(templates);
    return write_out(report_document(r, *format, templates).body, o.out);
}

}  // namespace muster
