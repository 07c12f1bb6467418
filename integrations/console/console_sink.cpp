#include "integrations/console/console_sink.h"

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
    print(channel, item, body);
    return DeliveryResult::ok("console");
}

int ConsoleSink::fold_limit(const OutboxItem& head) const {
    return head.kind == "announcement" || head.kind == "alerts" ? kDigestMax - 1 : 0;
}

DeliveryResult ConsoleSink::deliver_folded(const OutboxItem& head,
                                           const std::vector<OutboxItem>& followers) {
    std::vector<nlohmann::json> messages;
    DeliveryResult r = DeliveryResult::ok("console digest");
    std::string channel;
    for (const OutboxItem* item : [&] {
             std::vector<const OutboxItem*> all{&head};
             for (const auto& f : followers) all.push_back(&f);
             return all;
         }()) {
        const auto j = parse_untrusted_json(item->payload);
        const auto* m = j ? json_object(*j, "message") : nullptr;
        if (item != &head) {
            // A follower we cannot read is left for its own turn (where it fails on its own).
            if (!m || json_string(*j, "channel") != channel) break;
            r.also_delivered.push_back(item->id);
        } else {
            if (!m) return deliver(head);
            channel = json_string(*j, "channel");
        }
        messages.push_back(*m);
    }
    if (messages.size() < 2) return deliver(head);
    print(channel, head, render_plain(digest_message(messages)));
    return r;
}

void ConsoleSink::print(const std::string& channel, const OutboxItem& item,
                        const std::string& body) {
    // A terminal reads this: user text cannot move the cursor or ring the bell.
    std::string o = "┌─ console → " + escape_controls(channel) + " (" + item.kind;
    if (!item.incident_id.empty()) o += ", " + item.incident_id;
    o += ")\n";
    // One framed line per line of the body (a last line break adds no empty line).
    for (std::size_t start = 0; start < body.size();) {
        std::size_t end = body.find('\n', start);
        if (end == std::string::npos) end = body.size();
        o += "│ ";
        o += escape_controls(body.substr(start, end - start));
        o += '\n';
        start = end + 1;
    }
    o += "└─\n";
    std::lock_guard<std::mutex> lk(mu_);
    out_.write(o.data(), static_cast<std::streamsize>(o.size()));
    out_.flush();
}

}  // namespace muster
