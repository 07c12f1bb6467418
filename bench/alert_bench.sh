#!/usr/bin/env bash
# Alert storm (issue 9, README "Performance"): 10,000 distinct Alertmanager notifications across
# 100 groups, posted as fast as wrk can (20 connections, SECONDS_PER_RUN, starting over at the
# end: a repeat is Alertmanager's repeat_interval), to Muster with a fresh database and the
# console on (output discarded). Reports throughput, latency, non-2xx answers, and what it made: the
# incidents (one per group is right), the alerts kept, and the chat messages posted.
#
#   bench/alert_bench.sh   # COUNT=10000 ALERT_GROUPS=100 CONNECTIONS=20 SECONDS_PER_RUN=10
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
count=${COUNT:-10000}
groups=${ALERT_GROUPS:-100}
conns=${CONNECTIONS:-20}
seconds=${SECONDS_PER_RUN:-10}
token=bench-am-token
source bench/lib.sh
make_scratch

need wrk
need sqlite3
cmake --build "$build" --target muster alert_requests >/dev/null
"$build/bench/alert_requests" --count "$count" --groups "$groups" --token "$token" --out "$work"
settle_files

port=$(free_port)
printf 'log: {level: warn}\nalertmanager: {bearer_token: %s}\n' "$token" >"$work/m.yaml"
"$build/muster" serve --config "$work/m.yaml" --listen "127.0.0.1:$port" --db "$work/m.db" 2>"$work/err.txt" \
  >"$work/console.txt" &
pid=$!
wait_port "$port"

out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$work/send.lua" "http://127.0.0.1:$port" -- 2)
echo "$out" | grep -E "requests in|Requests/sec|50%|99%|Non-2xx|Socket errors" || true
rss=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
# Let delivery finish what was queued, then count.
for _ in $(seq 100); do
  [ "$(sqlite3 "$work/m.db" "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")" = 0 ] && break
  sleep 0.1
done
kill "$pid"; wait "$pid" 2>/dev/null || true
q() { sqlite3 "$work/m.db" "$1"; }
printf 'peak RSS %s MiB; server errors logged: %s\n' "$rss" "$(grep -c ' error ' "$work/err.txt" || true)"
printf 'incidents %s (groups %s)   alerts kept %s   timeline entries %s\n' \
  "$(q 'SELECT COUNT(*) FROM incidents')" "$groups" "$(q 'SELECT COUNT(*) FROM alerts')" \
  "$(q 'SELECT COUNT(*) FROM timeline')"
printf 'chat messages posted %s (alert updates %s, of which folded into digests %s); pending %s\n' \
  "$(q "SELECT COUNT(*) FROM outbox WHERE status = 'delivered' AND result NOT LIKE 'folded%'")" \
  "$(q "SELECT COUNT(*) FROM outbox WHERE kind = 'alerts'")" \
  "$(q "SELECT COUNT(*) FROM outbox WHERE result LIKE 'folded%'")" \
  "$(q "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")"
