// Incidents, their timeline, channels and action items in SQLite. Every function runs inside the
// caller's transaction (the Writer's), so a command's changes land together or not at all.
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <vector>

#include "bot/incident.h"

namespace muster {

struct TimelineEvent {
    std::int64_t id = 0;
    std::string incident_id;
    EpochMs at = 0;
    std::string type;    // declared, status_changed, acknowledged, severity_changed, ...
    std::string actor;   // who did it (chat user id, "pagerduty", "system")
    std::string source;  // slack | teams | pagerduty | alertmanager | cli | system
    std::optional<std::string> field, old_value, new_value;
    std::string text;
    std::optional<std::string> data;  // JSON for anything else
};

struct ActionItem {
    std::int64_t id = 0;
    std::string incident_id;
    std::string text, owner;
    std::optional<std::string> due;
    EpochMs created_at = 0;
    std::string created_by;
};

// Next sequence number of the UTC day, persisted, so ids never repeat across restarts.
std::int64_t next_incident_seq(SQLite::Database& db, const std::string& day);
void insert_incident(SQLite::Database& db, const Incident& inc);
void update_incident(SQLite::Database& db, const Incident& inc);
std::optional<Incident> load_incident(SQLite::Database& db, const std::string& id);
std::vector<Incident> list_incidents(SQLite::Database& db, bool open_only, int limit = 1000);

void bind_channel(SQLite::Database& db, const std::string& channel_id,
                  const std::string& incident_id, const std::string& platform,
                  const std::string& name, EpochMs now);
std::optional<std::string> incident_for_channel(SQLite::Database& db,
                                                const std::string& channel_id);
// The highest "-N" used so far for a channel base name on a platform (1 = the base name itself,
// 0 = never used), so the next collision starts at N+1 instead of probing from the base again.
int last_channel_suffix(SQLite::Database& db, const std::string& platform, const std::string& base);
void record_channel_suffix(SQLite::Database& db, const std::string& platform,
                           const std::string& base, int suffix);

std::int64_t append_timeline(SQLite::Database& db, const TimelineEvent& ev);
std::vector<TimelineEvent> load_timeline(SQLite::Database& db, const std::string& incident_id);

// Messages posted for an incident that Muster must find again (e.g. to update the headline).
struct ChatMessage {
    std::string channel, ts;
};
void remember_message(SQLite::Database& db, const std::string& incident_id,
                      const std::string& platform, const std::string& purpose,
                      const ChatMessage& msg, EpochMs now);
std::vector<ChatMessage> find_messages(SQLite::Database& db, const std::string& incident_id,
                                       const std::string& platform, const std::string& purpose);
std::optional<std::string> channel_of_incident(SQLite::Database& db, const std::string& incident_id,
                                               const std::string& platform);

std::int64_t add_action_item(SQLite::Database& db, const ActionItem& item);
std::vector<ActionItem> load_action_items(SQLite::Database& db, const std::string& incident_id);

}  // namespace muster
