// What Muster posts where when an incident changes: the declaration, announcements, status
// updates and the resolution, rendered from the templates and written to the outbox in the
// caller's transaction — for the console, and for Slack when a bot token is configured (create
// the channel, invite, topic, pin, keep the announcement's headline current). Each destination
// is one ordered queue per incident, so a channel is always created before anything is posted in
// it.
#pragma once

#include <SQLiteCpp/Database.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bot/actor.h"
#include "bot/config.h"
#include "bot/incident.h"
#include "bot/templates.h"

namespace muster {

class IncidentMessages {
  public:
    IncidentMessages(const Config& config, const Templates& templates);

    // The data every message template sees for an incident.
    nlohmann::json template_data(const Incident& inc, EpochMs now) const;
    // Name of the incident's channel by slack.channel_name_pattern.
    std::string channel_name_for(const Incident& inc, int k = 1) const;  // k ≥ 2: "…-k"

    void declared(SQLite::Database& db, const Incident& inc, const Actor& actor, EpochMs now) const;
    // A status update: `change` says what changed, `text` what the responder wrote.
    void updated(SQLite::Database& db, const Incident& inc, const std::string& change,
                 const std::string& text, EpochMs now) const;
    void resolved(SQLite::Database& db, const Incident& inc, const std::string& text,
                  const std::string& actor, std::optional<EpochMs> pir_due, EpochMs now) const;
    // A page to one contact: a Slack DM with an Acknowledge button, and the console.
    void page(SQLite::Database& db, const Incident& inc, const Contact& contact, int level,
              int attempt, EpochMs now) const;
    // A reminder posted in the incident's channel.
    // Someone given a role joins the incident channel (Slack user ids only; "@name" is no id).
    void invite(SQLite::Database& db, const Incident& inc, const std::string& user,
                EpochMs now) const;
    void reminder(SQLite::Database& db, const Incident& inc, const std::string& title,
                  const std::string& text, EpochMs now) const;
    // Slack's "<severity> · <status> · IC" line, at most 250 characters.
    std::string topic(const Incident& inc) const;

  private:
    void console(SQLite::Database& db, const Incident& inc, const std::string& channel,
                 const std::string& kind, const Message& msg, EpochMs now) const;
    // A message in the incident's channel: on the console and, with Slack, posted there.
    // Rendered once by the caller for both.
    void in_channel(SQLite::Database& db, const Incident& inc, const std::string& kind,
                    const Message& msg, EpochMs now) const;
    void slack(SQLite::Database& db, const Incident& inc, const std::string& kind,
               const nlohmann::json& payload, EpochMs now) const;
    void slack_headline(SQLite::Database& db, const Incident& inc, EpochMs now) const;

    const Config& config_;
    const Templates& templates_;
};

}  // namespace muster
