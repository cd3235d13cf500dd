#!/usr/bin/env bash
# Password sign-ins per second over HTTP against the raw Argon2id rate at the same parameters, in
# one run on one machine (issue: aim >= 85 % of the raw rate), with per-request latencies.
#
#   bash bench/signin.sh                                  3 rounds of 2, 3 and 4 workers, 30 s each (~12 min)
#   bash bench/signin.sh --seconds 20 --warmup 5 --rounds 1 --concurrency 2   a quick look
#   bash bench/signin.sh --db postgres                    the same on a throwaway local PostgreSQL
#   bash bench/signin.sh --jfr /tmp/signin.jfr            also record a JFR profile of round 1
#
# In order:
#   1. builds: installs signet-core into ~/.m2 and packages bench/accounts (a standalone JMH
#      project, like bench/ca); `./signet --version` so the launcher's own build is settled.
#   2. raw: JMH Argon2idBench.verify (signet-core's Argon2id.verify at Argon2id.Params.DEFAULT,
#      m=19456 KiB, t=2, p=1, the server's defaults) on `nproc` threads at once (-t), 1 fork, 2 warm-up
#      and 5 measurement iterations of 3 s: hashes per second over all threads.
#   3. a new data directory, the user `bench` made by `signet admin create-admin` (password on
#      standard input), then `./signet serve --port P --data-dir D` on a free 127.0.0.1 port with
#      SIGNET_THROTTLE_IP_BURST=1000000 and SIGNET_THROTTLE_IP_PER_MINUTE=1000000: every sign-in
#      comes from 127.0.0.1, and the per-IP bucket (default 30 at once, 30 a minute) would refuse
#      them otherwise. Every other protection stays on (the bucket itself is still read and written
#      on each attempt, the account delay, history and audit too).
#   4. per round, for each concurrency C: bench/SignInLoad.java with C workers for WARMUP + SECONDS
#      seconds; each iteration is a fresh cookie jar, GET /signin (parse _csrf), POST /signin with
#      the right password, expect 302 to "/". Counted: POSTs answered in the last SECONDS seconds.
#      Alongside: the server's CPU time, the machine's busy share, SQLite fsync/fdatasync calls of
#      the server (perf, when available) or PostgreSQL commits, and rows added per sign-in.
#      Then the raw JMH measurement again, so raw and HTTP alternate (R+1 raw measurements).
#   5. SIGTERM to the server (a clean stop is exit status 143), then markdown tables: sign-ins per
#      second per concurrency (median, min-max over rounds), the ratio to the raw rate (median of
#      all raw measurements), POST and GET+POST latency p50/p99 (median over rounds), and the raw
#      measurements one by one so that drift shows.
#
# Options: --seconds S (30) --warmup W (10) --rounds R (3) --concurrency LIST (2,3,4)
#          --db sqlite|postgres (sqlite) --jfr FILE (JFR, settings=profile, of round 1's HTTP runs)
# Env: SIGNET_BENCH_SKIP_BUILD=1 reuses bench/accounts/target/benchmarks.jar; SIGNET_JAVA_OPTS and
# other SIGNET_* settings reach the server as usual (the throttle ones above are overridden).
#
# Binds 127.0.0.1 only, on free ports. Everything is bounded in time; the server, JMH and
# PostgreSQL are stopped when the script ends, however it ends, and the temporary directories
# removed. Needs curl, python3, timeout and a JDK 21+ (the one the launcher finds); perf and
# sqlite3 (or psql) for the per-sign-in counts, which are left out without them.

set -euo pipefail

all_args=("$@")
seconds=30
warmup=10
rounds=3
concurrency_list=2,3,4
db=sqlite
jfr=""
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --concurrency) concurrency_list=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --jfr) jfr=$2; shift 2 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "signin.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $db in sqlite|postgres) ;; *) echo "signin.sh: --db sqlite or postgres" >&2; exit 2 ;; esac
IFS=, read -r -a concurrencies <<<"$concurrency_list"
for n in "$seconds" "$warmup" "$rounds" "${concurrencies[@]}"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "signin.sh: not a number: $n" >&2; exit 2; }
done
[ -z "$jfr" ] || jfr=$(realpath -m "$jfr")

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
cd "$root"
for tool in curl python3 timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "signin.sh: needs $tool" >&2; exit 1; }
done
have_perf=0
if command -v perf >/dev/null 2>&1 &&
  timeout 10 perf stat -e syscalls:sys_enter_fdatasync -x, -o /dev/null true >/dev/null 2>&1; then
  have_perf=1
fi

# The JDK the launcher will pick, for this script's own use (JMH, javac, the load generator); the
# launcher itself runs with the caller's environment as it is.
jdk=$(
  # shellcheck source-path=SCRIPTDIR/.. source=.mvn/find-java.sh
  . "$root/.mvn/find-java.sh"
  signet_find_java >/dev/null && echo "$JAVA_HOME"
) || exit 1
java=$jdk/bin/java
threads=$(nproc)

work=$(mktemp -d "${TMPDIR:-/tmp}/signet-signin.XXXXXX")
pg_dir=""
server_pid=""
jmh_pid=""
pg_started=0
cleanup() {
  local p
  for p in "$server_pid" "$jmh_pid"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill -KILL "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  if [ "$pg_started" = 1 ]; then
    pg_as "$(pg_bin pg_ctl)" -D "$pg_dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  [ -z "$pg_dir" ] || rm -rf "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- build (not timed) -------------------------------------------------------------------------

bench_jar=$root/bench/accounts/target/benchmarks.jar
if [ "${SIGNET_BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$bench_jar" ]; then
  echo "bench: building signet-core into ~/.m2, then bench/accounts..." >&2
  JAVA_HOME=$jdk timeout 900 ./mvnw -q -B -pl signet-core -am install -Dmaven.test.skip=true \
    -Dspotless.check.skip=true >&2
  (cd bench/accounts && JAVA_HOME=$jdk timeout 600 ../../mvnw -q -B package -Dspotless.check.skip=true) >&2
fi
echo "bench: making sure the launcher is built (./signet --version)..." >&2
./signet --version >&2
"$jdk/bin/javac" -d "$work/load" "$root/bench/SignInLoad.java"

# ---- helpers ------------------------------------------------------------------------------------

# One raw measurement: JMH Argon2idBench.verify on $threads threads, in a JVM with JMH's defaults
# (the JVM's own ergonomics: G1 and a quarter of RAM on this kind of machine). Appends "n jmh score
# min max cpu_ms_per_hash others_pct" to $work/raw: median and range of the 5 measurement
# iterations (hashes/s over all threads), the median process CPU per hash (GC and JIT included),
# and the share of the machine that other processes used meanwhile.
raw_n=0
raw() {
  local json log c0 c1 others
  local -a mb ma
  raw_n=$((raw_n + 1))
  json=$work/raw.$raw_n.json
  log=$work/raw.$raw_n.log
  echo "bench: raw Argon2id #$raw_n (JMH, $threads threads)..." >&2
  c0=$(child_ticks)
  read -r -a mb < <(machine_ticks)
  timeout 300 "$java" -jar "$bench_jar" 'Argon2idBench\.verify' -t "$threads" -f 1 -wi 2 -w 3s -i 5 -r 3s \
    -foe true -rf json -rff "$json" >"$log" 2>&1 &
  jmh_pid=$!
  wait "$jmh_pid" || { echo "signin.sh: JMH failed or timed out:" >&2; tail -30 "$log" >&2; exit 1; }
  jmh_pid=""
  c1=$(child_ticks)
  read -r -a ma < <(machine_ticks)
  others=$(( ma[1] > mb[1] ? 100 * ((ma[0] - mb[0]) - (c1 - c0)) / (ma[1] - mb[1]) : 0 ))
  python3 - "$json" "$log" "$raw_n" "$others" >>"$work/raw" <<'PY'
import json, re, statistics, sys
b = json.load(open(sys.argv[1]))[0]
v = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
# "# cpu: X ms/hash" after every iteration; the last len(v) are the measurement iterations.
cpu = [float(x) for x in re.findall(r"# cpu: ([0-9.]+) ms/hash", open(sys.argv[2]).read())][-len(v):]
print(sys.argv[3], "jmh", f"{statistics.median(v):.2f}", f"{min(v):.2f}", f"{max(v):.2f}",
      f"{statistics.median(cpu):.1f}" if cpu else "-", max(0, int(sys.argv[4])))
PY
  echo "bench: raw #$raw_n: $(tail -n 1 "$work/raw" | cut -d' ' -f3) hashes/s," \
    "$(tail -n 1 "$work/raw" | cut -d' ' -f6) ms CPU/hash, others $others %" >&2
}

# ---- PostgreSQL (--db postgres) -----------------------------------------------------------------

pg_port=""
pg_sql() {
  psql -X -q -A -t -h 127.0.0.1 -p "$pg_port" -U signet -d postgres -c "$1"
}
if [ "$db" = postgres ]; then
  command -v psql >/dev/null 2>&1 || { echo "signin.sh: --db postgres needs psql" >&2; exit 1; }
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/signet-signin-pg.XXXXXX")
  chmod 755 "$pg_dir"
  [ "$(id -u)" != 0 ] || chown nobody "$pg_dir"
  pg_as "$(pg_bin initdb)" -D "$pg_dir/data" -U signet -A trust -E UTF8 --no-locale >"$work/initdb.log" 2>&1 ||
    { cat "$work/initdb.log" >&2; exit 1; }
  pg_port=$(free_port)
  # Production-like durability (fsync, synchronous_commit on: the defaults); loopback only.
  pg_as "$(pg_bin pg_ctl)" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir" start >&2
  pg_started=1
  export SIGNET_DB_URL="jdbc:postgresql://127.0.0.1:$pg_port/postgres" SIGNET_DB_USER=signet
  pg_version=$(pg_sql 'SHOW server_version')
fi

# ---- the server ---------------------------------------------------------------------------------

data=$work/data
password="Vq7#pL2x!Rk9@tZ4-sign-in-load"
echo "bench: creating the user bench..." >&2
printf '%s\n' "$password" | timeout 300 ./signet admin create-admin --username bench --data-dir "$data" >&2

port=""
for attempt in 1 2 3; do
  port=$(free_port)
  SIGNET_THROTTLE_IP_BURST=1000000 SIGNET_THROTTLE_IP_PER_MINUTE=1000000 \
    ./signet serve --port "$port" --data-dir "$data" >"$work/server.log" 2>&1 </dev/null &
  server_pid=$!
  t0=$(now_us)
  ready=0
  while kill -0 "$server_pid" 2>/dev/null; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz" || true)" = 200 ]; then
      ready=1
      break
    fi
    [ $(( $(now_us) - t0 )) -lt 300000000 ] || break
    sleep 0.1
  done
  [ "$ready" = 1 ] && break
  if ! kill -0 "$server_pid" 2>/dev/null && grep -q 'already in use' "$work/server.log"; then
    echo "bench: port $port was taken meanwhile (attempt $attempt); retrying" >&2
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    continue
  fi
  echo "signin.sh: the server did not get ready; its output:" >&2
  cat "$work/server.log" >&2
  exit 1
done
[ -n "$server_pid" ] || { echo "signin.sh: could not start the server" >&2; exit 1; }
echo "bench: server pid $server_pid ready on 127.0.0.1:$port" >&2
base=http://127.0.0.1:$port

# Row counts of the tables a sign-in writes, and (PostgreSQL) commits: "sessions attempts audit
# commits", or nothing when the database cannot be read from here.
db_counts() {
  local q="SELECT (SELECT COUNT(*) FROM web_session), (SELECT COUNT(*) FROM sign_in_attempt),"
  q+=" (SELECT COUNT(*) FROM audit_event)"
  if [ "$db" = sqlite ]; then
    command -v sqlite3 >/dev/null 2>&1 || return 0
    # Read-only, and waits for the server's writers instead of failing.
    sqlite3 -readonly -cmd '.timeout 10000' -separator ' ' "$data/signet.db" "$q, 0" 2>/dev/null || true
  else
    pg_sql "SELECT pg_stat_force_next_flush()" >/dev/null 2>&1 || true
    pg_sql "$q, (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())" 2>/dev/null |
      tr '|' ' ' || true
  fi
}

hz=$(getconf CLK_TCK)
# One HTTP run: appends "round c rate failed post50 post99 pair50 pair99 get50 get99 cpu_ms_per
# busy_pct fsyncs_per rows_session rows_attempt rows_audit commits_per" to $work/http.
http_run() {
  local round=$1 c=$2 line perf_pid="" before after cpu0 cpu1 c0 c1 t0 t1 rss fsyncs=-
  local -a mb ma
  before=$(db_counts)
  cpu0=$(cpu_ticks "$server_pid")
  c0=$(child_ticks)
  read -r -a mb < <(machine_ticks)
  if [ "$db" = sqlite ] && [ "$have_perf" = 1 ]; then
    timeout -s INT $((warmup + seconds + 120)) perf stat -x, -o "$work/perf.$round.$c" \
      -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync -p "$server_pid" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  t0=$(now_us)
  line=$(SIGNET_BENCH_PASSWORD=$password timeout $((warmup + seconds + 90)) \
    "$java" -cp "$work/load" SignInLoad "$base" bench "$seconds" "$c" "$warmup") || {
    echo "signin.sh: the load generator failed (round $round, $c workers): $line" >&2
    [ -n "$line" ] || exit 1
  }
  t1=$(now_us)
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    fsyncs=$(awk -F, '$3 ~ /sys_enter_f(data)?sync/ { s += $1 } END { print s + 0 }' "$work/perf.$round.$c" 2>/dev/null || echo -)
  fi
  cpu1=$(cpu_ticks "$server_pid")
  c1=$(child_ticks)
  read -r -a ma < <(machine_ticks)
  after=$(db_counts)
  rss=$(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$server_pid/status")
  echo "bench: round $round, $c workers: $line (server RSS $rss MB)" >&2
  python3 - "$line" "$before" "$after" "$((cpu1 - cpu0))" "$hz" "$((ma[0] - mb[0]))" \
    "$((ma[1] - mb[1]))" "$fsyncs" "$round" "$c" "$(( (t1 - t0) / 1000 ))" "$((c1 - c0))" "$rss" >>"$work/http" <<'PY'
import sys
line, before, after, cpu, hz, busy, total, fsyncs, rnd, c, wall_ms, tools, rss = sys.argv[1:]
f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
b, a = before.split(), after.split()
# Everything the server did during the run (warm-up and tail included) is divided by the sign-ins
# it made meanwhile: the new rows in sign_in_attempt (one per attempt), when they can be read.
attempts = int(a[1]) - int(b[1]) if len(a) == 4 and len(b) == 4 else 0
def per(x):
    return f"{x / attempts:.2f}" if attempts > 0 else "-"
cpu_ms = int(cpu) * 1000 / int(hz)
busy_pct = 100.0 * int(busy) / int(total) if int(total) > 0 else 0
# Other processes' share of the machine: busy minus the server and this script's own tools.
others_pct = max(0.0, 100.0 * (int(busy) - int(cpu) - int(tools)) / int(total)) if int(total) > 0 else 0
tools_pct = 100.0 * int(tools) / int(total) if int(total) > 0 else 0
rows = [per(int(a[i]) - int(b[i])) if attempts else "-" for i in range(3)]
commits = per(int(a[3]) - int(b[3])) if attempts and int(a[3]) else "-"
print(rnd, c, f["rate"], f["failed"], f["post_p50_ms"], f["post_p99_ms"], f["pair_p50_ms"], f["pair_p99_ms"],
      f["get_p50_ms"], f["get_p99_ms"], per(cpu_ms), f"{busy_pct:.0f}",
      per(int(fsyncs)) if fsyncs != "-" else "-", *rows, commits, attempts, f"{others_pct:.0f}", f"{tools_pct:.0f}",
      rss, f.get("failures", "-"))
PY
}

# ---- the run ------------------------------------------------------------------------------------

: >"$work/raw"
: >"$work/http"
raw
for round in $(seq 1 "$rounds"); do
  if [ "$round" = 1 ] && [ -n "$jfr" ]; then
    "$jdk/bin/jcmd" "$server_pid" JFR.start name=signin settings=profile filename="$jfr" >&2
  fi
  for c in "${concurrencies[@]}"; do
    http_run "$round" "$c"
  done
  if [ "$round" = 1 ] && [ -n "$jfr" ]; then
    "$jdk/bin/jcmd" "$server_pid" JFR.stop name=signin >&2
  fi
  raw
done

# ---- stop ---------------------------------------------------------------------------------------

kill -TERM "$server_pid"
stop_rc=KILLED
for _ in $(seq 1 400); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    stop_rc=0
    wait "$server_pid" || stop_rc=$?
    break
  fi
  sleep 0.1
done
if [ "$stop_rc" = KILLED ]; then
  echo "bench: the server was still running 40 s after SIGTERM; killing it" >&2
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
fi
server_pid=""
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report -------------------------------------------------------------------------------------

shell_words() {
  local a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=+,@%-]+$ ]]; then
      printf ' %s' "$a"
    else
      printf " '%s'" "${a//\'/\'\\\'\'}"
    fi
  done
}
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem_total=$(awk '/^MemTotal:/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)
java_version=$("$java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)$/\1/p' | head -n 1)
store="SQLite (WAL, synchronous=${SIGNET_SQLITE_SYNCHRONOUS:-FULL}) in a temporary directory"
[ "$db" = sqlite ] || store="PostgreSQL ${pg_version:-} on 127.0.0.1 (initdb defaults: fsync and synchronous_commit on)"

echo
echo "Command: \`bash bench/signin.sh$(shell_words ${all_args[@]+"${all_args[@]}"})\` — started $started; $rounds round(s) of ${concurrency_list//,/, } workers, ${warmup} s warm-up + ${seconds} s measured each"
echo
echo "Machine: $threads CPUs ($cpu_model), $mem_total RAM, Linux $(uname -r); JDK $java_version; $store; server JVM options: ${SIGNET_JAVA_OPTS-launcher defaults}; load average before/after: $load_before / $load_after; server stop: exit $stop_rc"
echo
python3 - "$work/raw" "$work/http" "$threads" "$db" <<'PY'
import statistics, sys
raw = [l.split() for l in open(sys.argv[1]) if l.strip()]
http = [l.split() for l in open(sys.argv[2]) if l.strip()]
threads, db = sys.argv[3], sys.argv[4]
def num(v):
    return [float(x) for x in v if x != "-"]
def med(v, d=1):
    v = num(v)
    return f"{statistics.median(v):.{d}f}" if v else "–"
def rng(v, d=1):
    v = num(v)
    if not v:
        return "–"
    m = f"{statistics.median(v):.{d}f}"
    return m if len(v) == 1 else f"{m} ({min(v):.{d}f}–{max(v):.{d}f})"
jmh = raw
raw_med = statistics.median(float(r[2]) for r in jmh)
cs = []
for r in http:
    if r[1] not in cs:
        cs.append(r[1])
print(f"Raw Argon2id, JMH `Argon2idBench.verify` (m=19456 KiB, t=2, p=1) on {threads} threads with JMH's default JVM"
      f" options, measured before the first round and after each round (n = {len(jmh)}):")
print()
print("| raw Argon2id | hashes/s, median (min–max) | CPU per hash (ms) | other processes (% of machine) |")
print("|---|---|---|---|")
print(f"| Argon2id.verify | **{rng(r[2] for r in jmh)}** | {med(r[5] for r in jmh)} | {med((r[6] for r in jmh), 0)} |")
print()
print("Password sign-ins over HTTP (fresh session, GET /signin, POST /signin → 302 /), per round:")
print()
head = "| workers | sign-ins/s, median (min–max) | **÷ raw** |"
print(head + " failed | POST p50 / p99 (ms) | GET+POST p50 / p99 (ms) | GET p50 / p99 (ms) |")
print("|---" * (head.count("|") - 1 + 4) + "|")
best = None
for c in cs:
    rows = [r for r in http if r[1] == c]
    rate = statistics.median(float(r[2]) for r in rows)
    ratio = rate / raw_med
    if best is None or ratio > best[1]:
        best = (c, ratio, rate)
    failed = sum(int(r[3]) for r in rows)
    print(f"| {c} | {rng(r[2] for r in rows)} | **{ratio:.0%}** |"
          + f" {failed} | {med(r[4] for r in rows)} / {med(r[5] for r in rows)}"
          f" | {med(r[6] for r in rows)} / {med(r[7] for r in rows)} | {med(r[8] for r in rows)} / {med(r[9] for r in rows)} |")
print()
print(f"Best: {best[0]} workers, {best[2]:.1f} sign-ins/s = **{best[1]:.0%} of the raw rate** ({raw_med:.1f} hashes/s; aim ≥ 85 %)."
      " Latencies are the median over rounds of each run's percentile.")
print()
print("Per sign-in attempt (GET + POST): each run as a whole (warm-up included) divided by the attempts it made"
      " (new sign_in_attempt rows); median over rounds:")
print()
print("| workers | server CPU (ms) | machine busy (%) | other processes (%) | load generator etc. (%) | "
      + ("fsync + fdatasync | " if db == "sqlite" else "commits | ")
      + "web_session rows | sign_in_attempt rows | audit_event rows | server RSS after (MB) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for c in cs:
    rows = [r for r in http if r[1] == c]
    io = med((r[12] for r in rows), 2) if db == "sqlite" else med((r[16] for r in rows), 2)
    print(f"| {c} | {med(r[10] for r in rows)} | {med((r[11] for r in rows), 0)} | {med((r[18] for r in rows), 0)}"
          f" | {med((r[19] for r in rows), 0)} | {io} | {med((r[13] for r in rows), 2)}"
          f" | {med((r[14] for r in rows), 2)} | {med((r[15] for r in rows), 2)} | {med((r[20] for r in rows), 0)} |")
fails = [(r[0], r[1], r[21]) for r in http if r[21] != "-"]
if fails:
    print()
    print("Failures: " + "; ".join(f"round {a}, {b} workers: {c}" for a, b, c in fails))
PY
if [ "$stop_rc" != 0 ] && [ "$stop_rc" != 143 ]; then
  echo "bench: the server did not stop cleanly on SIGTERM (exit $stop_rc)" >&2
  exit 1
fi
