// Small helpers shared by the Slack deliverer's two files (slack_deliverer.cpp: channels,
// slack_deliverer_messages.cpp: messages). Private to integrations/slack.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "bot/domain/timeline.h"
#include "bot/domain/untrusted_json.h"
#include "bot/runtime/outbox_worker.h"
#include "integrations/slack/slack_deliverer.h"

namespace muster::slack {

inline DeliveryResult delivered(std::string detail) {
    return DeliveryResult::ok(std::move(detail));
}

inline std::string str(const nlohmann::json& p, const char* key) {
    return json_string(p, key);
}

inline std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A timeline entry Muster writes about what Slack answered.
inline TimelineEvent slack_event(const std::string& incident_id, EpochMs now,
                                 const std::string& type, const std::string& text) {
    TimelineEvent e;
    e.incident_id = incident_id;
    e.at = now;
    e.type = type;
    e.actor = "muster";
    e.source = "slack";
    e.text = text;
    return e;
}

// One operation in progress: the calls it has already counted against the rate limits.
struct SlackDeliverer::Op {
    std::map<std::string, int> reserved;  // calls already counted by reserve()
};

}  // namespace muster::slack
