# shellcheck shell=bash
# Shared helpers of the HTTP benchmarks (bench/signin.sh, bench/validate.sh): sourced, not run.
# Messages name the script that sourced this file.

# A free TCP port on 127.0.0.1, below the kernel's ephemeral range.
free_port() {
  local p
  for _ in $(seq 1 200); do
    # Below the kernel's ephemeral range (32768+), where other programs' port-0 sockets land.
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "${0##*/}: no free loopback port found" >&2
  return 1
}

# Wall-clock microseconds.
now_us() {
  local t=$EPOCHREALTIME
  echo "${t/./}"
}

# utime + stime of a process, in clock ticks.
cpu_ticks() {
  local stat
  stat=$(sed 's/^.*) //' "/proc/$1/stat")
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} ))
}

# "busy total" jiffies of the whole machine, from /proc/stat.
machine_ticks() {
  awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; idle = $5 + $6; print t - idle, t; exit }' /proc/stat
}

# CPU ticks of this shell's waited-for children (JMH, the load generator, perf, sqlite3...).
child_ticks() {
  local stat
  stat=$(sed 's/^.*) //' "/proc/$$/stat")
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${14} + ${15} ))
}

# The path of a PostgreSQL program (initdb, pg_ctl, postgres), from the PATH or Debian's /usr/lib/postgresql.
pg_bin() {
  local d
  for d in "$(dirname "$(command -v postgres 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    if [ -x "$d/$1" ]; then
      echo "$d/$1"
      return 0
    fi
  done
  echo "${0##*/}: --db postgres needs PostgreSQL's $1" >&2
  return 1
}

# Runs a PostgreSQL program as nobody when this script runs as root (PostgreSQL refuses root).
pg_as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}
