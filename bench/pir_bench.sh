#!/usr/bin/env bash
# The review and the report at scale (issue 10, README "Performance"): one incident with 100,000
# timeline events exported as Markdown, HTML (with its SVG timeline) and JSON, and a report over
# 10,000 incidents (with 20,000 pages and 2,000 action items), each by the real `muster` binary on
# a real SQLite file. Reports wall time and peak RSS per command, best of RUNS, and as a ratio the
# baseline in the same run: sqlite3 printing the same rows as JSON (reading them, nothing more).
# Targets: export < 1 s and < 100 MB; report < 2 s.
#
#   bench/pir_bench.sh   # EVENTS=100000 INCIDENTS=10000 RUNS=3 KEEP=
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
events=${EVENTS:-100000}
incidents=${INCIDENTS:-10000}
runs=${RUNS:-3}
work=${KEEP:-$(mktemp -d)}  # KEEP=<empty dir>: keep the database there, for a profiler
mkdir -p "$work"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

source bench/lib.sh
need sqlite3
need /usr/bin/time time
cmake --build "$build" --target muster >/dev/null

# The schema, as Muster creates it.
db="$work/m.db"
printf 'log: {level: warn}\n' >"$work/m.yaml"
"$build/muster" serve --config "$work/m.yaml" --listen 127.0.0.1:0 --db "$db" >"$work/out.txt" 2>&1 &
pid=$!
for _ in $(seq 200); do grep -q listening "$work/out.txt" 2>/dev/null && break; sleep 0.05; done
kill "$pid"; wait "$pid" 2>/dev/null || true

now_ms=$(($(date +%s) * 1000))
day_ms=86400000
sqlite3 "$db" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
-- 10,000 incidents over the last 60 days, all severities and sources, drills and declined among
-- them; acknowledged, mitigated and resolved after a few minutes to hours.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $incidents - 1)
INSERT INTO incidents (id, day, seq, title, severity, status, ic, reporter, source, declared_at,
  acknowledged_at, acknowledged_by, mitigated_at, resolved_at, updated_at, drill, declined)
SELECT 'INC-' || strftime('%Y%m%d', ($now_ms - (i % 60) * $day_ms - 3600000) / 1000, 'unixepoch')
         || '-' || printf('%03d', i / 60 + 1),
       strftime('%Y%m%d', ($now_ms - (i % 60) * $day_ms - 3600000) / 1000, 'unixepoch'),
       i / 60 + 1, 'incident number ' || i, 'P' || (i % 4), 'resolved', 'U0IC' || (i % 7),
       'U0REP', CASE i % 3 WHEN 0 THEN 'slack' WHEN 1 THEN 'pagerduty' ELSE 'alertmanager' END,
       $now_ms - (i % 60) * $day_ms - 3600000,
       $now_ms - (i % 60) * $day_ms - 3600000 + 60000 * (1 + i % 13), 'U0ACK',
       $now_ms - (i % 60) * $day_ms - 3600000 + 60000 * (10 + i % 41),
       $now_ms - (i % 60) * $day_ms - 3600000 + 60000 * (30 + i % 97),
       $now_ms, (i % 50 = 0), (i % 70 = 1)
FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2 * $incidents - 1)
INSERT INTO pages (incident_id, level, attempt, contact, dedup_key, methods, at)
SELECT id, 1 + (n.i % 2), 1 + n.i / $incidents, 'contact-' || (n.i % 9), 'k', 'pagerduty',
       declared_at + 300000 * (n.i % 2)
FROM n JOIN incidents ON incidents.rowid = 1 + n.i % $incidents;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $incidents / 5 - 1)
INSERT INTO action_items (incident_id, number, text, owner, due, created_at, status)
SELECT id, 1, 'follow-up ' || n.i, 'U0OWN', '2020-01-01', declared_at,
       CASE n.i % 2 WHEN 0 THEN 'open' ELSE 'done' END
FROM n JOIN incidents ON incidents.rowid = 1 + n.i * 5;
-- One incident with 100,000 timeline events: notes (some with table pipes and markup), status
-- changes, pages, a minute apart.
INSERT INTO incidents (id, day, seq, title, severity, status, ic, source, declared_at,
  acknowledged_at, mitigated_at, resolved_at, updated_at)
VALUES ('INC-20200101-001', '20200101', 1, 'the long one', 'P1', 'resolved', 'U0IC', 'slack',
  1577872800000, 1577873100000, 1577880000000, 1577872800000 + $events * 1000, $now_ms);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $events - 1)
INSERT INTO timeline (incident_id, at, type, actor, source, field, old_value, new_value, text)
SELECT 'INC-20200101-001', 1577872800000 + i * 1000,
       CASE WHEN i % 1000 = 500 THEN 'status_changed' WHEN i % 100 = 7 THEN 'page_sent'
            ELSE 'note' END,
       'U0N' || (i % 13), 'slack',
       CASE WHEN i % 1000 = 500 THEN 'status' END,
       CASE WHEN i % 1000 = 500 THEN 'investigating' END,
       CASE WHEN i % 1000 = 500 THEN 'identified' END,
       'note ' || i || ': retry storm | queue depth ' || (i * 7 % 50000) || ' <b>*bold*</b>'
FROM n;
COMMIT;
SQL

id=INC-20200101-001
measure() {  # key, label, command…: best wall seconds and its peak RSS in MiB over $runs runs
  local key=$1 label=$2 best=999 rss=0
  shift 2
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/t" "$@" >"$work/doc" 2>"$work/err" || {
      echo "$label failed:"; cat "$work/err"; exit 1; }
    read -r t k <"$work/t"
    if awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$t; rss=$((k / 1024)); fi
  done
  printf '%-34s %6.2f s  %4d MiB  %9d bytes\n' "$label" "$best" "$rss" "$(stat -c %s "$work/doc")"
  eval "t_$key=$best"
}
echo "rows: $events timeline events in $id; $incidents incidents, $((2 * incidents)) pages"
measure bt "baseline (sqlite3 -json timeline)" sqlite3 -json "$db" \
  "SELECT * FROM timeline WHERE incident_id = '$id' ORDER BY at, id"
measure em "export markdown" "$build/muster" export "$id" --format markdown --db "$db"
measure eh "export html" "$build/muster" export "$id" --format html --db "$db"
measure ej "export json" "$build/muster" export "$id" --format json --db "$db"
measure bi "baseline (sqlite3 -json incidents)" sqlite3 -json "$db" \
  "SELECT * FROM incidents WHERE declared_at >= $((now_ms - 60 * day_ms - 7200000))"
measure rm "report markdown 60d" "$build/muster" report --since 61d --format markdown --db "$db"
measure rh "report html 60d" "$build/muster" report --since 61d --format html --db "$db"
measure rj "report json 60d" "$build/muster" report --since 61d --format json --db "$db"
awk -v b="$t_bt" -v m="$t_em" -v h="$t_eh" -v j="$t_ej" -v rb="$t_bi" -v r="$t_rh" \
    'BEGIN { printf "ratios to the baseline: export markdown %.1f, html %.1f, json %.1f; report html %.1f\n",
             m / (b > 0 ? b : 0.01), h / (b > 0 ? b : 0.01), j / (b > 0 ? b : 0.01),
             r / (rb > 0 ? rb : 0.01) }'
