#include "bot/readiness.h"

#include <SQLiteCpp/Statement.h>

namespace muster {

void Readiness::check(const Responder& respond) {
    if (draining_) {
        respond(text_response(503, "draining\n"));
        return;
    }
    const EpochMs now = clock_.now_ms();
    if (now - last_ok_.load() < 1000) {
        respond(text_response(200, "ready\n"));
        return;
    }
    const bool queued = writer_.submit(
        [now](SQLite::Database& db) {
            SQLite::Statement st(db,
                                 "INSERT INTO meta (key, value) VALUES ('ready_probe', ?) "
                                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            st.bind(1, std::to_string(now));
            st.exec();
        },
        [this, respond, now](std::exception_ptr e) {
            if (!e) {
                last_ok_ = now;
                respond(text_response(200, "ready\n"));
                return;
            }
            std::string why = "database not writable";
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                why += std::string(": ") + ex.what();
            } catch (...) {
            }
            respond(text_response(503, why + "\n"));
        });
    if (!queued) respond(text_response(503, "shutting down\n"));
}

}  // namespace muster
