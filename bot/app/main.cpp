#include "bot/app/app.h"

#ifdef MUSTER_WITH_JEMALLOC
// jemalloc's built-in options (CMakeLists.txt, MUSTER_JEMALLOC): two arenas and small per-thread
// caches instead of four arenas per core. Muster runs a handful of threads, so more arenas only
// hold more memory: about 1-2 MiB less peak RSS than jemalloc's defaults under the declare
// benchmark's load, no throughput cost we could measure. MALLOC_CONF still overrides these.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "narenas:2,tcache_max:4096";
}
#endif

int main(int argc, char** argv) {
    return muster::run_cli(argc, argv);
}
