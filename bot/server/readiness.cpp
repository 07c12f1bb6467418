#include "bot/server/readiness.h"

namespace muster {

void Readiness::check(const Responder& respond) {
    if (draining_) return respond(text_response(503, "draining\n"));
    const EpochMs now = clock_.now_ms();
    if (now - last_ok_.load() < 1000) return respond(text_response(200, "ready\n"));
    const bool queued = committer_.probe([this, respond, now](bool ok, std::string why) {
        if (ok) {
            last_ok_ = now;
            return respond(text_response(200, "ready\n"));
        }
        respond(text_response(503, why + "\n"));
    });
    if (!queued) respond(text_response(503, "storage busy or stopped\n"));
}

}  // namespace muster
