#include "bot/messages/report.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>

#include "bot/messages/pir.h"

namespace muster {

namespace {

bool counted(const Incident& i) {
    return !i.drill && !i.declined;
}

// Every incident declared in [since, until), newest first, a page of the listing at a time.
std::vector<Incident> incidents_between(IncidentReads& reads, EpochMs since, EpochMs until) {
    std::vector<Incident> out;
    // Newest first from `until` (a cursor is "<declared_at>.<seq>": before that point).
    std::string cursor = std::to_string(until) + ".0";
    do {
        auto page = reads.list_page(false, since, cursor, 2000);
        for (auto& i : page.incidents)
            if (i.declared_at < until) out.push_back(std::move(i));
        cursor = page.next;
    } while (!cursor.empty());
    return out;
}

SeverityNumbers numbers_of(const std::vector<const Incident*>& list, std::string key,
                           std::string name) {
    SeverityNumbers n;
    n.severity = std::move(key);
    n.name = std::move(name);
    std::vector<EpochMs> ack, mit, res;
    for (const Incident* i : list) {
        ++n.incidents;
        if (i->acknowledged_at) ack.push_back(*i->acknowledged_at - i->declared_at);
        if (i->mitigated_at) mit.push_back(*i->mitigated_at - i->declared_at);
        if (i->resolved_at) res.push_back(*i->resolved_at - i->declared_at);
    }
    n.mtta = duration_stats(std::move(ack));
    n.mttm = duration_stats(std::move(mit));
    n.mttr = duration_stats(std::move(res));
    return n;
}

std::string hours_text(const Config& c) {
    static const char* names[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    std::vector<int> d = c.reports.work_days;
    std::sort(d.begin(), d.end());
    std::string days;
    bool contiguous = d.size() > 2;
    for (std::size_t k = 1; k < d.size(); ++k) contiguous = contiguous && d[k] == d[k - 1] + 1;
    if (d.empty())
        days = "no days";
    else if (contiguous)
        days = std::string(names[d.front()]) + "–" + names[d.back()];
    else
        for (int x : d) days += (days.empty() ? "" : ",") + std::string(names[x]);
    char buf[64];
    std::snprintf(buf, sizeof buf, " %02d:00–%02d:00 ", c.reports.work_start_hour,
                  c.reports.work_end_hour);
    return days + buf + c.reports.timezone;
}

}  // namespace

DurationStats duration_stats(std::vector<EpochMs> v) {
    DurationStats s;
    s.count = static_cast<int>(v.size());
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    auto rank = [&](double p) {
        const auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
        return v[std::min(v.size() - 1, k == 0 ? 0 : k - 1)];
    };
    s.p50 = rank(0.5);
    s.p90 = rank(0.9);
    return s;
}

Report build_report(IncidentReads& reads, ReportReads& report_reads, const Config& config,
                    const TimeZone& zone, EpochMs since, EpochMs until, EpochMs now) {
    Report r;
    r.since = since;
    r.until = until;
    r.generated_at = now;
    r.zone = zone;
    r.working_hours = hours_text(config);

    const std::vector<Incident> all = incidents_between(reads, since, until);
    std::unordered_map<std::string, const Incident*> by_id;
    std::unordered_map<std::string, bool> left_out;  // incident id → drill or declined
    std::vector<const Incident*> kept;
    for (const auto& i : all) {
        by_id[i.id] = &i;
        left_out[i.id] = !counted(i);
        if (i.drill) ++r.drills_left_out;
        if (!i.drill && i.declined) ++r.declined_left_out;
        if (!counted(i)) continue;
        kept.push_back(&i);
        if (i.status != Status::resolved) ++r.still_open;
        ++r.by_source[i.source.empty() ? "unknown" : i.source];
    }
    r.incidents = static_cast<int>(kept.size());

    std::set<std::string> seen;
    for (const auto& sev : config.severities) {
        std::vector<const Incident*> of;
        for (const Incident* i : kept)
            if (i->severity == sev.key) of.push_back(i);
        seen.insert(sev.key);
        r.by_severity.push_back(numbers_of(of, sev.key, sev.name));
    }
    // Severities no longer configured (renamed since) still count, under their own key.
    std::map<std::string, std::vector<const Incident*>> retired;
    for (const Incident* i : kept)
        if (!seen.count(i->severity)) retired[i->severity].push_back(i);
    for (const auto& [key, list] : retired) r.by_severity.push_back(numbers_of(list, key, key));
    r.by_severity.push_back(numbers_of(kept, "all", "All severities"));

    // The period before, as long as this one, for the comparison.
    const EpochMs length = until - since;
    const std::vector<Incident> before = incidents_between(reads, since - length, since);
    std::vector<const Incident*> before_kept;
    for (const auto& i : before)
        if (counted(i)) before_kept.push_back(&i);
    r.previous = numbers_of(before_kept, "all", "Previous period");

    // Pages: per contact, and outside working hours in the configured zone.
    const TimeZone work_zone = TimeZone::find(config.reports.timezone).value_or(TimeZone::utc());
    std::map<std::string, ContactPages> per;
    for (const auto& p : report_reads.pages_between(since, until)) {
        auto it = left_out.find(p.incident_id);
        if (it == left_out.end()) {  // declared before the window: look it up once
            const auto st = reads.load(p.incident_id);
            it = left_out.emplace(p.incident_id, st && !counted(st->incident)).first;
        }
        if (it->second) continue;
        const int wd = work_zone.weekday(p.at), h = work_zone.hour(p.at);
        const bool in_hours =
            std::find(config.reports.work_days.begin(), config.reports.work_days.end(), wd) !=
                config.reports.work_days.end() &&
            h >= config.reports.work_start_hour && h < config.reports.work_end_hour;
        auto& c = per[p.contact.empty() ? "(by hand)" : p.contact];
        c.contact = p.contact.empty() ? "(by hand)" : p.contact;
        ++c.pages;
        ++r.pages;
        if (!in_hours) {
            ++c.out_of_hours;
            ++r.pages_out_of_hours;
        }
    }
    for (auto& [k, c] : per) r.pages_per_contact.push_back(c);
    std::stable_sort(
        r.pages_per_contact.begin(), r.pages_per_contact.end(),
        [](const ContactPages& a, const ContactPages& b) { return a.pages > b.pages; });

    // Overdue action items (any incident's, not only this window's: an overdue item is overdue).
    for (auto& a : report_reads.overdue_action_items(zone.date(now))) {
        std::string title;
        bool skip = false;
        if (auto it = by_id.find(a.incident_id); it != by_id.end()) {
            title = it->second->title;
            skip = !counted(*it->second);
        } else if (const auto st = reads.load(a.incident_id)) {
            title = st->incident.title;
            skip = !counted(st->incident);
        }
        if (!skip) r.overdue.emplace_back(std::move(a), std::move(title));
    }

    // The trend: days for short windows, weeks otherwise; at most 60 buckets.
    const EpochMs day = 86'400'000;
    EpochMs bucket = length <= 14 * day ? day : 7 * day;
    while (length / bucket > 60) bucket *= 2;
    for (EpochMs from = since; from < until; from += bucket) {
        std::vector<const Incident*> in;
        for (const Incident* i : kept)
            if (i->declared_at >= from && i->declared_at < from + bucket) in.push_back(i);
        const SeverityNumbers n = numbers_of(in, "", "");
        r.trend.push_back({from, n.incidents, n.mtta.p50, n.mttr.p50});
    }
    return r;
}

namespace {

nlohmann::json stats_json(const DurationStats& s) {
    auto sec = [](const std::optional<EpochMs>& v) {
        return v ? nlohmann::json(*v / 1000) : nlohmann::json(nullptr);
    };
    return {{"count", s.count}, {"p50_seconds", sec(s.p50)}, {"p90_seconds", sec(s.p90)}};
}

nlohmann::json numbers_json(const SeverityNumbers& n) {
    return {{"severity", n.severity},     {"name", n.name},
            {"incidents", n.incidents},   {"mtta", stats_json(n.mtta)},
            {"mttm", stats_json(n.mttm)}, {"mttr", stats_json(n.mttr)}};
}

}  // namespace

nlohmann::json report_json(const Report& r) {
    nlohmann::json j = {
        {"format", "muster.report.v1"},
        {"generated_at", format_rfc3339(r.generated_at)},
        {"since", format_rfc3339(r.since)},
        {"until", format_rfc3339(r.until)},
        {"timezone", r.zone.name()},
        {"working_hours", r.working_hours},
        {"incidents", r.incidents},
        {"still_open", r.still_open},
        {"left_out", {{"drills", r.drills_left_out}, {"declined", r.declined_left_out}}},
        {"by_source", r.by_source},
        {"previous_period", numbers_json(r.previous)},
        {"pages",
         {{"total", r.pages},
          {"out_of_hours", r.pages_out_of_hours},
          {"out_of_hours_share", r.pages
                                     ? nlohmann::json(static_cast<double>(r.pages_out_of_hours) /
                                                      static_cast<double>(r.pages))
                                     : nlohmann::json(nullptr)}}},
    };
    j["by_severity"] = nlohmann::json::array();
    for (const auto& n : r.by_severity) j["by_severity"].push_back(numbers_json(n));
    j["pages_per_contact"] = nlohmann::json::array();
    for (const auto& c : r.pages_per_contact)
        j["pages_per_contact"].push_back(
            {{"contact", c.contact}, {"pages", c.pages}, {"out_of_hours", c.out_of_hours}});
    j["overdue_action_items"] = nlohmann::json::array();
    for (const auto& [a, title] : r.overdue)
        j["overdue_action_items"].push_back({{"incident_id", a.incident_id},
                                             {"incident_title", title},
                                             {"number", a.number},
                                             {"text", a.text},
                                             {"owner", a.owner},
                                             {"due", a.due.value_or("")}});
    j["trend"] = nlohmann::json::array();
    for (const auto& t : r.trend) {
        auto sec = [](const std::optional<EpochMs>& v) {
            return v ? nlohmann::json(*v / 1000) : nlohmann::json(nullptr);
        };
        j["trend"].push_back({{"from", format_rfc3339(t.from)},
                              {"incidents", t.incidents},
                              {"mtta_p50_seconds", sec(t.mtta_p50)},
                              {"mttr_p50_seconds", sec(t.mttr_p50)}});
    }
    return j;
}

}  // namespace muster
