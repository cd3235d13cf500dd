#!/usr/bin/env bash
# OpenID Connect side by side: Keycloak and Signet on this machine, configured the same way and
# loaded by the same generator (bench/OidcLoad.java) in one run (issue 5: client-credentials grants
# >= 10x Keycloak, browser-style sign-ins >= 2.5x at equal Argon2id parameters, start time <= 1/10,
# resident memory <= 1/2).
#
#   bash bench/oidc.sh                                   both; 1 + 3 rounds of 20 s warm-up + 30 s per load (~22 min)
#   bash bench/oidc.sh --systems keycloak                Keycloak's half only
#   bash bench/oidc.sh --seconds 10 --warmup 5 --rounds 1 --warmup-rounds 0 --starts 1   a quick look
#   bash bench/oidc.sh --keycloak-version 26.7.3         a given Keycloak instead of the newest 26.x
#
# In order:
#   1. Keycloak: its distribution, org.keycloak:keycloak-quarkus-dist (zip) from Maven Central,
#      through Maven (./mvnw dependency:copy-dependencies of a throwaway POM; the newest 26.x unless
#      --keycloak-version), unzipped once into bench/.cache/ (git-ignored, never committed). Without
#      network the newest version already in bench/.cache/ is used. Each run works on a fresh copy.
#   2. for each system in turn (Keycloak, then Signet; one at a time): first start on an empty
#      database (Keycloak: `kc.sh start-dev`, its dev mode, H2 file database, on the Temurin 25
#      JDK; Signet: `./signet serve` on a new data directory), bound to 127.0.0.1 on free ports;
#      then the same configuration on both:
#        - Argon2id at Signet's parameters (signet-core Argon2id.Params.DEFAULT, which
#          SignetSettings' SIGNET_ARGON2_* default to): m=19456 KiB, t=2, p=1, 32-byte hash, 16-byte
#          salt, version 0x13. Keycloak: realm password policy hashAlgorithm(argon2) and its argon2
#          provider's options (--spi-password-hashing--argon2--memory=19456, --iterations=2,
#          --parallelism=1, --hash-length=32, --type=id, --version=1.3); both read back and printed.
#        - tokens signed with ES256 (Signet's default; Keycloak's realm defaultSignatureAlgorithm).
#        - a confidential client "service" (client_secret_basic, client_credentials only), a
#          confidential client "web" (client_secret_basic, authorization_code with PKCE S256, redirect
#          URI http://127.0.0.1/callback, no consent), and a user "bench" with a password.
#        - no brute-force throttling: Keycloak's is off by default; Signet's per-IP bucket is
#          opened (SIGNET_THROTTLE_IP_*), as in bench/signin.sh, since every sign-in comes from one IP.
#        - Keycloak in dev mode caches themes and templates as in production
#          (--spi-theme--cache-themes/--cache-templates=true): dev mode alone re-reads them on
#          every page, which would make its sign-ins slower than any real deployment's.
#      Keycloak: admin REST API with the bootstrap admin, then SIGTERM. Signet: SIGTERM, then an
#      administrator and an API token (clients:admin users:write) from its shell (`signet admin
#      create-admin`, `create-token`), a start, the user through /api/v1/users and the clients
#      through /api/v1/clients (their ids and secrets are generated), SIGTERM.
#   3. --starts times, alternating between the systems, a start on the configured data, alone, then
#      SIGTERM: **start**: wall time from launching the command to the first 200 from the issuer's
#      /.well-known/openid-configuration (polled every 50 ms), and the CPU the process tree used
#      until then (median of the starts). Then one more start of each, left running for the loads
#      (Signet's with Keycloak idle beside it); RSS idle 2 s after it.
#   4. per round (after --warmup-rounds unrecorded ones): bench/OidcLoad.java client-credentials
#      with --cc-concurrency workers against Keycloak, then against Signet; then bench/OidcLoad.java sign-in with --signin-concurrency
#      workers against each (a sign-in: GET authorize with PKCE, the sign-in form parsed, POST of
#      username and password, the redirects to the code, POST token), WARMUP + SECONDS each.
#      Alternating spreads other processes' load over both systems alike. Alongside, over each
#      measured window: the server's CPU time per operation and the share of the machine other
#      processes and the load generator used.
#   5. **RSS after the load** (VmRSS of the process tree, from /proc) of each, then SIGTERM.
# Then markdown tables: each system's figures, and Signet ÷ Keycloak with the aims.
#
# Options: --systems LIST (keycloak,signet) --seconds S (30) --warmup W (20) --rounds R (3) --starts N (3)
#          --warmup-rounds N (1: rounds run first and not recorded, for the JIT compilers)
#          --cc-concurrency C (8) --signin-concurrency C (4) --keycloak-version V (newest 26.x)
# Env: SIGNET_JAVA_OPTS and other SIGNET_* settings reach Signet as usual (the throttle and Argon2id
# ones above are overridden); KEYCLOAK_JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64). JAVA_OPTS and
# its kin are not passed to Keycloak, which runs with kc.sh's own defaults (-Xms64m -Xmx512m, G1).
#
# Binds 127.0.0.1 only, on free ports. Everything is bounded in time; servers are stopped when the
# script ends, however it ends, and the temporary directories removed. Needs curl, python3, unzip,
# timeout and network access to Maven Central for the first download.

set -euo pipefail

all_args=("$@")
systems_list=keycloak,signet
seconds=30
warmup=20
rounds=3
cc_concurrency=8
starts=3
warmup_rounds=1
signin_concurrency=4
kc_version=""
while [ $# -gt 0 ]; do
  case $1 in
    --systems) systems_list=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --starts) starts=$2; shift 2 ;;
    --warmup-rounds) warmup_rounds=$2; shift 2 ;;
    --cc-concurrency) cc_concurrency=$2; shift 2 ;;
    --signin-concurrency) signin_concurrency=$2; shift 2 ;;
    --keycloak-version) kc_version=$2; shift 2 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "oidc.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a systems <<<"$systems_list"
for s in "${systems[@]}"; do
  case $s in keycloak|signet) ;; *) echo "oidc.sh: --systems takes keycloak and/or signet" >&2; exit 2 ;; esac
done
for n in "$seconds" "$warmup" "$rounds" "$warmup_rounds" "$starts" "$cc_concurrency" "$signin_concurrency"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "oidc.sh: not a number: $n" >&2; exit 2; }
done
[ -z "$kc_version" ] || [[ $kc_version =~ ^[0-9]+(\.[0-9]+)*$ ]] || { echo "oidc.sh: bad --keycloak-version" >&2; exit 2; }

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
cd "$root"
for tool in curl python3 unzip timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "oidc.sh: needs $tool" >&2; exit 1; }
done

kc_jdk=${KEYCLOAK_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$kc_jdk/bin/java" ] || { echo "oidc.sh: no JDK at $kc_jdk (set KEYCLOAK_JAVA_HOME)" >&2; exit 1; }
# The JDK for this script's own tools (javac, the load generator, Maven): the same Temurin 25.
java=$kc_jdk/bin/java
hz=$(getconf CLK_TCK)
cache=$root/bench/.cache

# Signet's Argon2id parameters (signet-core Argon2id.Params.DEFAULT; SignetSettings' defaults),
# given to both systems explicitly.
argon_m=19456
argon_t=2
argon_p=1
argon_len=32

work=$(mktemp -d "${TMPDIR:-/tmp}/signet-oidc.XXXXXX")
server_pid=""
started_pids=()
cleanup() {
  local p
  for p in ${started_pids[@]+"${started_pids[@]}"}; do
    if kill -0 "$p" 2>/dev/null; then
      kill -KILL "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$kc_jdk/bin/javac" -d "$work/load" "$root/bench/OidcLoad.java"

password="Vq7#pL2x!Rk9@tZ4-sign-in-load"
redirect_uri=http://127.0.0.1/callback
: >"$work/results"

# Appends "SYSTEM KEY VALUE" to the results.
record() {
  echo "$1 $2 $3" >>"$work/results"
}

# ---- starting and stopping ----------------------------------------------------------------------

# Starts "$@" in the background (output to $log), waits until $ready_url answers 200 (at most
# $ready_timeout s). Sets server_pid, ready_ms (launch to ready) and ready_cpu_ms. Returns 1 when the
# process died or did not get ready.
start_server() {
  local log=$1 ready_url=$2 ready_timeout=$3 t0 code
  shift 3
  "$@" >"$log" 2>&1 </dev/null &
  server_pid=$!
  started_pids+=("$server_pid")
  t0=$(now_us)
  while kill -0 "$server_pid" 2>/dev/null; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ready_url" || true)
    if [ "$code" = 200 ]; then
      ready_ms=$(( ($(now_us) - t0) / 1000 ))
      ready_cpu_ms=$(( $(tree_cpu_ticks "$server_pid") * 1000 / hz ))
      return 0
    fi
    [ $(( $(now_us) - t0 )) -lt $((ready_timeout * 1000000)) ] || break
    sleep 0.05
  done
  echo "oidc.sh: $* did not get ready at $ready_url; its output:" >&2
  tail -n 40 "$log" >&2
  return 1
}

# stop_server PID: SIGTERM, then waits up to 60 s; KILL after that. Sets stop_rc.
stop_server() {
  local pid=$1
  stop_rc=KILLED
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      stop_rc=0
      wait "$pid" || stop_rc=$?
      break
    fi
    sleep 0.1
  done
  if [ "$stop_rc" = KILLED ]; then
    echo "bench: pid $pid still running 60 s after SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

# A process and its descendants (kc.sh runs Keycloak's JVM as its child; ./signet may too).
tree_pids() {
  local c
  echo "$1"
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    tree_pids "$c"
  done
}

# CPU clock ticks of a process tree: each process's own, plus those of its children it has reaped
# (e.g. Keycloak's build step, a JVM that exits so kc.sh starts the server JVM).
tree_cpu_ticks() {
  local p stat sum=0
  for p in $(tree_pids "$1"); do
    stat=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    # shellcheck disable=SC2086
    set -- $stat
    sum=$((sum + ${12} + ${13} + ${14} + ${15}))
  done
  echo "$sum"
}

# Resident memory of a process tree, in MB (the sum of VmRSS).
rss_mb() {
  local p kb=0 v
  for p in $(tree_pids "$1"); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    kb=$((kb + ${v:-0}))
  done
  echo $((kb / 1024))
}

# ---- the load -----------------------------------------------------------------------------------

# One run of OidcLoad against a running server: run_load SYSTEM PID IDLE_PIDS ROUND MODE CONCURRENCY
# SECRET ARGS... Appends "SYSTEM ROUND MODE C rate failed p50 p99 cpu_ms_per_op others_pct load_pct
# idle_pct failures" to $work/loads; the CPU figures are the generator's, over the measured window
# (IDLE_PIDS: the other system's server, running but not loaded, comma-separated).
run_load() {
  local system=$1 pid=$2 idle=$3 round=$4 mode=$5 c=$6 secret=$7 line
  shift 7
  line=$(OIDC_BENCH_CLIENT_SECRET=$secret OIDC_BENCH_PASSWORD=$password OIDC_BENCH_SERVER_PID=$pid \
    OIDC_BENCH_IDLE_PIDS=$idle \
    timeout $((warmup + seconds + 90)) "$java" -cp "$work/load" OidcLoad "$mode" "$@" "$seconds" "$c" "$warmup") || {
    echo "oidc.sh: the load generator failed ($system, $mode, round $round): $line" >&2
    [ -n "$line" ] || exit 1
  }
  echo "bench: $system round $round: $line" >&2
  [ "$round" -ge 1 ] || return 0 # a warm-up round
  python3 - "$line" "$system" "$round" >>"$work/loads" <<'PY'
import sys
line, system, rnd = sys.argv[1:]
f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
ok = int(f["ok"])
server, idle, load, busy, total = (int(f[k]) for k in (
    "server_cpu_ms", "idle_servers_cpu_ms", "load_cpu_ms", "machine_busy_ms", "machine_ms"))
def pct(x):
    return f"{100.0 * x / total:.0f}" if total > 0 else "-"
# Other processes' share of the machine: busy, minus the servers and the load generator.
print(system, rnd, f["mode"], f["concurrency"], f["rate"], f["failed"], f["total_p50_ms"], f["total_p99_ms"],
      f"{server / ok:.2f}" if ok > 0 else "-", pct(max(0, busy - server - idle - load)), pct(load), pct(idle),
      f.get("failures", "-"))
PY
}

# load SYSTEM ROUND MODE: one load against a system that is running (its pid, issuer, clients and
# secrets in SYSTEM_pid, SYSTEM_issuer, SYSTEM_service_id, ... set by its start function).
load() {
  local system=$1 round=$2 mode=$3 pid issuer other idle=""
  pid=${system}_pid
  issuer=${system}_issuer
  for other in "${systems[@]}"; do
    if [ "$other" != "$system" ]; then
      other=${other}_pid
      idle+=${idle:+,}${!other}
    fi
  done
  if [ "$mode" = client-credentials ]; then
    local id=${system}_service_id secret=${system}_service_secret
    run_load "$system" "${!pid}" "$idle" "$round" "$mode" "$cc_concurrency" "${!secret}" "${!issuer}" "${!id}"
  else
    local id=${system}_web_id secret=${system}_web_secret
    run_load "$system" "${!pid}" "$idle" "$round" "$mode" "$signin_concurrency" "${!secret}" "${!issuer}" "${!id}" \
      "$redirect_uri" bench
  fi
}

# ---- Keycloak -----------------------------------------------------------------------------------

# Sets kc_dist to an unzipped distribution in bench/.cache/.
keycloak_fetch() {
  local want=$kc_version zip pom
  if [ -z "$want" ] || [ ! -d "$cache/keycloak-$want" ]; then
    mkdir -p "$cache/downloads" "$work/fetch"
    # A throwaway POM whose only dependency is the zip: a version range picks the newest 26.x from
    # Maven Central's metadata; the exclusion keeps Maven from resolving the distribution's own
    # dependencies (it is self-contained).
    pom=$work/fetch/pom.xml
    cat >"$pom" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.bench</groupId><artifactId>keycloak-fetch</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies><dependency>
    <groupId>org.keycloak</groupId><artifactId>keycloak-quarkus-dist</artifactId>
    <version>${want:-[26.0.0,26.99999)}</version><type>zip</type>
    <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions>
  </dependency></dependencies>
</project>
EOF
    echo "bench: fetching keycloak-quarkus-dist ${want:-(newest 26.x)} from Maven Central..." >&2
    if JAVA_HOME=$kc_jdk timeout 900 ./mvnw -q -B -f "$pom" dependency:copy-dependencies \
      -DoutputDirectory="$cache/downloads" -DincludeArtifactIds=keycloak-quarkus-dist >"$work/fetch/mvn.log" 2>&1; then
      # the version Maven resolved: the only one copied, or with a pinned one, that one
      want=${want:-$(printf '%s\n' "$cache"/downloads/keycloak-quarkus-dist-*.zip |
        sed 's|.*/keycloak-quarkus-dist-||; s|\.zip$||' | sort -V | tail -n 1)}
      zip=$cache/downloads/keycloak-quarkus-dist-$want.zip
      if [ ! -d "$cache/keycloak-$want" ]; then
        rm -rf "$cache/unzip"
        unzip -q "$zip" -d "$cache/unzip"
        mv "$cache/unzip/keycloak-$want" "$cache/keycloak-$want"
        rm -rf "$cache/unzip"
      fi
    elif [ -z "$want" ] && compgen -G "$cache/keycloak-26.*" >/dev/null; then
      want=$(printf '%s\n' "$cache"/keycloak-26.* | sed 's|.*/keycloak-||' | sort -V | tail -n 1)
      echo "bench: Maven could not reach Central; using keycloak-$want from bench/.cache" >&2
    else
      echo "oidc.sh: could not fetch Keycloak:" >&2
      tail -n 20 "$work/fetch/mvn.log" >&2
      exit 1
    fi
  fi
  kc_version=$want
  kc_dist=$cache/keycloak-$want
  [ -x "$kc_dist/bin/kc.sh" ] || { echo "oidc.sh: $kc_dist is not a Keycloak distribution" >&2; exit 1; }
}

# The Keycloak admin API: kc_api METHOD PATH [JSON]; prints the body, fails on a non-2xx answer.
kc_api() {
  local out code
  out=$work/kc-api.out
  code=$(curl -s -o "$out" -w '%{http_code}' --max-time 60 -X "$1" -H "Authorization: Bearer $kc_token" \
    -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$kc_base$2") || code=000
  case $code in 2??) cat "$out" ;; *) echo "oidc.sh: Keycloak $1 $2 answered $code: $(head -c 500 "$out")" >&2; return 1 ;; esac
}

# First start on an empty database, configuration, SIGTERM.
keycloak_setup() {
  local home port mport kc_admin_pw realm_json
  keycloak_fetch
  home=$work/keycloak
  cp -a "$kc_dist" "$home"
  kc_admin_pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  kc_web_secret=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  kc_service_secret=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  port=$(free_port)
  mport=$(free_port)
  kc_base=http://127.0.0.1:$port
  kc_cmd=(env -u JAVA_OPTS -u JAVA_OPTS_APPEND -u JAVA_OPTS_KC_HEAP JAVA_HOME="$kc_jdk"
    KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$kc_admin_pw"
    "$home/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$port" --http-management-port="$mport"
    --spi-theme--cache-themes=true --spi-theme--cache-templates=true
    "--spi-password-hashing--argon2--memory=$argon_m" "--spi-password-hashing--argon2--iterations=$argon_t"
    "--spi-password-hashing--argon2--parallelism=$argon_p" "--spi-password-hashing--argon2--hash-length=$argon_len"
    --spi-password-hashing--argon2--type=id --spi-password-hashing--argon2--version=1.3)

  echo "bench: Keycloak $kc_version, first start (dev mode, empty database)..." >&2
  start_server "$work/keycloak-1.log" "$kc_base/realms/master/.well-known/openid-configuration" 600 "${kc_cmd[@]}"
  record keycloak first_ready_ms "$ready_ms"
  record keycloak first_ready_cpu_ms "$ready_cpu_ms"
  echo "bench: Keycloak ready after $ready_ms ms (first start); configuring..." >&2

  kc_token=$(curl -s --max-time 60 -d grant_type=password -d client_id=admin-cli -d username=admin \
    --data-urlencode "password=$kc_admin_pw" "$kc_base/realms/master/protocol/openid-connect/token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  realm_json=$(python3 - "$redirect_uri" "$kc_service_secret" "$kc_web_secret" <<'PY'
import json, sys
redirect, service, web = sys.argv[1:]
print(json.dumps({
    "realm": "bench", "enabled": True,
    "passwordPolicy": "hashAlgorithm(argon2)",
    "defaultSignatureAlgorithm": "ES256",
    "bruteForceProtected": False,
    "clients": [
        {"clientId": "service", "enabled": True, "publicClient": False, "clientAuthenticatorType": "client-secret",
         "secret": service, "serviceAccountsEnabled": True, "standardFlowEnabled": False,
         "directAccessGrantsEnabled": False, "implicitFlowEnabled": False},
        {"clientId": "web", "enabled": True, "publicClient": False, "clientAuthenticatorType": "client-secret",
         "secret": web, "standardFlowEnabled": True, "directAccessGrantsEnabled": False,
         "implicitFlowEnabled": False, "serviceAccountsEnabled": False, "consentRequired": False,
         "redirectUris": [redirect], "attributes": {"pkce.code.challenge.method": "S256"}},
    ],
}))
PY
)
  kc_api POST /admin/realms "$realm_json" >/dev/null
  kc_api POST /admin/realms/bench/users "$(python3 -c '
import json, sys
print(json.dumps({"username": "bench", "enabled": True, "email": "bench@example.test", "emailVerified": True,
    "firstName": "Bench", "lastName": "User",
    "credentials": [{"type": "password", "value": sys.argv[1], "temporary": False}]}))' "$password")" >/dev/null
  # What Keycloak stored: the realm's policy and the user's password credential parameters.
  local user_id policy cred
  user_id=$(kc_api GET '/admin/realms/bench/users?username=bench&exact=true' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
  policy=$(kc_api GET /admin/realms/bench | python3 -c 'import json, sys; print(json.load(sys.stdin)["passwordPolicy"])')
  cred=$(kc_api GET "/admin/realms/bench/users/$user_id/credentials" | python3 -c '
import json, sys
c = [x for x in json.load(sys.stdin) if x["type"] == "password"][0]
d = json.loads(c["credentialData"])
a = {k: v[0] for k, v in d.get("additionalParameters", {}).items()}
print("%s type=%s v=%s m=%s KiB t=%s p=%s hash=%s bytes" % (d["algorithm"], a.get("type"), a.get("version"),
      a.get("memory"), d["hashIterations"], a.get("parallelism"), a.get("hashLength")))')
  echo "bench: Keycloak realm password policy: $policy; stored password: $cred" >&2
  record keycloak password_hash "$policy: $cred"
  stop_server "$server_pid"
  record keycloak first_stop "$stop_rc"
}

# keycloak_start timed|untimed: a start on the configured database; it stays up (keycloak_pid).
keycloak_start() {
  echo "bench: Keycloak, start on the configured database..." >&2
  start_server "$work/keycloak-2.log" "$kc_base/realms/bench/.well-known/openid-configuration" 600 "${kc_cmd[@]}"
  keycloak_pid=$server_pid
  echo "bench: Keycloak ready after $ready_ms ms" >&2
  if [ "$1" = timed ]; then
    record keycloak ready_ms "$ready_ms"
    record keycloak ready_cpu_ms "$ready_cpu_ms"
  fi
  sleep 2
  record keycloak rss_idle_mb "$(rss_mb "$keycloak_pid")"
  # read by load() through ${!name}
  # shellcheck disable=SC2034
  {
    keycloak_issuer=$kc_base/realms/bench
    keycloak_service_id=service
    keycloak_service_secret=$kc_service_secret
    keycloak_web_id=web
    keycloak_web_secret=$kc_web_secret
  }
}

# ---- Signet -------------------------------------------------------------------------------------

# Signet's API: sg_api METHOD PATH [JSON]; prints the body, fails on a non-2xx answer.
sg_api() {
  local out code
  out=$work/sg-api.out
  code=$(curl -s -o "$out" -w '%{http_code}' --max-time 60 -X "$1" -H "Authorization: Bearer $sg_token" \
    -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$sg_base$2") || code=000
  case $code in 2??) cat "$out" ;; *) echo "oidc.sh: Signet $1 $2 answered $code: $(head -c 500 "$out")" >&2; return 1 ;; esac
}

# First start on an empty data directory, configuration, SIGTERM.
signet_setup() {
  local port admin_pw created
  echo "bench: making sure the launcher is built (./signet --version)..." >&2
  ./signet --version >&2
  sg_data=$work/signet-data
  port=$(free_port)
  sg_base=http://127.0.0.1:$port
  # The same Argon2id parameters as Keycloak's, explicitly (they are Signet's defaults); the per-IP
  # sign-in bucket opened, as in bench/signin.sh: every sign-in of the load comes from 127.0.0.1.
  sg_cmd=(env "SIGNET_ARGON2_MEMORY_KIB=$argon_m" "SIGNET_ARGON2_ITERATIONS=$argon_t"
    "SIGNET_ARGON2_PARALLELISM=$argon_p" SIGNET_THROTTLE_IP_BURST=1000000 SIGNET_THROTTLE_IP_PER_MINUTE=1000000
    ./signet serve --port "$port" --data-dir "$sg_data")

  echo "bench: Signet, first start (empty data directory)..." >&2
  start_server "$work/signet-1.log" "$sg_base/.well-known/openid-configuration" 300 "${sg_cmd[@]}"
  record signet first_ready_ms "$ready_ms"
  record signet first_ready_cpu_ms "$ready_cpu_ms"
  echo "bench: Signet ready after $ready_ms ms (first start); configuring..." >&2
  stop_server "$server_pid"
  record signet first_stop "$stop_rc"

  # An administrator and an API token for it, from the server's shell; then, with the server
  # running, the user and the two clients through the API, as an operator would.
  admin_pw="Kx9#mQ2v!Tz7@pW4-$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"
  printf '%s\n' "$admin_pw" | SIGNET_ARGON2_MEMORY_KIB=$argon_m SIGNET_ARGON2_ITERATIONS=$argon_t \
    SIGNET_ARGON2_PARALLELISM=$argon_p timeout 300 ./signet admin create-admin --username admin --data-dir "$sg_data" >&2
  sg_token=$(timeout 300 ./signet admin create-token --user admin --scopes 'clients:admin users:write' \
    --name 'bench/oidc.sh' --expires 1d --data-dir "$sg_data" 2>/dev/null)
  start_server "$work/signet-config.log" "$sg_base/.well-known/openid-configuration" 300 "${sg_cmd[@]}"
  sg_api POST /api/v1/users "$(python3 -c '
import json, sys
print(json.dumps({"username": "bench", "email": "bench@example.test", "displayName": "Bench User",
    "password": sys.argv[1]}))' "$password")" >/dev/null
  created=$(sg_api POST /api/v1/clients '{"client_name": "service", "grant_types": ["client_credentials"],
    "scope": "bench:read"}')
  sg_service_id=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["client_id"])' <<<"$created")
  sg_service_secret=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["client_secret"])' <<<"$created")
  created=$(sg_api POST /api/v1/clients "{\"client_name\": \"web\", \"grant_types\": [\"authorization_code\"],
    \"redirect_uris\": [\"$redirect_uri\"], \"scope\": \"openid\", \"require_consent\": false}")
  sg_web_id=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["client_id"])' <<<"$created")
  sg_web_secret=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["client_secret"])' <<<"$created")
  # What Signet stored: the PHC string's algorithm and parameters (not the salt and hash).
  local hash=""
  if command -v sqlite3 >/dev/null 2>&1; then
    hash=$(sqlite3 -readonly -cmd '.timeout 10000' "$sg_data/signet.db" \
      "SELECT password_hash FROM app_user WHERE username = 'bench'" 2>/dev/null | cut -d'$' -f2-4 | tr '$' ' ' || true)
  fi
  echo "bench: Signet stored password: ${hash:-(not readable here)}; signing: $(curl -s "$sg_base/oauth2/jwks" |
    python3 -c 'import json, sys; print(" ".join(sorted({k.get("alg", k["kty"]) for k in json.load(sys.stdin)["keys"]})))')" >&2
  record signet password_hash "${hash:-Argon2id m=$argon_m t=$argon_t p=$argon_p (SIGNET_ARGON2_*)}"
  stop_server "$server_pid"
}

# signet_start timed|untimed: a start on the configured data; it stays up (signet_pid).
signet_start() {
  echo "bench: Signet, start on the configured data..." >&2
  start_server "$work/signet-2.log" "$sg_base/.well-known/openid-configuration" 300 "${sg_cmd[@]}"
  signet_pid=$server_pid
  echo "bench: Signet ready after $ready_ms ms" >&2
  if [ "$1" = timed ]; then
    record signet ready_ms "$ready_ms"
    record signet ready_cpu_ms "$ready_cpu_ms"
  fi
  sleep 2
  record signet rss_idle_mb "$(rss_mb "$signet_pid")"
  # read by load() through ${!name}
  # shellcheck disable=SC2034
  {
    signet_issuer=$sg_base
    signet_service_id=$sg_service_id
    signet_service_secret=$sg_service_secret
    signet_web_id=$sg_web_id
    signet_web_secret=$sg_web_secret
  }
}

# ---- the run ------------------------------------------------------------------------------------

: >"$work/loads"
# Set-up (first starts) one system after the other; then --starts timed starts of each, alternating,
# each alone (started, measured, stopped); then one more start of each, left running for the loads,
# which alternate between the systems so that other processes' load falls on both alike.
for s in "${systems[@]}"; do
  "${s}_setup"
done
for _ in $(seq 1 "$starts"); do
  for s in "${systems[@]}"; do
    "${s}_start" timed
    pid=${s}_pid
    stop_server "${!pid}"
    [ "$stop_rc" = 143 ] || [ "$stop_rc" = 0 ] || echo "bench: $s stopped with exit $stop_rc" >&2
  done
done
for s in "${systems[@]}"; do
  "${s}_start" untimed
done
# Round 0 (--warmup-rounds of them) is not recorded: the JVMs' JIT compilers (Keycloak's most of
# all) are still at work after one warm-up of WARMUP seconds.
for round in $(seq $((1 - warmup_rounds)) "$rounds"); do
  for mode in client-credentials sign-in; do
    for s in "${systems[@]}"; do
      load "$s" "$round" "$mode"
    done
  done
done
for s in "${systems[@]}"; do
  pid=${s}_pid
  record "$s" rss_after_mb "$(rss_mb "${!pid}")"
done
for s in "${systems[@]}"; do
  pid=${s}_pid
  stop_server "${!pid}"
  record "$s" stop "$stop_rc"
done
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

echo
echo "Command: \`bash bench/oidc.sh$(shell_words ${all_args[@]+"${all_args[@]}"})\` — started $started; $warmup_rounds warm-up + $rounds measured round(s), $starts timed start(s) each; client credentials with $cc_concurrency workers, sign-ins with $signin_concurrency; ${warmup} s warm-up + ${seconds} s measured each"
echo
echo "Machine: $(nproc) CPUs ($cpu_model), $mem_total RAM, Linux $(uname -r); JDK $java_version; load average before/after: $load_before / $load_after"
echo
python3 - "$work/results" "$work/loads" "${kc_version:-}" <<'PY'
import statistics, sys
res = {}
for l in open(sys.argv[1]):
    s, k, v = l.split(" ", 2)
    res.setdefault(s, {}).setdefault(k, []).append(v.strip())
loads = [l.split() for l in open(sys.argv[2]) if l.strip()]
kc_version = sys.argv[3]
systems = [s for s in ("keycloak", "signet") if s in res]
names = {"keycloak": f"Keycloak {kc_version} (dev mode, H2)", "signet": "Signet (SQLite)"}

def load_vals(s, mode, i):
    return [float(r[i]) for r in loads if r[0] == s and r[2] == mode and r[i] != "-"]

def fig(s, key):
    if key in ("cc", "signin"):
        v = load_vals(s, "client-credentials" if key == "cc" else "sign-in", 4)
        return statistics.median(v) if v else None
    if key in ("cc_cpu", "signin_cpu"):
        # operations per second of the server's CPU time: 1000 / (CPU ms per operation)
        v = load_vals(s, "client-credentials" if key == "cc_cpu" else "sign-in", 8)
        return 1000.0 / statistics.median(v) if v and statistics.median(v) > 0 else None
    v = [float(x) for x in res.get(s, {}).get(key, []) if x not in ("", "-")]
    return statistics.median(v) if v else None

def spread(s, key, scale, d):
    """ (min–max) of a figure measured more than once, e.g. the starts """
    v = [float(x) / scale for x in res.get(s, {}).get(key, []) if x not in ("", "-")]
    if key in ("cc", "signin", "cc_cpu", "signin_cpu"):
        i = 4 if key in ("cc", "signin") else 8
        v = load_vals(s, "client-credentials" if key.startswith("cc") else "sign-in", i)
        if key.endswith("_cpu"):
            v = [1000.0 / x for x in v if x > 0]
    return f" ({min(v):,.{d}f}–{max(v):,.{d}f})" if len(v) > 1 else ""

def show(v, d=1):
    return "–" if v is None else f"{v:,.{d}f}"

rows = [
    ("client-credentials grants/s", "cc", 0),
    ("… per second of server CPU time", "cc_cpu", 0),
    ("browser-style sign-ins/s", "signin", 1),
    ("… per second of server CPU time", "signin_cpu", 1),
    ("start to ready (s)", "ready_ms", 1),
    ("CPU to ready (s)", "ready_cpu_ms", 1),
    ("first start to ready (s), empty database", "first_ready_ms", 1),
    ("RSS idle after start (MB)", "rss_idle_mb", 0),
    ("RSS after the load (MB)", "rss_after_mb", 0),
]
aims = {"cc": ("≥ 10×", lambda r: r >= 10), "signin": ("≥ 2.5×", lambda r: r >= 2.5),
        "ready_ms": ("≤ 1/10", lambda r: r <= 0.1), "rss_after_mb": ("≤ 1/2", lambda r: r <= 0.5)}
both = len(systems) == 2
print("Medians over the rounds (loads) and the timed starts, with the range in brackets:")
print()
head = "| | " + " | ".join(names[s] for s in systems) + " |"
if both:
    head += " Signet ÷ Keycloak | aim |"
print(head)
print("|---" * (head.count("|") - 1) + "|")
for label, key, d in rows:
    vals = [fig(s, key) for s in systems]
    scale = 1000 if key.endswith("_ms") else 1
    cells = [show(v / scale if v is not None else None, d) + (spread(s, key, scale, d) if v is not None else "")
             for s, v in zip(systems, vals)]
    line = f"| {label} | " + " | ".join(cells) + " |"
    if both:
        k, sg = vals
        ratio = sg / k if k and sg is not None else None
        aim = aims.get(key)
        met = "" if aim is None or ratio is None else (" met" if aim[1](ratio) else " **not met**")
        line += f" {'–' if ratio is None else f'**{ratio:.2f}×**'} | {aim[0] + met if aim else ''} |"
    print(line)
print()
print("Per run, over the measured window: the server's CPU per operation (its process and children), and"
      " the share of the machine's CPU that other processes, the load generator and the other system's"
      " idle server used meanwhile:")
print()
print("| system | round | load | workers | per second | failed | p50 / p99 (ms) | server CPU per op (ms)"
      " | other processes (%) | load generator (%) | idle other server (%) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in loads:
    print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {float(r[4]):,.1f} | {r[5]} | {r[6]} / {r[7]} | {r[8]}"
          f" | {r[9]} | {r[10]} | {r[11]} |")
fails = [r for r in loads if r[12] != "-"]
if fails:
    print()
    print("Failures: " + "; ".join(f"{r[0]} round {r[1]} {r[2]}: {r[12]}" for r in fails))
for s in systems:
    extra = []
    if "password_hash" in res[s]:
        extra.append("password hashing as stored: " + res[s]["password_hash"][0])
    extra.append(f"SIGTERM: first stop exit {res[s].get('first_stop', ['–'])[0]},"
                 f" last stop exit {res[s].get('stop', ['–'])[0]}")
    print()
    print(f"{names[s]}: " + "; ".join(extra))
PY
