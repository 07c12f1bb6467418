// The baseline of the declare benchmark: Muster's own HTTP stack (the Beast adapter, the same
// limits and threads) answering every request at once with 200, doing nothing else. What Muster
// adds on top of this is signature checking, parsing, deciding and the durable write.
#include <csignal>
#include <cstdio>
#include <string>

#include "bot/server/http_server.h"

int main(int argc, char** argv) {
    muster::HttpServerOptions o;
    o.port = static_cast<std::uint16_t>(argc > 1 ? std::stoi(argv[1]) : 0);
    auto server = muster::make_beast_server(o, [](muster::HttpRequest&&, muster::Responder r) {
        r(muster::json_response(200, "{\"response_type\":\"ephemeral\",\"text\":\"ok\"}"));
    });
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    server->start();
    std::printf("listening on %u\n", static_cast<unsigned>(server->port()));
    std::fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    server->drain(1000);
    return 0;
}
