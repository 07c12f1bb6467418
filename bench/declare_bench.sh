#!/usr/bin/env bash
# Declaration throughput, side by side in one run (issue 8, README "Performance"): the same stream
# of distinct, signed slash commands (`/incident declare P2 …`, each with its own trigger_id) fed
# by wrk to
#   - a @slack/bolt app that only verifies the signature and acknowledges (bench/peers/bolt),
#   - an empty server on Muster's own HTTP stack (bench/empty_server.cpp),
#   - Muster, durable: every answered declaration is committed (incident, timeline, timers, the
#     level-1 page and the console messages) before its answer,
# plus a storm run where every declaration has the same title, and (a diagnostic, not a target)
# Muster with no chat platform at all. Reports throughput, p50/p99 and peak RSS, and Muster's
# ratios to Bolt.
#
#   bench/declare_bench.sh            # SECONDS_PER_RUN=10 CONNECTIONS=20 BUILD=build
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
seconds=${SECONDS_PER_RUN:-10}
conns=${CONNECTIONS:-20}
count=${COUNT:-300000}
secret=bench-secret
source bench/lib.sh
make_scratch

need wrk
need sqlite3
need node nodejs npm
[ -d bench/peers/bolt/node_modules/@slack/bolt ] ||
  (cd bench/peers/bolt && npm install --no-audit --no-fund --silent >/dev/null)
cmake --build "$build" --target muster sign_requests empty_server >/dev/null

mkdir -p "$work/distinct" "$work/storm"
"$build/bench/sign_requests" --secret "$secret" --count "$count" --out "$work/distinct"
"$build/bench/sign_requests" --secret "$secret" --count "$count" --storm --out "$work/storm"
settle_files

peak_rss_mib() { awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

# CPU time (ticks) of each thread of PID, summed by thread name: "name ticks" lines.
cpu_by_thread() { per_thread "$1" stat '{print $14 + $15}'; }

# run NAME PID PORT SCRIPT [DB] → one line: name rps p50 p99 rss errors; then CPU µs per request
# by thread (where the time goes, README "Performance"). With DB (Muster's database), checks that
# every answered declaration is in it: a slash command that could not be saved is still answered
# 200 (with an ephemeral error, as Slack expects), so wrk alone would count failures as speed.
run() {
  local name=$1 pid=$2 port=$3 script=$4 db=${5:-}
  wait_port "$port"
  cpu_by_thread "$pid" >"$work/cpu0"
  local out; out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$script" "http://127.0.0.1:$port" -- 2)
  cpu_by_thread "$pid" >"$work/cpu1"
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $NF} /Socket errors/ {print "sock:"$0}' <<<"$out" | tr '\n' ' ')
  printf '%-22s %10s %10s %10s %10s  %s\n' "$name" "$rps" "$p50" "$p99" "$(peak_rss_mib "$pid")" "${errs:-0}"
  echo "$name $rps $p50 $p99 $(peak_rss_mib "$pid")" >>"$work/results"
  local requests; requests=$(awk '/requests in/ {print $1}' <<<"$out")
  join "$work/cpu0" "$work/cpu1" | awk -v n="$requests" -v hz="$(getconf CLK_TCK)" '
    { us = ($3 - $2) * 1e6 / hz / n; total += us; if (us >= 1) line = line sprintf(" %s %.0f", $1, us) }
    END { printf "    CPU µs per request: %.0f =%s\n", total, line }'
  kill "$pid"; wait "$pid" 2>/dev/null || true
  if [ -n "$db" ]; then
    local stored; stored=$(sqlite3 "$db" 'SELECT count(*) FROM incidents')
    echo "    incidents stored: $stored for $requests answered"
    if [ "$stored" -lt "$requests" ]; then
      echo "    ERROR: answered declarations are missing from the database" >&2
      failed=1
    fi
  fi
}
failed=0

echo "muster's allocator: $(ldd "$build/muster" | grep -q jemalloc && echo jemalloc || echo glibc malloc)"
printf '%-22s %10s %10s %10s %10s  %s\n' "server" "req/s" "p50" "p99" "RSS MiB" "non-2xx"

port=$(free_port)
SLACK_SIGNING_SECRET=$secret PORT=$port node bench/peers/bolt/app.js >/dev/null &
run "bolt (ack only)" $! "$port" "$work/distinct/send.lua"

port=$(free_port)
"$build/bench/empty_server" "$port" >/dev/null &
run "empty beast server" $! "$port" "$work/distinct/send.lua"

muster() {  # PORT [EXTRA-YAML]: a fresh database, durable writes, the console on (its output
            # discarded) unless EXTRA-YAML turns it off
  printf 'log: {level: warn}\n%b' "${2:-}" >"$work/m.yaml"
  rm -f "$work"/m.db*
  SLACK_SIGNING_SECRET=$secret "$build/muster" serve --config "$work/m.yaml" \
    --listen "127.0.0.1:$1" --db "$work/m.db" >/dev/null &
}
port=$(free_port); muster "$port"
run "muster declare" $! "$port" "$work/distinct/send.lua" "$work/m.db"
port=$(free_port); muster "$port"
run "muster storm" $! "$port" "$work/storm/send.lua" "$work/m.db"
# Where the time goes, not a target: the same declarations with no chat platform at all (no
# channel, no messages, pages recorded but sent nowhere). Still durable: incident, timeline,
# escalation timers, level-1 page, dedupe key.
port=$(free_port); muster "$port" 'chat: {console: false}\n'
run "muster no chat" $! "$port" "$work/distinct/send.lua" "$work/m.db"

awk '
  function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
  $1=="bolt" {brps=$4; bp99=ms($6); brss=$7}
  /^muster declare/ {mrps=$3; mp99=ms($5); mrss=$6}
  /^muster storm/ {srps=$3}
  /^muster no chat/ {nrps=$4}
  END {
    printf "\nmuster/bolt throughput %.2f (target >= 1)   p99 %.2f (target <= 1)   RSS %.2f (target <= 0.2)\n", mrps/brps, mp99/bp99, mrss/brss
    printf "storm/distinct throughput %.2f (target >= 0.8)\n", srps/mrps
    printf "no chat platform/bolt throughput %.2f (diagnostic: the cost of the chat fan-out)\n", nrps/brps
  }' "$work/results"
exit "$failed"
