#!/usr/bin/env bash
# Batch-signing benchmark (issue 7), in one run on one machine, everything on loopback:
#   - N files (default 10,000) of mixed sizes, 1 KiB–256 KiB uniform (seeded), random content, in
#     100 sub-directories; made once, then read from the page cache by every contender.
#   - `signet sign --key bench --recursive FILES --out-dir OUT --quiet` against `./signet serve` on a
#     free 127.0.0.1 port (SQLite, a new data directory; an EC P-256 root CA and signing key made
#     through the CLI), R rounds (default 3) with the server's timestamps (the default) and R
#     without (--no-timestamp), alternating; wall clock from process start to exit, JVM start
#     included; the server's and the client's CPU time per round. A sample of the .p7s files is
#     checked with `openssl cms -verify`.
#   - a loop of `openssl cms -sign -binary -in F -signer cert -inkey key -outform DER -out F.p7s`
#     over the same files (EC P-256 key and self-signed certificate made by openssl); all N files
#     unless --openssl-files M (then the rate of M files is extrapolated, and the table says so).
#   - the physical limit of the work: SHA-256 of all the files' bytes at the machine's hash rate plus
#     N signatures at the key's raw signing rate, both measured here, now: `openssl speed` (SHA-256
#     over 1 MiB blocks; ecdsap256 signs) and bench/SignLimit.java (the JDK's SHA-256, in memory and
#     over the files; P-256 SHA256withECDSA with Bouncy Castle as the server signs), the best of
#     each; for one core, and for all cores (the same work spread perfectly).
#   - a JAR of about 50 MB (2,000 entries of 25 KiB random data, deflated): `signet sign --key bench
#     JAR --out OUT` against `jarsigner -signedjar OUT JAR` with an EC P-256 PKCS#12 key (keytool),
#     both without and with a timestamp (jarsigner -tsa Signet's /tsa), R rounds each; both outputs
#     pass `jarsigner -verify`.
# Then prints a markdown table with the ratios, and the machine facts.
#
#   bash bench/sign.sh                       the full run (about 5 minutes on 2 CPUs)
#   bash bench/sign.sh --files 2000 --openssl-files 500 --rounds 1     a smoke run
#   options: --files N (10000) --openssl-files M (all) --rounds R (3) --no-jar
#
# Needs openssl, python3, curl, and a JDK 21+ with jarsigner and keytool (the one ./mvnw finds).
# Temporary files (about 2.6 GB) live in one temporary directory, removed on exit; the server is
# killed on exit however the script ends. Every step is bounded by `timeout`.

set -euo pipefail
shopt -s inherit_errexit

files=10000
openssl_files=
rounds=3
jar=1
while [ $# -gt 0 ]; do
  case $1 in
    --files) files=$2; shift 2 ;;
    --openssl-files) openssl_files=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --no-jar) jar=0; shift ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "sign.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
openssl_files=${openssl_files:-$files}
for n in "$files" "$openssl_files" "$rounds"; do
  if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -eq 0 ]; then
    echo "sign.sh: not a positive number: $n" >&2
    exit 2
  fi
done
[ "$openssl_files" -le "$files" ] || openssl_files=$files

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
for tool in openssl python3 timeout curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "sign.sh: needs $tool" >&2; exit 1; }
done
# shellcheck source-path=SCRIPTDIR/.. source=bench/lib.sh
. "$root/bench/lib.sh"
# shellcheck source-path=SCRIPTDIR/.. source=.mvn/find-java.sh
. "$root/.mvn/find-java.sh"
signet_find_java
java="$JAVA_HOME/bin/java"
[ -x "$JAVA_HOME/bin/jarsigner" ] || { echo "sign.sh: $JAVA_HOME has no jarsigner" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/signet-sign-bench.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Runs a command and sets $elapsed to its wall-clock seconds; its output is kept only if it fails.
elapsed=
timed() { # label, command...
  local label=$1 t0 t1 rc=0
  shift
  t0=$(now_us)
  "$@" >"$work/last.out" 2>&1 || rc=$?
  t1=$(now_us)
  if [ "$rc" -ne 0 ]; then
    echo "sign.sh: $label failed (exit $rc):" >&2
    tail -20 "$work/last.out" >&2
    exit 1
  fi
  elapsed=$(python3 -c 'import sys; print(f"{(int(sys.argv[2]) - int(sys.argv[1])) / 1e6:.3f}")' "$t0" "$t1")
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- build and files ----------------------------------------------------------------------------
echo "building the launcher (./signet --version)" >&2
timeout 900 ./signet --version >&2
echo "making $files files (1 KiB–256 KiB, seeded sizes, random content)" >&2
timeout 600 python3 - "$work/files" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
for i in range(n):
    d = os.path.join(root, f"d{i % 100:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"file-{i:05d}.bin"), "wb") as f:
        f.write(os.urandom(rng.randint(1024, 256 * 1024)))
PY
bytes=$(find "$work/files" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
cat "$work/files"/*/* >/dev/null # into the page cache

# --- server ---------------------------------------------------------------------------------------
data="$work/data"
printf '%s\n' 'Vq7#pL2x!Rk9@tZ4-signing-load' | timeout 300 ./signet admin create-admin --username bench --data-dir "$data" >&2
admin_token=$(timeout 300 ./signet admin create-token --user bench --scopes 'ca:admin keys:admin' \
  --data-dir "$data" 2>/dev/null)
[[ $admin_token == sgt_* ]] || { echo "sign.sh: no API token from signet admin create-token" >&2; exit 1; }
port=
for attempt in 1 2 3; do
  port=$(free_port)
  ./signet serve --port "$port" --data-dir "$data" >"$work/server.log" 2>&1 </dev/null &
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
  if ! kill -0 "$server_pid" 2>/dev/null && grep -q 'already in use' "$work/server.log"; then
    echo "port $port was taken meanwhile (attempt $attempt); retrying" >&2
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    continue
  fi
  echo "sign.sh: the server did not get ready; its output:" >&2
  cat "$work/server.log" >&2
  exit 1
done
[ -n "$server_pid" ] || { echo "sign.sh: could not start the server" >&2; exit 1; }
base=http://127.0.0.1:$port
echo "server pid $server_pid on $base" >&2
export SIGNET_URL=$base
admin() { SIGNET_TOKEN=$admin_token timeout 300 ./signet "$@"; }
admin ca create-root --name bench-root --key ec-p256 --subject 'CN=Signet Bench Root,O=Signet' >&2
admin keys create --name bench --algorithm ec-p256 --ca bench-root >&2
admin keys grant --key bench --to bench >&2
admin ca chain --ca bench-root --out "$work/root.pem" >&2
# (a token may only make tokens with its own scopes: this one comes from the shell, like the first)
sign_token=$(timeout 300 ./signet admin create-token --user bench --scopes sign:bench --data-dir "$data" 2>/dev/null)
[[ $sign_token == sgt_* ]] || { echo "sign.sh: no signing token" >&2; exit 1; }

# --- signet sign ----------------------------------------------------------------------------------
run_cpu=
signet_run() { # round, label, extra options... -> $elapsed, and $run_cpu "server_ticks/client_ticks"
  local out="$work/out-$2-$1" s0 c0
  shift 2
  s0=$(cpu_ticks "$server_pid")
  c0=$(child_ticks)
  SIGNET_TOKEN=$sign_token timed "signet sign" timeout 600 ./signet sign --key bench --recursive "$work/files" \
    --out-dir "$out" --quiet "$@"
  run_cpu="$(($(cpu_ticks "$server_pid") - s0))/$(($(child_ticks) - c0))"
}
echo "signet sign: warm-up round (100 files)" >&2
mkdir -p "$work/warm"
cp "$work/files/d00"/* "$work/warm/"
SIGNET_TOKEN=$sign_token timeout 300 ./signet sign --key bench --recursive "$work/warm" --quiet >/dev/null
ts_times=()
nots_times=()
ts_cpu=()
nots_cpu=()
for r in $(seq 1 "$rounds"); do
  signet_run "$r" ts
  ts_times+=("$elapsed")
  ts_cpu+=("$run_cpu")
  rm -rf "$work/out-ts-$r"
  signet_run "$r" nots --no-timestamp
  nots_times+=("$elapsed")
  nots_cpu+=("$run_cpu")
  [ "$r" -lt "$rounds" ] && rm -rf "$work/out-nots-$r"
  echo "signet sign round $r/$rounds: ${ts_times[-1]} s (timestamped), ${nots_times[-1]} s (--no-timestamp)" >&2
done
# A sample of the last round's signatures, checked by openssl.
last="$work/out-nots-$rounds"
signet_run 0 check
for i in 0 1 4999 $((files - 1)); do
  [ "$i" -lt "$files" ] || continue
  f=$(printf 'd%02d/file-%05d.bin' $((i % 100)) "$i")
  for dir in "$last" "$work/out-check-0"; do
    openssl cms -verify -binary -content "$work/files/$f" -in "$dir/$f.p7s" -inform DER \
      -CAfile "$work/root.pem" -purpose any -out /dev/null 2>/dev/null ||
      { echo "sign.sh: openssl cms -verify refused $dir/$f.p7s" >&2; exit 1; }
  done
done
[ "$(find "$last" -name '*.p7s' | wc -l)" = "$files" ] || { echo "sign.sh: not every file was signed" >&2; exit 1; }
rm -rf "$last" "$work/out-check-0"
echo "openssl cms -verify accepts the sampled signatures" >&2

# --- openssl loop ---------------------------------------------------------------------------------
o="$work/openssl"
mkdir -p "$o/out"
timeout 60 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$o/key.pem" -out "$o/cert.pem" \
  -days 30 -subj '/CN=OpenSSL Bench Signer' -addext 'extendedKeyUsage=codeSigning' 2>/dev/null
find "$work/files" -type f | sort | head -n "$openssl_files" >"$o/list"
echo "openssl cms -sign loop over $openssl_files files" >&2
# shellcheck disable=SC2016 # (expanded by the inner bash)
timed "openssl loop" timeout 3600 bash -c '
  i=0
  while IFS= read -r f; do
    i=$((i + 1))
    openssl cms -sign -binary -in "$f" -signer "$1/cert.pem" -inkey "$1/key.pem" -outform DER -out "$1/out/$i.p7s"
  done <"$1/list"' _ "$o"
openssl_time=$elapsed
openssl cms -verify -binary -content "$(head -n 1 "$o/list")" -in "$o/out/1.p7s" -inform DER -CAfile "$o/cert.pem" \
  -purpose any -out /dev/null 2>/dev/null || { echo "sign.sh: the openssl loop's signature does not verify" >&2; exit 1; }
rm -rf "$o/out"

# --- the limit --------------------------------------------------------------------------------------
echo "measuring the limit: openssl speed, bench/SignLimit.java" >&2
ossl_sha=$(timeout 120 openssl speed -seconds 3 -evp sha256 -bytes 1048576 2>/dev/null | awk '/^sha256/ { v = $NF; sub(/k$/, "", v); print v * 1000 }')
ossl_ec=$(timeout 120 openssl speed -seconds 3 ecdsap256 2>/dev/null | awk '/ecdsa \(nistp256\)/ { print $(NF - 1) }')
timeout 300 "$java" -cp "$root/signet-cli/target/signet/lib/*" "$root/bench/SignLimit.java" "$work/files" >"$work/limit.txt"
cat "$work/limit.txt" >&2
echo "openssl: sha256 $ossl_sha B/s, ecdsap256 $ossl_ec sign/s" >&2

# --- JAR --------------------------------------------------------------------------------------------
: >"$work/jar.txt"
if [ "$jar" = 1 ]; then
  echo "making a 50 MB JAR; jarsigner's EC P-256 key" >&2
  timeout 300 python3 - "$work/big.jar" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: signet bench\r\n\r\n")
    for i in range(2000):
        z.writestr(f"com/example/p{i // 100:02d}/C{i:04d}.class", os.urandom(25 * 1024))
PY
  jar_bytes=$(stat -c %s "$work/big.jar")
  timeout 120 "$JAVA_HOME/bin/keytool" -genkeypair -keystore "$work/js.p12" -storetype PKCS12 -storepass benchpass \
    -alias bench -keyalg EC -groupname secp256r1 -dname 'CN=jarsigner bench' -validity 30 >/dev/null 2>&1
  jt=()
  jts=()
  st=()
  sts=()
  for r in $(seq 1 "$rounds"); do
    timed jarsigner timeout 600 "$JAVA_HOME/bin/jarsigner" -keystore "$work/js.p12" -storepass benchpass \
      -signedjar "$work/js-$r.jar" "$work/big.jar" bench
    jt+=("$elapsed")
    SIGNET_TOKEN=$sign_token timed "signet sign (jar)" timeout 600 ./signet sign --key bench --no-timestamp \
      "$work/big.jar" --out "$work/ss-$r.jar" --quiet
    st+=("$elapsed")
    timed "jarsigner -tsa" timeout 600 "$JAVA_HOME/bin/jarsigner" -keystore "$work/js.p12" -storepass benchpass \
      -tsa "$base/tsa" -signedjar "$work/jst-$r.jar" "$work/big.jar" bench
    jts+=("$elapsed")
    SIGNET_TOKEN=$sign_token timed "signet sign (jar, timestamped)" timeout 600 ./signet sign --key bench \
      "$work/big.jar" --out "$work/sst-$r.jar" --quiet
    sts+=("$elapsed")
    echo "JAR round $r/$rounds: jarsigner ${jt[-1]} s, signet ${st[-1]} s; timestamped: jarsigner ${jts[-1]} s, signet ${sts[-1]} s" >&2
    for f in js ss jst sst; do
      if ! "$JAVA_HOME/bin/jarsigner" -verify "$work/$f-$r.jar" >"$work/verify.txt" 2>&1 ||
        ! grep -q 'jar verified' "$work/verify.txt"; then
        echo "sign.sh: jarsigner -verify refused $f-$r.jar" >&2
        cat "$work/verify.txt" >&2
        exit 1
      fi
      rm -f "$work/$f-$r.jar"
    done
  done
  {
    echo "jar_bytes=$jar_bytes"
    echo "jarsigner=$(median "${jt[@]}")"
    echo "signet=$(median "${st[@]}")"
    echo "jarsigner_tsa=$(median "${jts[@]}")"
    echo "signet_tsa=$(median "${sts[@]}")"
    echo "rounds=${#jt[@]}"
    echo "all=jarsigner ${jt[*]} / signet ${st[*]} / jarsigner -tsa ${jts[*]} / signet ts ${sts[*]}"
  } >"$work/jar.txt"
fi

kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report -----------------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1024 / 1024 }' /proc/meminfo)
jdk=$("$java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)$/\1/p' | head -n 1)
python3 - "$files" "$bytes" "$openssl_files" "$openssl_time" "${ts_times[*]}" "${nots_times[*]}" \
  "${ts_cpu[*]}" "${nots_cpu[*]}" "$ossl_sha" "$ossl_ec" "$work/limit.txt" "$work/jar.txt" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import statistics, sys
files, nbytes, ofiles = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
otime = float(sys.argv[4])
ts = [float(x) for x in sys.argv[5].split()]
nots = [float(x) for x in sys.argv[6].split()]
ts_cpu = [tuple(map(int, x.split("/"))) for x in sys.argv[7].split()]
nots_cpu = [tuple(map(int, x.split("/"))) for x in sys.argv[8].split()]
ossl_sha, ossl_ec = float(sys.argv[9] or 0), float(sys.argv[10] or 0)
lim = dict(l.strip().split("=", 1) for l in open(sys.argv[11]) if "=" in l)
jar = dict(l.strip().split("=", 1) for l in open(sys.argv[12]) if "=" in l)
hz, cores = int(sys.argv[13]), int(sys.argv[14])
med = statistics.median
hash_rate = max(ossl_sha, float(lim["java_sha256_memory_bytes_per_s"]))
sign_rate = max(ossl_ec, float(lim["java_p256_signatures_per_s"]))
limit1 = nbytes / hash_rate + files / sign_rate
limitn = limit1 / cores
openssl_total = otime * files / ofiles
def span(v): return f"{med(v):.2f} s ({min(v):.2f}–{max(v):.2f})" if len(v) > 1 else f"{v[0]:.2f} s"
def cpu(v):
    s = med([a for a, _ in v]) / hz
    c = med([b for _, b in v]) / hz
    return f"server {s:.1f} s + client {c:.1f} s CPU"
print()
print(f"{files:,} files, {nbytes / 2**20:,.0f} MiB ({nbytes / files / 1024:.0f} KiB on average), EC P-256, loopback, {cores} CPUs")
print()
print("| | wall clock | files/s | openssl loop ÷ this | this ÷ limit (1 core) | this ÷ limit (all cores) |")
print("|---|---|---|---|---|---|")
def row(label, t, extra=""):
    print(f"| {label} | {t} | {files / float(t.split()[0]):,.0f} | **{openssl_total / float(t.split()[0]):.1f}×** | "
          f"{float(t.split()[0]) / limit1:.2f} | {float(t.split()[0]) / limitn:.2f} |")
row(f"`signet sign` (timestamped), median of {len(ts)} — {cpu(ts_cpu)}", span(ts))
row(f"`signet sign --no-timestamp`, median of {len(nots)} — {cpu(nots_cpu)}", span(nots))
note = "" if ofiles == files else f" ({ofiles:,} files run, extrapolated)"
print(f"| `openssl cms -sign` loop{note} | {openssl_total:.1f} s | {files / openssl_total:,.0f} | 1 | {openssl_total / limit1:.1f} | {openssl_total / limitn:.1f} |")
print(f"| limit, 1 core: {nbytes / 2**20:,.0f} MiB at {hash_rate / 1e9:.2f} GB/s + {files:,} signatures at {sign_rate:,.0f}/s | {limit1:.2f} s | {files / limit1:,.0f} | | 1 | |")
print(f"| limit, {cores} cores (the same work spread perfectly) | {limitn:.2f} s | {files / limitn:,.0f} | | | 1 |")
print()
print("| rates measured in this run | openssl speed | JDK (SignLimit.java) |")
print("|---|---|---|")
print(f"| SHA-256, 1 MiB blocks in memory | {ossl_sha / 1e9:.2f} GB/s | {float(lim['java_sha256_memory_bytes_per_s']) / 1e9:.2f} GB/s |")
print(f"| SHA-256 of the {files:,} files from the page cache (FileChannel, 1 thread) | | {float(lim['java_sha256_files_bytes_per_s']) / 1e9:.2f} GB/s |")
print(f"| EC P-256 raw signatures, 1 thread | {ossl_ec:,.0f}/s | {float(lim['java_p256_signatures_per_s']):,.0f}/s (Bouncy Castle) |")
if jar:
    mb = int(jar["jar_bytes"]) / 1e6
    print()
    print(f"| {mb:.0f} MB JAR (2,000 entries), median of {jar['rounds']} | jarsigner | `signet sign` | jarsigner ÷ signet |")
    print("|---|---|---|---|")
    for label, a, b in (("no timestamp", "jarsigner", "signet"), ("timestamped (jarsigner -tsa Signet's /tsa; signet's default)", "jarsigner_tsa", "signet_tsa")):
        ja, sb = float(jar[a]), float(jar[b])
        print(f"| {label} | {ja:.2f} s | {sb:.2f} s | **{ja / sb:.2f}×** |")
    print()
    print("all JAR rounds (s): " + jar["all"])
PY
echo
echo "machine: $cpu, $(nproc) CPUs, $mem; $jdk; $(openssl version)"
echo "run: $started, load average before $load_before, after $load_after"
