#!/usr/bin/env bash
# Where the writer's disk writes go (issue 8, README "Performance"): the declare load of
# bench/declare_bench.sh (distinct signed declarations, wrk, CONNECTIONS, console on and its output
# discarded) against Muster alone, and meanwhile copies of the write-ahead log. Each WAL frame is
# one 4 KiB page written at a commit; the page's B-tree (table or index, from SQLite's dbstat) says
# what it was for. Prints the bytes each thread wrote per declaration (/proc/<pid>/task/*/io) and,
# per B-tree, the frames a commit writes and how many distinct pages they were: a B-tree whose
# frames far exceed one a commit is rewriting pages (updates, random keys), not appending.
#
#   bench/wal_frames.sh      # SECONDS_PER_RUN=6 CONNECTIONS=20 BUILD=build; extra YAML in CONFIG
#
# The WAL file is reused from its start after each checkpoint (with new salts), so the script
# keeps, per WAL generation, its longest copy and reads only the frames of that generation.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
seconds=${SECONDS_PER_RUN:-6}
conns=${CONNECTIONS:-20}
secret=bench-secret
source bench/lib.sh
make_scratch

need wrk
need sqlite3
cmake --build "$build" --target muster sign_requests >/dev/null
mkdir -p "$work/requests" "$work/wal"
"$build/bench/sign_requests" --secret "$secret" --count 200000 --out "$work/requests"
settle_files

port=$(free_port)
printf 'log: {level: warn}\n%b' "${CONFIG:-}" >"$work/m.yaml"
SLACK_SIGNING_SECRET=$secret "$build/muster" serve --config "$work/m.yaml" \
  --listen "127.0.0.1:$port" --db "$work/m.db" >/dev/null &
pid=$!
wait_port "$port"

# "thread-name bytes" lines: what each thread has written so far (write(2) and pwrite(2) alike).
written() { per_thread "$pid" io '/^wchar/ {print $2}'; }
written >"$work/io0"
wrk -t2 -c"$conns" -d"${seconds}s" -s "$work/requests/send.lua" "http://127.0.0.1:$port" -- 2 \
  >"$work/wrk.txt" &
load=$!
i=0
while kill -0 "$load" 2>/dev/null; do
  cp "$work/m.db-wal" "$work/wal/$((i += 1))" 2>/dev/null || true
  sleep 0.2
done
wait "$load"
written >"$work/io1"
kill "$pid"; wait "$pid" 2>/dev/null || true  # a clean stop checkpoints: every page is in m.db
sqlite3 "$work/m.db" "SELECT pageno, name FROM dbstat" >"$work/pages"

requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
echo "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt") declarations/s, $requests in ${seconds} s"
echo "bytes written per declaration, by thread:"
join "$work/io0" "$work/io1" |
  awk -v n="$requests" '{ b = ($3 - $2) / n; if (b >= 1) printf "  %-14s %7.0f\n", $1, b }'

writer_bytes=$(join "$work/io0" "$work/io1" | awk -v n="$requests" '$1 == "writer" {print ($3 - $2) / n}')
python3 - "$work" "${writer_bytes:-0}" <<'EOF'
import collections, os, struct, sys
work, writer_bytes = sys.argv[1], float(sys.argv[2])
tree = {}
for line in open(os.path.join(work, "pages")):
    page, name = line.rstrip("\n").split("|", 1)
    tree[int(page)] = name
best = {}  # WAL generation (its salts) -> the longest list of its frames' page numbers
for name in os.listdir(os.path.join(work, "wal")):
    data = open(os.path.join(work, "wal", name), "rb").read()
    if len(data) < 32:
        continue
    page_size, salts = struct.unpack(">I", data[8:12])[0], data[16:24]
    frames, commits, off = [], 0, 32
    while off + 24 + page_size <= len(data) and data[off + 8:off + 16] == salts:
        page, commit = struct.unpack(">II", data[off:off + 8])
        frames.append((page, commit))
        off += 24 + page_size
    # Only up to the last commit frame: a transaction still being written is not one yet.
    while frames and frames[-1][1] == 0:
        frames.pop()
    if len(frames) > len(best.get(salts, [])):
        best[salts] = frames
frames = [f for fs in best.values() for f in fs]
commits = sum(1 for _, commit in frames if commit)
if not commits:
    sys.exit("no committed WAL frames captured: run longer (SECONDS_PER_RUN)")
count = collections.Counter(tree.get(p, "(freed page)") for p, _ in frames)
distinct = collections.defaultdict(set)
for p, _ in frames:
    distinct[tree.get(p, "(freed page)")].add(p)
per_commit = len(frames) / commits
print(f"\n{commits} commits seen, {per_commit:.1f} WAL frames (4 KiB pages) a commit", end="")
if writer_bytes:  # a frame is its page and a 24-byte header
    print(f", about {per_commit * (4096 + 24) / writer_bytes:.1f} declarations a commit", end="")
print()
print(f"{'B-tree':40} {'frames/commit':>13} {'distinct pages':>15} {'share':>6}")
for name, n in count.most_common():
    if n / commits < 0.05:
        break
    print(f"{name:40} {n / commits:13.1f} {len(distinct[name]):15d} {100 * n / len(frames):5.1f}%")
EOF
