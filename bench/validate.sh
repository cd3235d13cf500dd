#!/usr/bin/env bash
# One-time-code validations per second through POST /api/v1/validate (a TOTP code, replay protection
# on), on SQLite (synchronous=FULL, the default, and NORMAL) or PostgreSQL, with p50/p99 latency,
# server CPU per validation, fsyncs or commits per validation and refusals by reason, per number of
# concurrent callers. Issue: aim >= 2,000 validations/s with SQLite on 2 cores.
#
#   bash bench/validate.sh                              8,000 users; 2, 4, 8, 16 workers; FULL and NORMAL (~8 min)
#   bash bench/validate.sh --rounds 3                   the same with medians over 3 rounds (~11 min)
#   bash bench/validate.sh --users 2000 --concurrency 4 --sync full --jit-warmup 20   a quick look (~2 min)
#   bash bench/validate.sh --db postgres                the same on a throwaway local PostgreSQL
#   bash bench/validate.sh --jfr /tmp/validate-jfr      also a JFR profile (settings=profile) per store
#
# In order:
#   1. `./signet --version` so that the launcher's own build is settled; javac bench/ValidateLoad.java.
#   2. a new data directory (and, with --db postgres, a throwaway PostgreSQL on 127.0.0.1 made the way
#      bench/signin.sh makes it, database signet_setup); the administrator `bench` made by `signet
#      admin create-admin` (password on standard input); two API tokens by `signet admin
#      create-token`: scope users:write (the set-up) and scope validate (the load).
#   3. set-up, not measured: `./signet serve` on a free 127.0.0.1 port with the cheapest Argon2id the
#      server accepts (SIGNET_ARGON2_MEMORY_KIB=8192, SIGNET_ARGON2_ITERATIONS=1), the per-IP bucket
#      opened (SIGNET_THROTTLE_IP_BURST/PER_MINUTE=1000000: every set-up sign-in comes from 127.0.0.1)
#      and SIGNET_SQLITE_SYNCHRONOUS=normal; then `ValidateLoad setup` makes USERS people through
#      POST /api/v1/users (the password as an imported one-iteration PBKDF2 hash, so no Argon2id and
#      no strength check there) and enrols a TOTP authenticator for each through the console pages,
#      as a person does: sign in (the imported hash is re-hashed with Argon2id at those set-up costs),
#      start the enrolment, read the seed from the page, confirm it with a code. THREADS at a time.
#      The server is stopped (SIGTERM) and its database kept as the starting point of every run.
#      None of these settings reach the measured servers: a validation with a code alone does no
#      Argon2id at all, and the measured servers keep every default (throttles included).
#   4. per configuration (SQLite: --sync full,normal; PostgreSQL: one): a fresh copy of the set-up
#      database (SQLite: the data directory copied; PostgreSQL: CREATE DATABASE ... TEMPLATE
#      signet_setup), `./signet serve` on it with the defaults (SIGNET_SQLITE_SYNCHRONOUS set per
#      configuration), JIT_WARMUP seconds of load with 4 workers that are not reported (a new JVM
#      needs about half a minute of load on 2 CPUs before its CPU per validation settles), then for
#      each round and concurrency C: `ValidateLoad load` with C workers for WARMUP + SECONDS seconds.
#      SIGTERM at the end of the configuration.
#      Replay protection is real: the server accepts a user's code once, steps now-1, now, now+1 in
#      increasing order, so USERS users hold at most 3 x USERS fresh codes, and get USERS more every
#      30 s. Before each run the script therefore rewinds every device's used_through (the last step
#      the server accepted) to now-2 in the database, which is what the fresh set-up database holds
#      (and so does the load generator's state), so that each run starts with 3 x USERS fresh codes
#      while the server stays warm: about 3.4 x USERS per 12 s run, i.e. up to ~2,200 validations/s
#      with the default 8,000 users. Within a run every (user, step) is sent once and the server's
#      own check decides. If the users run out of fresh codes the load generator waits and reports
#      starved_ms, and the report flags the row: its rate then measures --users, not the server
#      (give --users at least the expected rate x (WARMUP + SECONDS) / 3.4). A server that kept
#      used_through in memory would refuse the rewound codes as replays: the refusals would show it.
#      Each request names its user's own client address (clientIp, 10.x.y.z, one per user, as a VPN
#      or RADIUS gateway passes its users' addresses on), so the per-IP bucket (30 at once, 30 a
#      minute) is on and applies per end user, as in production; nothing is relaxed.
#      Alongside each run: the server's CPU time and the machine's busy share; for SQLite the
#      server's fsync and fdatasync calls (perf; with FULL, one per commit, plus checkpoints) and its
#      nanosleep calls (SQLite's busy handler sleeping while another connection holds the write
#      lock); for PostgreSQL the database's commits (xact_commit, read-only autocommit statements
#      included) and the cluster's WAL syncs; all divided by the validations the database recorded
#      meanwhile (rows in sign_in_attempt from 10.0.0.0/8; warm-up and the load generator's check
#      included); and the refusals by the precise reason the server recorded (the API answers only
#      invalid_credentials or throttled).
#   5. markdown tables, one row per store and concurrency (median and range over rounds), and the
#      machine facts.
#
# Options: --users N (8000) --setup-threads T (4) --seconds S (10) --warmup W (2) --rounds R (1)
#          --concurrency LIST (2,4,8,16) --db sqlite|postgres (sqlite) --sync LIST (full,normal; SQLite)
#          --jit-warmup S (30) --jfr DIR (a JFR recording, settings=profile, of each configuration's
#          runs after the JIT warm-up: DIR/sqlite-full.jfr, DIR/sqlite-normal.jfr, DIR/postgres.jfr)
# Env: SIGNET_JAVA_OPTS and other SIGNET_* settings reach the measured servers as usual, except
# SIGNET_SQLITE_SYNCHRONOUS (set per configuration) and SIGNET_DATA_DIR and SIGNET_DB_* (unset).
#
# Binds 127.0.0.1 only, on free ports. Everything is bounded in time; the servers and PostgreSQL are
# stopped when the script ends, however it ends, and the temporary directories removed. Needs curl,
# python3, timeout, a JDK 21+ (the one the launcher finds) and sqlite3 (SQLite) or psql
# (PostgreSQL); perf for the fsync and sleep counts, which are left out without it.
# The launcher rebuilds itself when the sources change: if that happens during the benchmark the
# report says so (the runs then mix builds).

set -euo pipefail

all_args=("$@")
users=8000
setup_threads=4
seconds=10
warmup=2
rounds=1
concurrency_list=2,4,8,16
db=sqlite
sync_list=full,normal
jfr_dir=""
jit_warmup=30
jit_concurrency=4
while [ $# -gt 0 ]; do
  case $1 in
    --users) users=$2; shift 2 ;;
    --setup-threads) setup_threads=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --concurrency) concurrency_list=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --sync) sync_list=$2; shift 2 ;;
    --jfr) jfr_dir=$2; shift 2 ;;
    --jit-warmup) jit_warmup=$2; shift 2 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "validate.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case $db in sqlite|postgres) ;; *) echo "validate.sh: --db sqlite or postgres" >&2; exit 2 ;; esac
IFS=, read -r -a concurrencies <<<"$concurrency_list"
for n in "$users" "$setup_threads" "$seconds" "$warmup" "$rounds" "$jit_warmup" "${concurrencies[@]}"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "validate.sh: not a number: $n" >&2; exit 2; }
done
if [ "$users" -lt 1 ] || [ "$users" -gt 200000 ]; then
  echo "validate.sh: --users 1 to 200000" >&2
  exit 2
fi
configs=()
if [ "$db" = sqlite ]; then
  IFS=, read -r -a syncs <<<"$sync_list"
  for s in "${syncs[@]}"; do
    case $s in full|normal) configs+=("sqlite-$s") ;; *) echo "validate.sh: --sync full and/or normal" >&2; exit 2 ;; esac
  done
else
  configs=(postgres)
fi
if [ -n "$jfr_dir" ]; then
  mkdir -p "$jfr_dir"
  jfr_dir=$(realpath "$jfr_dir")
fi

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
cd "$root"
# Where the data lives is this script's choice, per run.
unset SIGNET_DATA_DIR SIGNET_DB_URL SIGNET_DB_USER SIGNET_DB_PASSWORD SIGNET_SQLITE_SYNCHRONOUS
for tool in curl python3 timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "validate.sh: needs $tool" >&2; exit 1; }
done
have_perf=0
if command -v perf >/dev/null 2>&1 &&
  timeout 10 perf stat -e syscalls:sys_enter_fdatasync -x, -o /dev/null true >/dev/null 2>&1; then
  have_perf=1
fi
if [ "$db" = sqlite ] && ! command -v sqlite3 >/dev/null 2>&1; then
  echo "validate.sh: needs sqlite3 (to start each run with fresh codes)" >&2
  exit 1
fi

# The JDK the launcher will pick, for this script's own use (javac, the load generator); the
# launcher itself runs with the caller's environment as it is.
jdk=$(
  # shellcheck source-path=SCRIPTDIR/.. source=.mvn/find-java.sh
  . "$root/.mvn/find-java.sh"
  signet_find_java >/dev/null && echo "$JAVA_HOME"
) || exit 1
java=$jdk/bin/java
threads=$(nproc)

work=$(mktemp -d "${TMPDIR:-/tmp}/signet-validate.XXXXXX")
pg_dir=""
server_pid=""
perf_pid=""
pg_started=0
cleanup() {
  local p
  for p in "$server_pid" "$perf_pid"; do
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

echo "bench: making sure the launcher is built (./signet --version)..." >&2
timeout 900 ./signet --version >&2
jar=$root/signet-cli/target/signet.jar
jar_stamp=$(stat -c %Y "$jar")
# What that build was made from (a later rebuild is reported at the end).
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -c . || true)
"$jdk/bin/javac" -d "$work/load" "$root/bench/ValidateLoad.java"

# ---- helpers ------------------------------------------------------------------------------------

# ---- PostgreSQL (--db postgres) -----------------------------------------------------------------

pg_port=""
pg_sql() { # database, SQL
  psql -X -q -A -t -h 127.0.0.1 -p "$pg_port" -U signet -d "$1" -c "$2"
}
if [ "$db" = postgres ]; then
  command -v psql >/dev/null 2>&1 || { echo "validate.sh: --db postgres needs psql" >&2; exit 1; }
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/signet-validate-pg.XXXXXX")
  chmod 755 "$pg_dir"
  [ "$(id -u)" != 0 ] || chown nobody "$pg_dir"
  pg_as "$(pg_bin initdb)" -D "$pg_dir/data" -U signet -A trust -E UTF8 --no-locale >"$work/initdb.log" 2>&1 ||
    { cat "$work/initdb.log" >&2; exit 1; }
  pg_port=$(free_port)
  # Production-like durability (fsync, synchronous_commit on: the defaults); loopback only.
  pg_as "$(pg_bin pg_ctl)" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir" start >&2
  pg_started=1
  pg_sql postgres "CREATE DATABASE signet_setup" >/dev/null
  pg_version=$(pg_sql postgres 'SHOW server_version')
fi
# CPU ticks of the whole PostgreSQL cluster: the postmaster (with its reaped children) and the
# processes it runs now (backends, WAL writer, checkpointer...).
pg_cpu_ticks() {
  local pm
  pm=$(head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  # shellcheck disable=SC2016
  awk -v pm="$pm" '{
      sub(/^.*\) /, "")          # fields from "state" on: $2 = ppid, $12/$13 = utime/stime, $14/$15 = children
      if (FILENAME ~ "^/proc/" pm "/stat$") t += $12 + $13 + $14 + $15
      else if ($2 == pm) t += $12 + $13
    } END { print t + 0 }' /proc/[0-9]*/stat 2>/dev/null || echo 0
}
pg_url() {
  echo "jdbc:postgresql://127.0.0.1:$pg_port/$1"
}

# ---- servers ------------------------------------------------------------------------------------

# start_server DATA_DIR LOG [VAR=VALUE...]: `./signet serve` on a free loopback port, with those
# settings added to the environment; sets server_pid and port once /readyz answers 200.
start_server() {
  local dir=$1 log=$2 t0 ready attempt
  shift 2
  server_pid=""
  for attempt in 1 2 3; do
    port=$(free_port)
    env "$@" ./signet serve --port "$port" --data-dir "$dir" >"$log" 2>&1 </dev/null &
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
    [ "$ready" = 1 ] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null && grep -q 'already in use' "$log"; then
      echo "bench: port $port was taken meanwhile (attempt $attempt); retrying" >&2
      wait "$server_pid" 2>/dev/null || true
      server_pid=""
      continue
    fi
    echo "validate.sh: the server did not get ready; its output:" >&2
    cat "$log" >&2
    exit 1
  done
  echo "validate.sh: could not start the server" >&2
  exit 1
}

# SIGTERM, then up to 40 s for a clean stop; sets stop_rc to the exit status (143: a clean stop).
stop_server() {
  stop_rc=KILLED
  kill -TERM "$server_pid" 2>/dev/null || true
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
}

# ---- set-up -------------------------------------------------------------------------------------

setup_data=$work/setup
password="Vq7#pL2x!Rk9@tZ4-validate-load"
db_env=()
if [ "$db" = postgres ]; then
  db_env=("SIGNET_DB_URL=$(pg_url signet_setup)" SIGNET_DB_USER=signet)
fi
echo "bench: creating the administrator bench and two tokens..." >&2
printf '%s\n' "$password" |
  env ${db_env[@]+"${db_env[@]}"} timeout 300 ./signet admin create-admin --username bench --data-dir "$setup_data" >&2
admin_token=$(env ${db_env[@]+"${db_env[@]}"} timeout 300 ./signet admin create-token --user bench \
  --scopes users:write --name "bench set-up" --expires 1d --data-dir "$setup_data" 2>/dev/null)
validate_token=$(env ${db_env[@]+"${db_env[@]}"} timeout 300 ./signet admin create-token --user bench \
  --scopes validate --name "bench validate" --expires 1d --data-dir "$setup_data" 2>/dev/null)
if [ -z "$admin_token" ] || [ -z "$validate_token" ]; then
  echo "validate.sh: could not create the tokens" >&2
  exit 1
fi

echo "bench: set-up server (cheapest Argon2id, per-IP bucket open; not measured)..." >&2
start_server "$setup_data" "$work/setup-server.log" ${db_env[@]+"${db_env[@]}"} \
  SIGNET_ARGON2_MEMORY_KIB=8192 SIGNET_ARGON2_ITERATIONS=1 SIGNET_SQLITE_SYNCHRONOUS=normal \
  SIGNET_THROTTLE_IP_BURST=1000000 SIGNET_THROTTLE_IP_PER_MINUTE=1000000
echo "bench: enrolling TOTP for $users users ($setup_threads at a time)..." >&2
setup_line=$(SIGNET_BENCH_TOKEN=$admin_token SIGNET_BENCH_PASSWORD=$password timeout $((600 + users / 2 + 60)) \
  "$java" -cp "$work/load" ValidateLoad setup "http://127.0.0.1:$port" "$users" "$setup_threads" "$work/state.setup") || {
  echo "validate.sh: the set-up failed: $setup_line" >&2
  tail -n 40 "$work/setup-server.log" >&2
  exit 1
}
echo "bench: set-up: $setup_line" >&2
stop_server
[ "$stop_rc" = 0 ] || [ "$stop_rc" = 143 ] || echo "bench: the set-up server stopped with exit $stop_rc" >&2

# ---- the runs -----------------------------------------------------------------------------------

# Validations recorded since SINCE_MS (epoch ms) and the refusals among them by the reason the server
# recorded: "total accepted reason:n,reason:n" ("-" for none), or nothing when unreadable.
db_validations() { # sqlite file or postgres database, since_ms
  local w="FROM sign_in_attempt WHERE ip LIKE '10.%' AND occurred_at >= $2"
  local q="SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END), 0) $w"
  local r="SELECT COALESCE(reason, '-') || ':' || COUNT(*) $w AND outcome <> 'success' GROUP BY reason ORDER BY reason"
  local counts reasons
  if [ "$db" = sqlite ]; then
    # Read-only, and waits for the server's writers instead of failing.
    counts=$(sqlite3 -readonly -cmd '.timeout 10000' -separator ' ' "$1" "$q" 2>/dev/null) || return 0
    reasons=$(sqlite3 -readonly -cmd '.timeout 10000' "$1" "$r" 2>/dev/null | paste -sd, -) || true
  else
    counts=$(pg_sql "$1" "$q" 2>/dev/null | tr '|' ' ') || return 0
    reasons=$(pg_sql "$1" "$r" 2>/dev/null | paste -sd, -) || true
  fi
  [ -n "$counts" ] && echo "$counts ${reasons:--}"
}

# PostgreSQL: "commits wal_syncs": the run's database's xact_commit and the cluster's WAL syncs.
pg_counts() {
  pg_sql postgres "SELECT pg_stat_force_next_flush()" >/dev/null 2>&1 || true
  pg_sql postgres "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = '$1'), (SELECT wal_sync FROM pg_stat_wal)" \
    2>/dev/null | tr '|' ' ' || true
}

# Every user gets 3 fresh codes again (steps now-1, now, now+1): each device's used_through, the last
# step the server accepted, goes back to now-2, which is what a fresh copy of the set-up database
# holds; the load generator's state file says the same. The server reads used_through from the
# database on every validation; a server that kept it in memory would refuse these codes as
# replays, and the refusals column would show it.
rewind_codes() { # sqlite file or postgres database
  local s=$(( $(now_us) / 30000000 - 2 ))
  local q="UPDATE otp_device SET used_through = $s WHERE confirmed_at IS NOT NULL"
  if [ "$db" = sqlite ]; then
    sqlite3 -cmd '.timeout 10000' "$1" "$q" >/dev/null
  else
    pg_sql "$1" "$q" >/dev/null
  fi
  awk -v s="$s" '{ $3 = s; print }' "$work/state" >"$work/state.new"
  mv "$work/state.new" "$work/state"
}

hz=$(getconf CLK_TCK)
: >"$work/runs"
: >"$work/warmups"
: >"$work/stops"
: >"$work/builds"
for config in "${configs[@]}"; do
  # A fresh copy of the set-up database per configuration, so that each starts with every code fresh.
  case $config in
    sqlite-*)
      run_data=$work/run
      rm -rf "$run_data"
      cp -a "$setup_data" "$run_data"
      run_db=$run_data/signet.db
      run_env=("SIGNET_SQLITE_SYNCHRONOUS=${config#sqlite-}")
      ;;
    postgres)
      run_data=$setup_data # the master key; the database is a copy
      run_db=signet_run
      pg_sql postgres "CREATE DATABASE $run_db TEMPLATE signet_setup" >/dev/null
      run_env=("SIGNET_DB_URL=$(pg_url "$run_db")" SIGNET_DB_USER=signet)
      ;;
  esac
  cp "$work/state.setup" "$work/state"
  echo "bench: $config: starting the server on a fresh copy of the set-up database..." >&2
  start_server "$run_data" "$work/server.$config.log" "${run_env[@]}"
  echo "$config $(stat -c %Y "$jar")" >>"$work/builds"
  if [ "$jit_warmup" -gt 0 ]; then
    echo "bench: $config: JIT warm-up, $jit_warmup s with $jit_concurrency workers (not reported)..." >&2
    since_ms=$(( $(now_us) / 1000 ))
    line=$(SIGNET_BENCH_TOKEN=$validate_token timeout $((jit_warmup + 90)) "$java" -cp "$work/load" ValidateLoad load \
      "http://127.0.0.1:$port" "$work/state" "$jit_warmup" "$jit_concurrency" 0) ||
      echo "bench: $config: the JIT warm-up had failures: $line" >&2
    counts=$(db_validations "$run_db" "$since_ms")
    echo "bench: $config: JIT warm-up: $line (db: ${counts:-n/a})" >&2
    echo "$config $line db=${counts// /;}" >>"$work/warmups"
  fi
  [ -z "$jfr_dir" ] || "$jdk/bin/jcmd" "$server_pid" JFR.start name=validate settings=profile \
    filename="$jfr_dir/$config.jfr" >/dev/null
  for round in $(seq 1 "$rounds"); do
    for c in "${concurrencies[@]}"; do
      rewind_codes "$run_db"
      since_ms=$(( $(now_us) / 1000 ))
      pg_before=""
      [ "$db" != postgres ] || pg_before=$(pg_counts "$run_db")
      cpu0=$(cpu_ticks "$server_pid")
      pgcpu0=0
      [ "$db" != postgres ] || pgcpu0=$(pg_cpu_ticks)
      c0=$(child_ticks)
      read -r -a mb < <(machine_ticks)
      perf_pid=""
      if [ "$db" = sqlite ] && [ "$have_perf" = 1 ]; then
        timeout -s INT $((warmup + seconds + 120)) perf stat -x, -o "$work/perf" \
          -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync,syscalls:sys_enter_clock_nanosleep,syscalls:sys_enter_nanosleep \
          -p "$server_pid" >/dev/null 2>&1 &
        perf_pid=$!
      fi
      line=$(SIGNET_BENCH_TOKEN=$validate_token timeout $((warmup + seconds + 90)) \
        "$java" -cp "$work/load" ValidateLoad load "http://127.0.0.1:$port" "$work/state" "$seconds" "$c" "$warmup") || {
        echo "validate.sh: the load generator failed ($config, $c workers): $line" >&2
        [ -n "$line" ] || { tail -n 40 "$work/server.$config.log" >&2; exit 1; }
      }
      fsyncs=-
      sleeps=-
      if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid" 2>/dev/null || true
        wait "$perf_pid" 2>/dev/null || true
        perf_pid=""
        fsyncs=$(awk -F, '$3 ~ /sys_enter_f(data)?sync/ { s += $1 } END { print s + 0 }' "$work/perf" 2>/dev/null || echo -)
        sleeps=$(awk -F, '$3 ~ /nanosleep/ { s += $1 } END { print s + 0 }' "$work/perf" 2>/dev/null || echo -)
      fi
      cpu1=$(cpu_ticks "$server_pid")
      pgcpu1=0
      [ "$db" != postgres ] || pgcpu1=$(pg_cpu_ticks)
      c1=$(child_ticks)
      read -r -a ma < <(machine_ticks)
      pg_after=""
      [ "$db" != postgres ] || pg_after=$(pg_counts "$run_db")
      counts=$(db_validations "$run_db" "$since_ms")
      rss=$(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$server_pid/status")
      echo "bench: $config, round $round, $c workers: $line (server RSS $rss MB; db: ${counts:-n/a})" >&2
      python3 - "$config" "$c" "$line" "$((cpu1 - cpu0))" "$hz" "$((ma[0] - mb[0]))" "$((ma[1] - mb[1]))" \
        "$((c1 - c0))" "$fsyncs" "${counts:--}" "${pg_before:--}" "${pg_after:--}" "$rss" "$round" "$sleeps" "$((pgcpu1 - pgcpu0))" >>"$work/runs" <<'PY'
import json, sys
config, c, line, cpu, hz, busy, total, tools, fsyncs, counts, pgb, pga, rss, rnd, sleeps, pgcpu = sys.argv[1:]
f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
cnt = counts.split()
validations = int(cnt[0]) if len(cnt) >= 3 else int(f.get("requests_total", 0))
per = lambda x: x / validations if validations > 0 else None
cpu_ms = int(cpu) * 1000 / int(hz)
total = int(total)
b, a = pgb.split(), pga.split()
commits = wal_syncs = None
if len(b) == 2 and len(a) == 2:
    commits = per(int(a[0]) - int(b[0]))
    wal_syncs = per(int(a[1]) - int(b[1]))
print(json.dumps({
    "config": config, "c": int(c), "f": f,
    "validations_db": validations if len(cnt) >= 3 else None,
    "accepted_db": int(cnt[1]) if len(cnt) >= 3 else None,
    "reasons": cnt[2] if len(cnt) >= 3 else "-",
    "cpu_ms_per": per(cpu_ms),
    "busy_pct": 100.0 * int(busy) / total if total else None,
    "tools_pct": 100.0 * int(tools) / total if total else None,
    "others_pct": max(0.0, 100.0 * (int(busy) - int(cpu) - int(tools) - int(pgcpu)) / total) if total else None,
    "pg_cpu_ms_per": per(int(pgcpu) * 1000 / int(hz)) if config == "postgres" else None,
    "fsyncs_per": per(int(fsyncs)) if fsyncs != "-" else None,
    "sleeps_per": per(int(sleeps)) if sleeps != "-" else None,
    "round": int(rnd),
    "commits_per": commits, "wal_syncs_per": wal_syncs,
    "rss": int(rss),
}))
PY
    done
  done
  [ -z "$jfr_dir" ] || "$jdk/bin/jcmd" "$server_pid" JFR.stop name=validate >/dev/null
  stop_server
  echo "$config $stop_rc" >>"$work/stops"
  [ "$db" != postgres ] || pg_sql postgres "DROP DATABASE $run_db" >/dev/null 2>&1 || true
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# Which build each measured server ran: the launcher rebuilds itself when the sources change.
builds=$(cut -d' ' -f2 "$work/builds" | sort -u | wc -l)
rebuilt_after_setup=0
[ "$(cut -d' ' -f2 "$work/builds" | sort -u)" = "$jar_stamp" ] || rebuilt_after_setup=1

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
store="SQLite (WAL) in a temporary directory"
[ "$db" = sqlite ] || store="PostgreSQL ${pg_version:-} on 127.0.0.1 (initdb defaults: fsync and synchronous_commit on)"

echo
echo "Command: \`bash bench/validate.sh$(shell_words ${all_args[@]+"${all_args[@]}"})\` — started $started; $users users (set-up: $setup_line); ${concurrency_list//,/, } workers, $rounds round(s), ${warmup} s warm-up + ${seconds} s measured per run, every code fresh at the start of each run; per store configuration a fresh copy of the set-up database, a new server and ${jit_warmup} s of JIT warm-up ($jit_concurrency workers) first"
echo
echo "Machine: $threads CPUs ($cpu_model), $mem_total RAM, Linux $(uname -r); JDK $java_version; $store; built from commit $commit$([ "$dirty" = 0 ] || echo " with $dirty changed files"); server JVM options: ${SIGNET_JAVA_OPTS-launcher defaults}; load average before/after: $load_before / $load_after"
if [ "$builds" -gt 1 ]; then
  echo
  echo "**Warning: the launcher rebuilt the server between the store configurations (the sources changed): they ran different builds ($(tr '\n' ' ' <"$work/builds"| sed 's/ $//'), jar times).**"
elif [ "$rebuilt_after_setup" = 1 ]; then
  echo
  echo "Note: the launcher rebuilt the server after the set-up (the sources changed); every measured run used the same, newer build."
fi
echo
python3 - "$work/runs" "$db" "$work/stops" "$work/warmups" "$rounds" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
db = sys.argv[2]
stops = [l.split() for l in open(sys.argv[3]) if l.strip()]
warmups = [l.split(" ", 1) for l in open(sys.argv[4]) if l.strip()]
rounds = int(sys.argv[5])
names = {"sqlite-full": "SQLite, synchronous=FULL", "sqlite-normal": "SQLite, synchronous=NORMAL", "postgres": "PostgreSQL"}
def nums(v):
    out = []
    for x in v:
        try:
            out.append(float(x))
        except (TypeError, ValueError):
            pass
    return out
def med(v, d=1):
    v = nums(v)
    return f"{statistics.median(v):.{d}f}" if v else "–"
def rng(v, d=1):
    v = nums(v)
    if not v:
        return "–"
    m = f"{statistics.median(v):.{d}f}"
    return m if len(v) == 1 else f"{m} ({min(v):.{d}f}–{max(v):.{d}f})"
groups = []
for r in runs:
    k = (r["config"], r["c"])
    if k not in groups:
        groups.append(k)
per_round = "" if rounds == 1 else f", median (min–max) of {rounds} rounds"
print(f"POST /api/v1/validate with a fresh TOTP code (latency: the accepted requests of the measured window{per_round}):")
print()
print("| store | workers | **validations/s** | p50 (ms) | p99 (ms) | max (ms) | failed | starved (ms) | server CPU per validation (ms) | "
      + ("fsync + fdatasync per validation | busy-handler sleeps per validation | " if db == "sqlite"
         else "PostgreSQL CPU per validation (ms) | commits / WAL syncs per validation | ")
      + "refusals by reason | machine busy / others / load generator (%) | server RSS (MB) |")
print("|---" * 14 + "|")
warn = []
for config, c in groups:
    rs = [r for r in runs if r["config"] == config and r["c"] == c]
    fs = [r["f"] for r in rs]
    starved = sum(int(f.get("starved_ms", "0")) for f in fs)
    if starved > 0 or any(f.get("validations") == "0" for f in fs):
        warn.append(f"{names[config]}, {c} workers")
    reasons = ",".join(r["reasons"] for r in rs if r["reasons"] not in ("-", "")) or "none"
    answers = ",".join(f["failures"] for f in fs if f.get("failures"))
    if answers:
        reasons += f" (answers: {answers})"
    if db == "sqlite":
        io = f"{med((r['fsyncs_per'] for r in rs), 2)} | {med((r['sleeps_per'] for r in rs), 2)}"
    else:
        io = (f"{med((r['pg_cpu_ms_per'] for r in rs), 2)} | {med((r['commits_per'] for r in rs), 1)}"
              f" / {med((r['wal_syncs_per'] for r in rs), 2)}")
    failed = sum(int(f.get("failed", "0")) for f in fs)
    print(f"| {names[config]} | {c} | **{rng([f.get('rate') for f in fs])}** | {med([f.get('p50_ms') for f in fs], 2)}"
          f" | {med([f.get('p99_ms') for f in fs], 2)} | {med([f.get('max_ms') for f in fs])} | {failed} | {starved}"
          f" | {med((r['cpu_ms_per'] for r in rs), 2)} | {io} | {reasons}"
          f" | {med((r['busy_pct'] for r in rs), 0)} / {med((r['others_pct'] for r in rs), 0)} / {med((r['tools_pct'] for r in rs), 0)}"
          f" | {med((r['rss'] for r in rs), 0)} |")
print()
if db == "sqlite":
    io_note = ("the server's fsync/fdatasync and nanosleep calls counted by perf (busy-handler sleeps: how SQLite waits"
               " for its write lock, 1, 2, 5, 10 ms... each)")
else:
    io_note = ("the CPU time of the PostgreSQL cluster's processes, the database's xact_commit (pg_stat_database:"
               " read-only autocommit statements count too) and the cluster's WAL syncs (pg_stat_wal.wal_sync: about"
               " one per write transaction)")
print("Per validation: the server's CPU time (all its threads: requests, JIT, GC) and " + io_note + ", over each run"
      " (its warm-up included), divided by the validations the database recorded meanwhile. Machine busy, other"
      " processes (PostgreSQL not included) and the load generator: shares of the whole machine during the run. Refusals: the reasons the"
      " server recorded (sign_in_attempt.reason); the API answers only invalid_credentials or throttled.")
if warn:
    print()
    print("**Starved** (the users had no fresh code for a while in the measured window, so these rates measure --users,"
          " not the server; run again with more users): " + "; ".join(warn))
for config, line in warmups:
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    if f.get("failures") or f.get("starved_ms", "0") != "0":
        print()
        print(f"JIT warm-up of {names[config]} (not in the table; db=validations;accepted;refusals by reason): {line.strip()}")
bad = [(c, rc) for c, rc in stops if rc not in ("0", "143")]
if bad:
    print()
    print("Servers that did not stop cleanly on SIGTERM: " + "; ".join(f"{names[c]} (exit {rc})" for c, rc in bad))
PY
