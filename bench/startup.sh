#!/usr/bin/env bash
# Start-up and memory benchmark: time from process start to /readyz = 200, CPU spent getting
# there, resident memory idle and after 1,000 requests, and a clean stop on SIGTERM.
#
#   bash bench/startup.sh                      5 runs of the launcher as it is (./signet serve)
#   bash bench/startup.sh --runs 9 --requests 2000 --concurrency 8
#   bash bench/startup.sh --config 'cache=' --config 'no-cache=SIGNET_AOT=off'
#
# Each run starts `./signet serve --port P --data-dir D` twice: first on a new, empty data
# directory (a first start: master key made, migrations run), then again on the same directory
# (a second start, the common case). For each start it records:
#   - ready: wall time from launching ./signet to the first 200 from /readyz (polled every 20 ms);
#   - CPU: user+system CPU time of the process (and of the launcher's children) up to that moment;
#   - RSS idle: VmRSS 2 s after ready;
#   - RSS after load: VmRSS after N requests (default 1,000) over loopback, a mix of GET /signin,
#     /readyz, /healthz and /metrics, 8 at a time, sent by bench/Load.java;
#   - stop: SIGTERM, then the time until the process exits, and its exit status (143 = 128+SIGTERM
#     is what a JVM returns after running its shutdown hooks, i.e. a clean graceful stop).
# Then prints a markdown table per configuration (median, min, max) and the machine facts.
#
# --config LABEL=ENV runs the launcher with the given environment assignments (shell words, e.g.
# "serial=SIGNET_JAVA_OPTS='-XX:+UseSerialGC -Xmx256m'"); several configurations are
# run interleaved, one start of each in turn, so that background load falls on all of them alike.
# SIGNET_BENCH_LAUNCHER=PATH in a configuration runs that launcher instead of ./signet (e.g. an
# older copy of it, set up with its own repository root, to compare before and after).
#
# Binds 127.0.0.1 only, on free ports. Everything is bounded in time; servers still running when
# the script ends (normally or not) are killed, and temporary data directories removed. Exits 1
# when a server did not stop cleanly (an exit status other than 0 or 143, or killed after 40 s).
# Needs curl and a JDK 21+ (the one the launcher finds).

set -euo pipefail

all_args=("$@")
runs=5
requests=1000
concurrency=8
configs=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --config) configs+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "startup.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#configs[@]} -gt 0 ] || configs=("default=")

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
command -v curl >/dev/null 2>&1 || { echo "startup.sh: needs curl" >&2; exit 1; }

ready_timeout=120   # seconds to wait for /readyz
stop_timeout=40     # seconds to wait for exit after SIGTERM (the server's graceful timeout is 20 s)
idle_wait=2         # seconds between ready and the idle RSS reading
hz=$(getconf CLK_TCK)

work=$(mktemp -d "${TMPDIR:-/tmp}/signet-bench.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The JDK the launcher will pick, for this script's own use (javac, the load generator). Found in
# a subshell: ./signet runs with the caller's environment as it is, JAVA_HOME set or not, because
# finding the JDK is part of a real start.
jdk=$(
  # shellcheck source-path=SCRIPTDIR/.. source=.mvn/find-java.sh
  . "$root/.mvn/find-java.sh"
  signet_find_java >/dev/null && echo "$JAVA_HOME"
) || exit 1
java_version=$("$jdk/bin/java" -version 2>&1 | sed -n '2p')
java_home_state="not set"
# shellcheck disable=SC2031 # the subshell above changed its own copy only
[ -z "${JAVA_HOME:-}" ] || java_home_state="set"

# ---- build (not timed) -------------------------------------------------------------------------

echo "bench: making sure the launcher is built (./signet --version)..." >&2
./signet --version >&2
"$jdk/bin/javac" -d "$work/load" "$root/bench/Load.java"

# ---- helpers ------------------------------------------------------------------------------------

free_port() {
  local p
  for _ in $(seq 1 200); do
    # Below the kernel's ephemeral range (32768+), where other programs' port-0 sockets land.
    p=$((20000 + RANDOM % 12000))
    # A refused connection means nothing listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "startup.sh: no free loopback port found" >&2
  return 1
}

http_code() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

cpu_ticks() {
  # utime + stime + cutime + cstime: the JVM's CPU plus the launcher's waited-for children.
  local stat
  stat=$(sed 's/^.*) //' "/proc/$1/stat")
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} + ${14} + ${15} ))
}

rss_kb() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

now_us() {
  local t=$EPOCHREALTIME
  echo "${t/./}"
}

# One start of the server with the given environment; appends a result line to $work/results.
# Fields: label mode ready_ms cpu_ms rss_idle_kb rss_load_kb load_s stop_ms exit_code
one_start() {
  local label=$1 envs=$2 mode=$3 data=$4 attempt port t0 t1 pid code out rc load_line stop_start
  local -a assign=()
  eval "assign=($envs)"
  local launcher=./signet a
  for a in ${assign[@]+"${assign[@]}"}; do
    case $a in SIGNET_BENCH_LAUNCHER=*) launcher=${a#*=} ;; esac
  done
  if [ ! -x "$launcher" ]; then
    echo "bench: no launcher at $launcher (configuration $label)" >&2
    return 1
  fi
  for attempt in 1 2 3; do
    # Settle the build first, so the timed start never includes one.
    env ${assign[@]+"${assign[@]}"} "$launcher" --version >/dev/null 2>&1 || true
    port=$(free_port)
    out=$work/server.$label.$mode.log
    t0=$(now_us)
    env ${assign[@]+"${assign[@]}"} "$launcher" serve --port "$port" --data-dir "$data" >"$out" 2>&1 </dev/null &
    pid=$!
    server_pid=$pid
    code=""
    while :; do
      code=$(http_code "http://127.0.0.1:$port/readyz")
      [ "$code" = 200 ] && break
      if ! kill -0 "$pid" 2>/dev/null; then
        if grep -q 'already in use' "$out"; then
          echo "bench: port $port was taken meanwhile (attempt $attempt); retrying" >&2
          wait "$pid" 2>/dev/null || true
          server_pid=""
          continue 2
        fi
        echo "bench: the server exited before it was ready; its output:" >&2
        cat "$out" >&2
        return 1
      fi
      if [ $(( $(now_us) - t0 )) -gt $((ready_timeout * 1000000)) ]; then
        echo "bench: not ready after ${ready_timeout}s; its output:" >&2
        cat "$out" >&2
        return 1
      fi
      sleep 0.02
    done
    t1=$(now_us)
    local cpu
    cpu=$(cpu_ticks "$pid")
    if grep -q '^signet: \(building\|sources changed\|preparing\)' "$out"; then
      # Someone changed the sources between the settle step and the start: not a fair sample.
      echo "bench: a build slipped into the timed start (attempt $attempt); retrying" >&2
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      server_pid=""
      continue
    fi
    sleep "$idle_wait"
    local rss_idle rss_load
    rss_idle=$(rss_kb "$pid")
    load_line=$(timeout 180 "$jdk/bin/java" -cp "$work/load" Load "http://127.0.0.1:$port" "$requests" "$concurrency") || {
      echo "bench: load failed: $load_line" >&2
      return 1
    }
    # The load generator's own measure, from its first request to its last answer.
    local load_ms
    load_ms=$(sed -n 's/.* seconds=\([0-9]*\)\.\([0-9]*\) .*/\1\20/p' <<<"$load_line")
    load_ms=$((10#${load_ms:-0}))
    rss_load=$(rss_kb "$pid")
    stop_start=$(now_us)
    kill -TERM "$pid"
    rc=""
    for _ in $(seq 1 $((stop_timeout * 10))); do
      if ! kill -0 "$pid" 2>/dev/null; then
        break
      fi
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "bench: still running ${stop_timeout}s after SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      rc=KILLED
    else
      rc=0
      wait "$pid" || rc=$?
    fi
    server_pid=""
    local stop_ms ready_ms cpu_ms
    stop_ms=$(( ($(now_us) - stop_start) / 1000 ))
    ready_ms=$(( (t1 - t0) / 1000 ))
    cpu_ms=$(( cpu * 1000 / hz ))
    echo "$label $mode $ready_ms $cpu_ms $rss_idle $rss_load $load_ms $stop_ms $rc" >>"$work/results"
    printf 'bench: %-10s %-7s ready %5d ms  cpu %5d ms  rss idle %4d MB  after %d requests %4d MB  stop %d ms (exit %s)  [%s]\n' \
      "$label" "$mode" "$ready_ms" "$cpu_ms" $((rss_idle / 1024)) "$requests" $((rss_load / 1024)) "$stop_ms" "$rc" "$load_line" >&2
    return 0
  done
  echo "bench: gave up after 3 attempts (sources changing under the benchmark, or ports taken)" >&2
  return 1
}

# ---- runs ---------------------------------------------------------------------------------------

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/results"
for run in $(seq 1 "$runs"); do
  for cfg in "${configs[@]}"; do
    label=${cfg%%=*}
    envs=${cfg#*=}
    data=$work/data.$label.$run
    one_start "$label" "$envs" first "$data"
    one_start "$label" "$envs" second "$data"
    rm -rf "$data"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -------------------------------------------------------------------------------------

# stats FIELD LABEL MODE SCALE DECIMALS -> "median (min–max)"
stats() {
  awk -v f="$1" -v l="$2" -v m="$3" -v s="$4" -v d="$5" '
    $1 == l && $2 == m { v[n++] = $f / s }
    END {
      if (n == 0) { print "–"; exit }
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      med = (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
      fmt = "%." d "f (%." d "f–%." d "f)"
      printf fmt "\n", med, v[0], v[n - 1]
    }' "$work/results"
}
exits() {
  awk -v l="$1" -v m="$2" '$1 == l && $2 == m { c[$9]++ } END { s = ""; for (k in c) s = s (s ? ", " : "") c[k] "× " k; print s }' "$work/results"
}

# The arguments as a shell would need them typed: plain words bare, the rest quoted.
shell_words() {
  local a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=+,@%-]+$ ]]; then
      printf ' %s' "$a"
    elif [[ $a != *[\"\$\`\\!]* ]]; then
      printf ' "%s"' "$a"
    else
      printf " '%s'" "${a//\'/\'\\\'\'}"
    fi
  done
}

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem_total=$(awk '/^MemTotal:/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)

echo
echo "Command: \`bash bench/startup.sh$(shell_words ${all_args[@]+"${all_args[@]}"})\` — $runs runs, $requests requests after each start, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) CPUs ($cpu_model), $mem_total RAM, $(uname -sr); JDK: $java_version; JAVA_HOME $java_home_state; load average before/after: $load_before / $load_after"
echo
for cfg in "${configs[@]}"; do
  label=${cfg%%=*}
  envs=${cfg#*=}
  if [ ${#configs[@]} -gt 1 ] || [ -n "$envs" ]; then
    echo "Configuration \`$label\`: ${envs:-launcher defaults}"
    echo
  fi
  echo "| median (min–max) of $runs | first start (new data dir) | second start (existing data dir) |"
  echo "|---|---|---|"
  echo "| process start → \`/readyz\` 200 (s) | $(stats 3 "$label" first 1000 2) | $(stats 3 "$label" second 1000 2) |"
  echo "| CPU time to ready (s) | $(stats 4 "$label" first 1000 2) | $(stats 4 "$label" second 1000 2) |"
  echo "| resident memory idle (MB) | $(stats 5 "$label" first 1024 0) | $(stats 5 "$label" second 1024 0) |"
  echo "| resident memory after $requests requests (MB) | $(stats 6 "$label" first 1024 0) | $(stats 6 "$label" second 1024 0) |"
  echo "| $requests requests, $concurrency at a time (s) | $(stats 7 "$label" first 1000 2) | $(stats 7 "$label" second 1000 2) |"
  echo "| SIGTERM → exit (s) | $(stats 8 "$label" first 1000 2) | $(stats 8 "$label" second 1000 2) |"
  echo "| exit status | $(exits "$label" first) | $(exits "$label" second) |"
  echo
done

unclean=$(awk '$9 != 0 && $9 != 143' "$work/results" | wc -l)
if [ "$unclean" -gt 0 ]; then
  echo "bench: $unclean start(s) did not stop cleanly on SIGTERM (see the exit status rows)" >&2
  exit 1
fi
