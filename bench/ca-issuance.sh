#!/usr/bin/env bash
# Certificate issuance benchmark of the CA core (issue 6), in one run on one machine:
#   - JMH (bench/ca, throughput, 1 fork, 3 warmup + 5 measurement iterations of 3 s each):
#     in-process issuance from a CSR (profile tls-server, a pool of 256 CSRs with new EC P-256
#     keys, cycled) by an ECDSA P-256 and by an RSA-2048 intermediate (root + intermediate made
#     once per trial); the raw signature rate of the same issuer key with the same JCA algorithm
#     and provider the issuer signs with (KeyAlgorithm), over a TBSCertificate that issuer made;
#     the issuer's own KeySigner.sign; a breakdown (CSR proof-of-possession check with SunEC and
#     with Bouncy Castle, certificate re-parse); OCSP responses (OcspResponder.respond on a DER
#     request for a good serial, with a nonce, EC P-256 delegated responder).
#   - a loop of `openssl x509 -req` over N CSRs (default 200, made by `openssl req`, EC P-256
#     keys, a dNSName SAN) by an EC P-256 and an RSA-2048 CA made by openssl, with the same
#     extensions a tls-server certificate gets (-extfile, SAN copied from the CSR), a random
#     128-bit -set_serial; wall-clock certificates per second, R rounds (default 5) alternating
#     EC and RSA. Runs before the JMH part.
#   - through the HTTP API, after JMH: a new data directory, the user `bench` (signet admin
#     create-admin) and an API token with the scopes ca:issue and ca:admin (signet admin
#     create-token), `./signet serve` on a free 127.0.0.1 port; via POST /api/v1/ca an EC P-256
#     root + intermediate and an RSA-2048 root + intermediate; then bench/CaApiLoad.java (W
#     workers, default 4, closed loop, keep-alive) POSTs /api/v1/ca/{int}/issue (profile
#     tls-server) for WARMUP + SECONDS seconds per intermediate, cycling K pre-made CSRs (default
#     50, `openssl req`, EC P-256, a dNSName SAN); and POSTs one DER OCSP request (`openssl ocsp
#     -reqout -no_nonce`, for a certificate that intermediate issued) to /ca/{int}/ocsp, the same
#     way. Certificates or responses per second and latency p50/p99 of the counted requests.
# Then prints markdown tables (median of the 5 JMH iterations or of the R openssl rounds, with
# min-max; one HTTP run per row) and the machine facts.
#
#   bash bench/ca-issuance.sh                    the full run (about 9 minutes on 2 CPUs)
#   bash bench/ca-issuance.sh --csrs 100 --rounds 3 --quick   a smoke run (JMH 1 s iterations,
#                                                HTTP 3 s warm-up + 8 s per row)
#   options: --csrs N (200) --rounds R (5) --workers W (4) --seconds S (20) --warmup S (5)
#            --api-csrs K (50) --quick --no-api (only the openssl loop and JMH)
#
# Installs signet-core (and the parent POM) into ~/.m2 first, then builds bench/ca (a standalone
# Maven project, not in the root reactor). Everything is bounded in time; temporary files live in
# one temporary directory, removed on exit; the server is killed on exit however the script ends.
# Needs openssl, python3, curl and a JDK 21+ (the one ./mvnw finds). Set SIGNET_BENCH_SKIP_BUILD=1 to reuse an existing bench/ca/target/benchmarks.jar.

set -euo pipefail

csrs=200
rounds=5
quick=0
api=1
workers=4
seconds=20
warmup=5
api_csrs=50
while [ $# -gt 0 ]; do
  case $1 in
    --csrs) csrs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --quick) quick=1; seconds=8; warmup=3; shift ;;
    --no-api) api=0; shift ;;
    --workers) workers=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --api-csrs) api_csrs=$2; shift 2 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ca-issuance.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

for n in "$csrs" "$rounds" "$workers" "$seconds" "$warmup" "$api_csrs"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "ca-issuance.sh: not a number: $n" >&2; exit 2; }
done

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
for tool in openssl python3 timeout curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "ca-issuance.sh: needs $tool" >&2; exit 1; }
done
# shellcheck source-path=SCRIPTDIR/.. source=.mvn/find-java.sh
. "$root/.mvn/find-java.sh"
signet_find_java
java="$JAVA_HOME/bin/java"

work=$(mktemp -d "${TMPDIR:-/tmp}/signet-ca-bench.XXXXXX")
jmh_pid=
server_pid=
cleanup() {
  local p
  for p in "$jmh_pid" "$server_pid"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill -KILL "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# --- build ------------------------------------------------------------------------------------
jar="$root/bench/ca/target/benchmarks.jar"
if [ "${SIGNET_BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$jar" ]; then
  echo "building: signet-core into ~/.m2, then bench/ca" >&2
  timeout 900 ./mvnw -q -B -pl signet-core -am install -DskipTests -Dspotless.check.skip=true >&2
  (cd bench/ca && timeout 600 ../../mvnw -q -B package -Dspotless.check.skip=true) >&2
fi

# --- openssl loop -----------------------------------------------------------------------------
echo "openssl: making 2 CAs and $csrs CSRs" >&2
o="$work/openssl"
mkdir -p "$o/csr" "$o/out"
base=http://pki.example.test/ca/bench-issuing
make_ca() { # name, -newkey argument
  timeout 120 openssl req -x509 -newkey "$2" -nodes -keyout "$o/$1.key" -out "$o/$1.pem" -days 365 \
    -subj "/O=Signet/CN=OpenSSL Bench Issuing $1" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}
# (-pkeyopt must follow -newkey, so the EC CA is made here directly)
timeout 120 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$o/ec.key" \
  -out "$o/ec.pem" -days 365 -subj "/O=Signet/CN=OpenSSL Bench Issuing ec-p256" \
  -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
  -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
make_ca rsa rsa:2048
cat > "$o/ext.cnf" <<EXT
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:$base/crl
authorityInfoAccess = OCSP;URI:$base/ocsp, caIssuers;URI:$base/cert
EXT
# shellcheck disable=SC2016 # (expanded by the inner bash)
timeout 300 bash -c '
  for i in $(seq 1 "$1"); do
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
      -subj "/CN=host-$i.example.test" -addext "subjectAltName=DNS:host-$i.example.test" \
      -out "$2/$i.pem" 2>/dev/null
  done' _ "$csrs" "$o/csr"
# One random 128-bit serial per certificate, made up front (no extra process in the timed loop).
mapfile -t serials < <(openssl rand -hex $((16 * csrs * rounds * 2)) | fold -w 32)
serial_index=0
openssl_round() { # ca name -> prints certificates per second
  local ca=$1 start end i
  start=$(date +%s%N)
  for i in $(seq 1 "$csrs"); do
    openssl x509 -req -in "$o/csr/$i.pem" -CA "$o/$ca.pem" -CAkey "$o/$ca.key" \
      -set_serial "0x${serials[$serial_index]}" -days 30 -sha256 \
      -extfile "$o/ext.cnf" -copy_extensions copy -out "$o/out/$i.pem" 2>/dev/null
    serial_index=$((serial_index + 1))
  done
  end=$(date +%s%N)
  python3 -c "import sys; print(f'{int(sys.argv[1]) * 1e9 / (int(sys.argv[3]) - int(sys.argv[2])):.1f}')" \
    "$csrs" "$start" "$end"
}
ec_rates=()
rsa_rates=()
for r in $(seq 1 "$rounds"); do
  ec_rates+=("$(openssl_round ec)")
  openssl verify -CAfile "$o/ec.pem" "$o/out/1.pem" >/dev/null
  rsa_rates+=("$(openssl_round rsa)")
  openssl verify -CAfile "$o/rsa.pem" "$o/out/1.pem" >/dev/null
  echo "openssl round $r/$rounds: ec-p256 ${ec_rates[-1]}/s, rsa-2048 ${rsa_rates[-1]}/s" >&2
done

# --- JMH --------------------------------------------------------------------------------------
jmh_args=(-f 1 -wi 3 -w 3s -i 5 -r 3s)
[ "$quick" = 1 ] && jmh_args=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
echo "JMH: ${jmh_args[*]}" >&2
timeout 540 "$java" -jar "$jar" "${jmh_args[@]}" -foe true -rf json -rff "$work/jmh.json" \
  >"$work/jmh.log" 2>&1 &
jmh_pid=$!
wait "$jmh_pid" || { echo "ca-issuance.sh: JMH failed or timed out:" >&2; tail -40 "$work/jmh.log" >&2; exit 1; }
jmh_pid=
grep -oE '# (ec-p256|rsa-2048|OCSP).*' "$work/jmh.log" | sort -u >&2 || true

# --- through the HTTP API ---------------------------------------------------------------------
: >"$work/api.txt"
if [ "$api" = 1 ]; then
  echo "API: building the launcher (./signet --version), the load generator, $api_csrs CSRs" >&2
  ./signet --version >&2
  "$JAVA_HOME/bin/javac" -d "$work/load" "$root/bench/CaApiLoad.java"
  a="$work/api"
  mkdir -p "$a/csr"
  # shellcheck disable=SC2016 # (expanded by the inner bash)
  timeout 300 bash -c '
    for i in $(seq 1 "$1"); do
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
        -subj "/CN=api-$i.example.test" -addext "subjectAltName=DNS:api-$i.example.test" \
        -out "$2/$i.pem" 2>/dev/null
    done' _ "$api_csrs" "$a/csr"
  data="$a/data"
  # (the password must not contain the user name)
  printf '%s\n' 'Vq7#pL2x!Rk9@tZ4-issuer-load' |
    timeout 300 ./signet admin create-admin --username bench --data-dir "$data" >&2
  token=$(timeout 300 ./signet admin create-token --user bench --scopes 'ca:issue ca:admin' \
    --data-dir "$data" 2>/dev/null)
  [[ $token == sgt_* ]] || { echo "ca-issuance.sh: no API token from signet admin create-token" >&2; exit 1; }
  port=
  for attempt in 1 2 3; do
    # Below the kernel's ephemeral range (32768+), where other programs' port-0 sockets land.
    port=$((20000 + RANDOM % 12000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    ./signet serve --port "$port" --data-dir "$data" >"$a/server.log" 2>&1 </dev/null &
    server_pid=$!
    ready=0
    for _ in $(seq 1 1500); do # 150 s
      kill -0 "$server_pid" 2>/dev/null || break
      if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz" || true)" = 200 ]; then
        ready=1
        break
      fi
      sleep 0.1
    done
    [ "$ready" = 1 ] && break
    if ! kill -0 "$server_pid" 2>/dev/null && grep -q 'already in use' "$a/server.log"; then
      echo "API: port $port was taken meanwhile (attempt $attempt); retrying" >&2
      wait "$server_pid" 2>/dev/null || true
      server_pid=
      continue
    fi
    echo "ca-issuance.sh: the server did not get ready; its output:" >&2
    cat "$a/server.log" >&2
    exit 1
  done
  [ -n "$server_pid" ] || { echo "ca-issuance.sh: could not start the server" >&2; exit 1; }
  base=http://127.0.0.1:$port
  echo "API: server pid $server_pid on $base" >&2
  api_post() { # path, JSON body -> the answer (fails on a status other than 2xx)
    curl -sS --fail-with-body --max-time 120 -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "$2" "$base$1"
  }
  api_post /api/v1/ca '{"name":"ec-root","key":"ec-p256"}' >/dev/null
  api_post /api/v1/ca '{"name":"ec-int","key":"ec-p256","parent":"ec-root"}' >/dev/null
  api_post /api/v1/ca '{"name":"rsa-root","key":"rsa-2048"}' >/dev/null
  api_post /api/v1/ca '{"name":"rsa-int","key":"rsa-2048","parent":"rsa-root"}' >/dev/null
  load() { # label, CaApiLoad arguments...
    local label=$1 line
    shift
    line=$(timeout $((seconds + warmup + 120)) "$JAVA_HOME/bin/java" -cp "$work/load" CaApiLoad "$@" \
      --workers "$workers" --seconds "$seconds" --warmup "$warmup") ||
      { echo "ca-issuance.sh: CaApiLoad failed ($label): $line" >&2; exit 1; }
    echo "API $label: $line" >&2
    echo "$label $line" >>"$work/api.txt"
  }
  for k in ec rsa; do
    load "issue-$k" issue --base "$base" --token "$token" --ca "$k-int" --csr-dir "$a/csr" --profile tls-server
  done
  for k in ec rsa; do
    # One certificate of that intermediate, its OCSP request (no nonce), checked once by openssl.
    api_post "/api/v1/ca/$k-int/issue" \
      "{\"profile\":\"tls-server\",\"csrPem\":$(python3 -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$a/csr/1.pem")}" |
      python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["certificatePem"])' >"$a/leaf-$k.pem"
    curl -sS --fail --max-time 30 "$base/ca/$k-int/cert?format=pem" -o "$a/int-$k.pem"
    openssl ocsp -issuer "$a/int-$k.pem" -cert "$a/leaf-$k.pem" -reqout "$a/req-$k.der" -no_nonce >/dev/null
    curl -sS --fail --max-time 30 -H 'Content-Type: application/ocsp-request' \
      --data-binary "@$a/req-$k.der" "$base/ca/$k-int/ocsp" -o "$a/resp-$k.der"
    openssl ocsp -respin "$a/resp-$k.der" -resp_text -noverify | grep -q 'Cert Status: good' ||
      { echo "ca-issuance.sh: the OCSP answer of $k-int is not 'good'" >&2; exit 1; }
    load "ocsp-$k" ocsp --url "$base/ca/$k-int/ocsp" --request "$a/req-$k.der"
  done
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1024 / 1024 }' /proc/meminfo)
jdk=$("$java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)$/\1/p' | head -n 1)
ossl=$(openssl version)
python3 - "$work/jmh.json" "${ec_rates[*]}" "${rsa_rates[*]}" "$csrs" "$work/api.txt" "$api_csrs" <<'PY'
import json, statistics, sys
data = json.load(open(sys.argv[1]))
openssl = {"ec-p256": [float(x) for x in sys.argv[2].split()], "rsa-2048": [float(x) for x in sys.argv[3].split()]}
csrs = sys.argv[4]
res = {}
for b in data:
    name = b["benchmark"].rsplit(".", 2)
    key = (name[-2] + "." + name[-1], b.get("params", {}).get("key"))
    raw = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
    res[key] = raw
def med(v): return statistics.median(v)
def fmt(v):
    m = med(v)
    return f"{m:,.0f} ({min(v):,.0f}–{max(v):,.0f})"
print()
print(f"| median (min–max) | ECDSA P-256 issuer | RSA-2048 issuer |")
print("|---|---|---|")
rows = [
    ("Signet in-process issuance (certs/s)", "IssuanceBench.issue"),
    ("raw signature, same key/algorithm/provider (sigs/s)", "IssuanceBench.rawSign"),
]
keys = ["ec-p256", "rsa-2048"]
def cell(bench, k):
    v = res.get((bench, k))
    return fmt(v) if v else "n/a"
for label, bench in rows:
    print(f"| {label} | " + " | ".join(cell(bench, k) for k in keys) + " |")
def ratio(a, b):
    return f"{med(a) / med(b):.2f}" if a and b else "n/a"
print("| **ratio issuance / raw signature** (aim ≥ 0.5) | " + " | ".join(
    "**" + ratio(res.get(("IssuanceBench.issue", k)), res.get(("IssuanceBench.rawSign", k))) + "**" for k in keys) + " |")
print(f"| `openssl x509 -req` loop, {csrs} CSRs (certs/s) | " + " | ".join(fmt(openssl[k]) for k in keys) + " |")
print("| **Signet ÷ openssl** | " + " | ".join(
    "**" + ratio(res.get(("IssuanceBench.issue", k)), openssl[k]) + "**" for k in keys) + " |")
print("| issuer's KeySigner.sign, new Signature per call (sigs/s) | " + " | ".join(cell("IssuanceBench.keySignerSign", k) for k in keys) + " |")
print()
print("| median (min–max) | per second |")
print("|---|---|")
print(f"| OCSP responses, in-process (OcspResponder.respond, EC P-256 responder) | {cell('OcspBench.respond', None)} |")
print(f"| breakdown: CSR parse + proof-of-possession verify, SunEC (EC P-256 CSR) | {cell('BreakdownBench.csrVerify', None)} |")
print(f"| breakdown: the same verify with Bouncy Castle | {cell('BreakdownBench.csrVerifyBc', None)} |")
print(f"| breakdown: signed DER → X509Certificate (CertificateFactory) | {cell('BreakdownBench.certificateParse', None)} |")
api = {}
for line in open(sys.argv[5]):
    label, *kv = line.split()
    api[label] = dict(x.split("=", 1) for x in kv)
if api:
    w = next(iter(api.values()))["workers"]
    print()
    print(f"| over HTTP, {w} workers, one run each | ECDSA P-256 intermediate | RSA-2048 intermediate |")
    print("|---|---|---|")
    def api_cell(label):
        v = api.get(label)
        if not v: return "n/a"
        return f"{float(v['rate']):,.0f}/s (p50 {float(v['p50_ms']):.1f} ms, p99 {float(v['p99_ms']):.1f} ms)"
    print(f"| POST /api/v1/ca/{{int}}/issue, tls-server, {sys.argv[6]} EC P-256 CSRs cycled | {api_cell('issue-ec')} | {api_cell('issue-rsa')} |")
    print("| **HTTP ÷ in-process issuance** | " + " | ".join(
        f"**{float(api[l]['rate']) / med(res[('IssuanceBench.issue', k)]):.2f}**" if l in api and ('IssuanceBench.issue', k) in res else "n/a"
        for l, k in (("issue-ec", "ec-p256"), ("issue-rsa", "rsa-2048"))) + " |")
    print("| **HTTP ÷ openssl loop** | " + " | ".join(
        f"**{float(api[l]['rate']) / med(openssl[k]):.1f}**" if l in api else "n/a"
        for l, k in (("issue-ec", "ec-p256"), ("issue-rsa", "rsa-2048"))) + " |")
    print(f"| POST /ca/{{int}}/ocsp, one DER request (no nonce), good serial | {api_cell('ocsp-ec')} | {api_cell('ocsp-rsa')} |")
PY
cat <<FACTS

Machine: $(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r); JDK $jdk ($JAVA_HOME); $ossl.
Started $started; load average before: $load_before, after: $load_after.
JMH: ${jmh_args[*]} (the median is over the measurement iterations); openssl: $rounds rounds of $csrs certificates per CA, alternating.
HTTP: $workers workers, $warmup s warm-up + $seconds s counted per row (api=$api).
FACTS
