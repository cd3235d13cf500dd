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
# Then prints a markdown table (median of the 5 JMH iterations or of the R openssl rounds, with
# min-max) and the machine facts.
#
#   bash bench/ca-issuance.sh                    the full run (about 6-7 minutes on 2 CPUs)
#   bash bench/ca-issuance.sh --csrs 100 --rounds 3 --quick   a smoke run (JMH 1 s iterations)
#
# Installs signet-core (and the parent POM) into ~/.m2 first, then builds bench/ca (a standalone
# Maven project, not in the root reactor). Everything is bounded in time; temporary files live in
# one temporary directory, removed on exit. Needs openssl, python3 and a JDK 21+ (the one ./mvnw
# finds). Set SIGNET_BENCH_SKIP_BUILD=1 to reuse an existing bench/ca/target/benchmarks.jar.

set -euo pipefail

csrs=200
rounds=5
quick=0
while [ $# -gt 0 ]; do
  case $1 in
    --csrs) csrs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ca-issuance.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
for tool in openssl python3 timeout; do
  command -v "$tool" >/dev/null 2>&1 || { echo "ca-issuance.sh: needs $tool" >&2; exit 1; }
done
# shellcheck source=../.mvn/find-java.sh
. "$root/.mvn/find-java.sh"
signet_find_java
java="$JAVA_HOME/bin/java"

work=$(mktemp -d "${TMPDIR:-/tmp}/signet-ca-bench.XXXXXX")
jmh_pid=
cleanup() {
  if [ -n "$jmh_pid" ] && kill -0 "$jmh_pid" 2>/dev/null; then kill "$jmh_pid" 2>/dev/null || true; fi
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

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1024 / 1024 }' /proc/meminfo)
jdk=$("$java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)$/\1/p' | head -n 1)
ossl=$(openssl version)
python3 - "$work/jmh.json" "${ec_rates[*]}" "${rsa_rates[*]}" "$csrs" <<'PY'
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
PY
cat <<FACTS

Machine: $(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r); JDK $jdk ($JAVA_HOME); $ossl.
Started $started; load average before: $load_before, after: $load_after.
JMH: ${jmh_args[*]} (the median is over the measurement iterations); openssl: $rounds rounds of $csrs certificates per CA, alternating.
FACTS
