#!/usr/bin/env bash
# In-process issuance against the raw signature rate of the issuer's key (issue 6 aims at
# issuance ÷ raw signature ≥ 0.5), measured for a machine shared with other work: per key and per
# build, one JVM (dev.signet.bench.ca.Interleaved) warms IssuanceBench.issue and
# IssuanceBench.rawSign up, then measures them in turns (one JMH iteration each per round, the
# order alternating), so a change of the machine's load between rounds moves both. Besides the
# throughput it records the process's CPU time per operation (bench/ca CpuTime), which hardly
# depends on what else runs; the ratio is given both ways.
#
#   bash bench/ca/interleaved.sh                        10 rounds, ec-p256 and rsa-2048, this build
#   bash bench/ca/interleaved.sh --jar before=/tmp/old.jar --jar after=bench/ca/target/benchmarks.jar
#   options: --rounds R (10) --warmup S (30, per benchmark) --turn S (2, per measurement)
#            --keys "ec-p256 rsa-2048" --jar LABEL=PATH (repeatable: compares builds; each key's
#            JVMs run one after the other, the builds' order alternating per key)
#
# Needs a built bench/ca/target/benchmarks.jar (bench/ca-issuance.sh builds it, or `../../mvnw -q -B
# package` in bench/ca after signet-core is installed), python3 and a JDK 21+. About
# (2 × warm-up + rounds × 2 × turn + 10) seconds per key and build: 2 min by default.

set -euo pipefail

rounds=10
warmup=30
turn=2
keys="ec-p256 rsa-2048"
jars=()
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --turn) turn=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --jar) jars+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "interleaved.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$rounds" "$warmup" "$turn"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "interleaved.sh: not a number: $n" >&2; exit 2; }
done

here=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
[ ${#jars[@]} -gt 0 ] || jars=("this=$here/target/benchmarks.jar")
for j in "${jars[@]}"; do
  [[ ${j%%=*} =~ ^[A-Za-z0-9_-]+$ ]] || { echo "interleaved.sh: label must be letters, digits, _ or -: $j" >&2; exit 2; }
  [ -f "${j#*=}" ] || { echo "interleaved.sh: no jar ${j#*=}" >&2; exit 1; }
done
if [ -z "${JAVA_HOME:-}" ]; then
  # shellcheck source=/dev/null
  . "$root/.mvn/find-java.sh"
  signet_find_java
fi
java="$JAVA_HOME/bin/java"
work=$(mktemp -d "${TMPDIR:-/tmp}/signet-ca-interleaved.XXXXXX")
trap 'rm -rf "$work"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

k=0
for key in $keys; do
  k=$((k + 1))
  order=("${jars[@]}")
  if ((k % 2 == 0)); then
    order=()
    for ((i = ${#jars[@]} - 1; i >= 0; i--)); do order+=("${jars[$i]}"); done
  fi
  for j in "${order[@]}"; do
    label=${j%%=*}
    echo "== $label $key (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    timeout $((2 * warmup + rounds * 2 * (turn + 5) + 120)) \
      "$java" -cp "${j#*=}" dev.signet.bench.ca.Interleaved "$key" "$rounds" "$warmup" "$turn" \
      2>"$work/$label.$key.err" | tee "$work/$label.$key.out" | grep -v '^# ec-\|^# rsa-' >&2 \
      || { tail -30 "$work/$label.$key.err" >&2; exit 1; }
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$work" <<'PY'
import collections, glob, os, statistics, sys
turns = collections.defaultdict(dict)  # (label, key, round) -> bench -> (ops/s, cpu µs/op)
order = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.out")), key=os.path.getmtime):
    label = os.path.basename(path).split(".")[0]
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        r, key, bench, ops, cpu = line.split()
        turns[(label, key, r)][bench] = (float(ops), float(cpu))
        if (label, key) not in order:
            order.append((label, key))
def mmm(v, f="{:,.0f}"):
    return f"{f.format(statistics.median(v))} ({f.format(min(v))}–{f.format(max(v))})"
print()
print("| build | key | issuance (certs/s) | raw signature (sigs/s) | **ratio** issuance ÷ raw, per round | CPU µs per issuance | CPU µs per signature | **ratio** by CPU time | CPU µs per issuance beyond the signature |")
print("|---|---|---|---|---|---|---|---|---|")
for label, key in order:
    rows = [v for (l, k, _), v in turns.items() if l == label and k == key and len(v) == 2]
    issue = [v["issue"][0] for v in rows]
    sign = [v["rawSign"][0] for v in rows]
    ratio = [v["issue"][0] / v["rawSign"][0] for v in rows]
    cpu_issue = [v["issue"][1] for v in rows]
    cpu_sign = [v["rawSign"][1] for v in rows]
    cpu_ratio = [v["rawSign"][1] / v["issue"][1] for v in rows]
    extra = [v["issue"][1] - v["rawSign"][1] for v in rows]
    print(f"| {label} | {key} | {mmm(issue)} | {mmm(sign)} | **{mmm(ratio, '{:.2f}')}** | {mmm(cpu_issue)} | "
          f"{mmm(cpu_sign)} | **{mmm(cpu_ratio, '{:.2f}')}** | {mmm(extra)} |")
PY
cat <<FACTS

$(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)); $("$java" -version 2>&1 | sed -n 2p).
Started $started; per key and build one JVM: ${warmup} s warm-up per benchmark, then $rounds rounds of one ${turn} s JMH iteration each (order alternating); load average before: $load_before, after: $load_after.
FACTS
