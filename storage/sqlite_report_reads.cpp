// Paged listings and the reads of reports (ReportReads): read connections, statements prepared
// once, every query on an index (tests/storage/query_plan_test.cpp).
#include <cstdio>
#include <limits>

#include "storage/sql.h"
#include "storage/sqlite_impl.h"

namespace muster {

IncidentReads::Page SqliteStorage::list_page(bool open_only, EpochMs since,
                                             const std::string& cursor, int limit) {
    // The cursor is the last incident's (declared_at, seq): "1795339800000.7".
    long long at = std::numeric_limits<long long>::max(), seq = 0;
    if (!cursor.empty() && std::sscanf(cursor.c_str(), "%lld.%lld", &at, &seq) != 2)
        throw std::invalid_argument("not a listing cursor: " + cursor);
    if (cursor.empty()) seq = std::numeric_limits<long long>::max();
    auto r = reads_.lease();
    auto& q = r.get(open_only ? sql::kListPageOpen : sql::kListPage);
    q.bind(1, static_cast<int64_t>(since));
    q.bind(2, static_cast<int64_t>(at));
    q.bind(3, static_cast<int64_t>(seq));
    q.bind(4, limit + 1);  // one more tells whether there is a next page
    Page page;
    long long last_at = 0, last_seq = 0;
    while (q.executeStep()) {
        if (static_cast<int>(page.incidents.size()) == limit) {
            page.next = std::to_string(last_at) + "." + std::to_string(last_seq);
            break;
        }
        page.incidents.push_back(read_incident(q));
        last_at = page.incidents.back().declared_at;
        last_seq = q.getColumn(26).getInt64();
    }
    return page;
}

std::vector<PageSent> SqliteStorage::pages_between(EpochMs from, EpochMs to) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kPagesBetween);
    q.bind(1, static_cast<int64_t>(from));
    q.bind(2, static_cast<int64_t>(to));
    std::vector<PageSent> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt(), q.getColumn(2).getInt(),
                       q.getColumn(3).getString(), q.getColumn(4).getString(),
                       q.getColumn(5).getString(), q.getColumn(6).getInt64()});
    return out;
}

std::vector<ActionItem> SqliteStorage::overdue_action_items(const std::string& day) {
    auto r = reads_.lease();
    auto& q = r.get(sql::kOpenActionItems);
    q.bind(1, day);
    std::vector<ActionItem> out;
    while (q.executeStep()) out.push_back(read_action_item(q));
    return out;
}

}  // namespace muster
