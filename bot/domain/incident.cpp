#include "bot/domain/incident.h"

#include <tuple>

#include <algorithm>
#include <cctype>

namespace muster {

static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::optional<Status> parse_status(const std::string& s) {
    const std::string l = lower(s);
    if (l == "investigating") return Status::investigating;
    if (l == "identified") return Status::identified;
    if (l == "monitoring") return Status::monitoring;
    if (l == "resolved") return Status::resolved;
    return std::nullopt;
}

const char* status_name(Status s) {
    switch (s) {
        case Status::investigating:
            return "investigating";
        case Status::identified:
            return "identified";
        case Status::monitoring:
            return "monitoring";
        case Status::resolved:
            return "resolved";
    }
    return "?";
}

const char* status_label(Status s) {
    switch (s) {
        case Status::investigating:
            return "Investigating";
        case Status::identified:
            return "Identified";
        case Status::monitoring:
            return "Monitoring";
        case Status::resolved:
            return "Resolved";
    }
    return "?";
}

std::optional<Role> parse_role(const std::string& s) {
    const std::string l = lower(s);
    if (l == "ic" || l == "commander") return Role::ic;
    if (l == "tech" || l == "technical") return Role::tech;
    if (l == "ops" || l == "operations") return Role::ops;
    if (l == "comms" || l == "communications") return Role::comms;
    return std::nullopt;
}

const char* role_name(Role r) {
    switch (r) {
        case Role::ic:
            return "ic";
        case Role::tech:
            return "tech";
        case Role::ops:
            return "ops";
        case Role::comms:
            return "comms";
    }
    return "?";
}

const char* role_label(Role r) {
    switch (r) {
        case Role::ic:
            return "Incident Commander";
        case Role::tech:
            return "Technical Lead";
        case Role::ops:
            return "Operations Lead";
        case Role::comms:
            return "Communications Lead";
    }
    return "?";
}

std::string& Incident::role_holder(Role r) {
    switch (r) {
        case Role::ic:
            return ic;
        case Role::tech:
            return tech;
        case Role::ops:
            return ops;
        case Role::comms:
            return comms;
    }
    return ic;
}

const std::string& Incident::role_holder(Role r) const {
    return const_cast<Incident*>(this)->role_holder(r);
}

namespace {
auto fields(const Incident& i) {
    return std::tie(i.id, i.title, i.severity, i.status, i.ic, i.tech, i.ops, i.comms, i.reporter,
                    i.source, i.origin_channel, i.channel, i.impact, i.root_cause, i.impact_level,
                    i.urgency_level, i.declared_at, i.acknowledged_at, i.mitigated_at,
                    i.resolved_at, i.acknowledged_by, i.updated_at, i.version, i.drill, i.declined,
                    i.source_link);
}
}  // namespace

bool operator==(const Incident& a, const Incident& b) {
    return fields(a) == fields(b);
}

std::optional<TransitionRefused> check_transition(const Incident& inc, Status to) {
    if (inc.status == Status::resolved) {
        if (to == Status::resolved) return TransitionRefused{inc.id + " is already resolved."};
        return TransitionRefused{inc.id + " is resolved; reopen it first with `/incident reopen`."};
    }
    return std::nullopt;
}

std::optional<TransitionRefused> check_reopen(const Incident& inc) {
    if (inc.status != Status::resolved)
        return TransitionRefused{inc.id + " is not resolved (it is " + status_name(inc.status) +
                                 "), so there is nothing to reopen."};
    return std::nullopt;
}

void apply_status(Incident& inc, Status to, EpochMs now) {
    inc.status = to;
    if (to == Status::monitoring && !inc.mitigated_at) inc.mitigated_at = now;
    if (to == Status::resolved) {
        inc.resolved_at = now;
        if (!inc.mitigated_at) inc.mitigated_at = now;
    }
    inc.updated_at = now;
}

void apply_reopen(Incident& inc, EpochMs now) {
    inc.status = Status::investigating;
    inc.resolved_at.reset();
    inc.mitigated_at.reset();
    inc.updated_at = now;
}

std::optional<std::string> priority_for(const Config& cfg, Level impact, Level urgency) {
    const auto row = cfg.priority_matrix.find(impact);
    if (row == cfg.priority_matrix.end()) return std::nullopt;
    const auto cell = row->second.find(urgency);
    if (cell == row->second.end()) return std::nullopt;
    return cell->second;
}

}  // namespace muster
