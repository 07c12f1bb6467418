# Shared by the bench/ scripts (sourced, not run): the tools they need, free ports, and counters
# per thread of a running process.

# need COMMAND [PACKAGE...]: installs the Debian packages (default: COMMAND) when COMMAND is
# missing and we are root. Fails (non-zero) when it is missing and cannot be installed.
need() {
  local cmd=$1
  shift
  command -v "$cmd" >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -q "${@:-$cmd}" >/dev/null; }
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits up to 10 s for something to listen on 127.0.0.1:PORT.
wait_port() {
  for _ in $(seq 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

# per_thread PID FILE AWK-PROGRAM: "thread-name value" lines, sorted, one per thread name (threads
# of the same name summed), the value read from /proc/PID/task/*/FILE by AWK-PROGRAM.
per_thread() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(tr ' ' '_' <"$t/comm")" "$(awk "$3" "$t/$2")"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}

# Sets $work to a fresh scratch folder; on exit the script's background jobs are stopped and the
# folder removed.
make_scratch() {
  work=$(mktemp -d)
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
}

# Puts the request files a script has just generated on disk before any server starts: the kernel
# writing them back during a run would stall the server's fdatasync (it did: a first Muster run
# with a p99 of 160–240 ms).
settle_files() { sync; }
