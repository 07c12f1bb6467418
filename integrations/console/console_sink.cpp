#include "integrations/console/console_sink.h"

#include <sstream>

#include "bot/domain/text.h"
#include "bot/domain/untrusted_json.h"
#include "bot/messages/message.h"

namespace muster {

DeliveryResult ConsoleSink::deliver(const OutboxItem& item) {
    std::string channel, body;
    try {
        const auto j = parse_untrusted_json(item.payload);
        if (!j || !json_object(*j, "message")) throw std::runtime_error("no message");
        channel = json_string(*j, "channel");
        body = render_plain(messages_.render(*json_object(*j, "message")));
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
