# Sourced by ./signet, ./mvnw and .ci/run: finds a JDK >= 21 and exports JAVA_HOME.
# Order: $JAVA_HOME, then `java` on the PATH, then the newest JDK in the system's JVM directory.
# Says exactly what to install when there is none, and returns non-zero. POSIX sh (dash) safe.

signet_java_major() {
  # Prints the feature version (17, 21, 25, ...) of the java binary given, or nothing. Reads the
  # JDK's release file when it has one (no JVM start: up to 0.7 s saved on a busy machine).
  local release
  release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release" | head -n 1
    return
  fi
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

signet_find_java() {
  local min=21 candidate major best="" best_major=0 dir noglob
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(signet_java_major "$JAVA_HOME/bin/java")
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
      export JAVA_HOME
      return 0
    fi
  fi
  if candidate=$(command -v java 2>/dev/null); then
    candidate=$(readlink -f "$candidate")
    dir=$(dirname "$(dirname "$candidate")")
    major=$(signet_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ -x "$dir/bin/javac" ]; then
      export JAVA_HOME="$dir"
      return 0
    fi
  fi
  # The caller may run with `set -f` (mvnw does): globbing is needed here, restore it after.
  case $- in *f*) noglob=1; set +f ;; *) noglob=0 ;; esac
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$dir/bin/java" ] && [ -x "$dir/bin/javac" ] || continue
    [ -L "$dir" ] && continue
    major=$(signet_java_major "$dir/bin/java")
    if [ -n "$major" ] && [ "$major" -ge "$min" ] && [ "$major" -gt "$best_major" ]; then
      best="$dir"
      best_major="$major"
    fi
  done
  [ "$noglob" = 1 ] && set -f
  if [ -n "$best" ]; then
    export JAVA_HOME="$best"
    return 0
  fi
  cat >&2 <<MSG
signet: no JDK ${min} or newer found (looked at \$JAVA_HOME, \`java\` on the PATH and /usr/lib/jvm).
Install a JDK ${min} or newer, for example:
  Debian 13 / Ubuntu 24.04:  sudo apt-get install openjdk-21-jdk-headless   (or openjdk-25-jdk-headless)
  Debian 12 and others:      a Temurin JDK 21 or 25 (temurin-25-jdk from Adoptium's apt repository)
or point JAVA_HOME at an existing JDK ${min}+:  export JAVA_HOME=/path/to/jdk
MSG
  return 1
}
