#include "integrations/console/console_sink.h"

#include <sstream>

#include "bot/message.h"
#include "bot/text.h"

namespace muster {

DeliveryResult ConsoleSink::deliver(const OutboxItem& item) {
    std::string channel, body;
    try {
        const auto j = nlohmann::json::parse(item.payload);
        channel = j.value("channel", "");
        body = render_plain(message_from_json(j.at("message")));
    } catch (const std::exception& e) {
        // A row we cannot read will not get better by retrying.
        return DeliveryResult::failed(std::string("unreadable payload: ") + e.what());
    }
    // A terminal reads this: user text cannot move the cursor or ring the bell.
    std::ostringstream o;
    o << "┌─ console → " << escape_controls(channel) << " (" << item.kind;
    if (!item.incident_id.empty()) o << ", " << item.incident_id;
    o << ")\n";
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) o << "│ " << escape_controls(line) << "\n";
    o << "└─\n";
    {
        std::lock_guard<std::mutex> lk(mu_);
        out_ << o.str() << std::flush;
    }
    return DeliveryResult::ok("console");
}

}  // namespace muster
