#!/usr/bin/env bash
# Issue 4: requests per second of HTTP servers natively and in Cocoon, side by side, under the
# same bounded load from a local client (ApacheBench: apt-get install apache2-utils), loopback.
# Servers: Python's http.server (ThreadingHTTPServer, a thread per connection), the Node.js
# example (examples/node-http-server) and the Java example (examples/java-http-server, built
# here with javac; -Dsun.net.httpserver.nodelay=true as issue 4 says). Target (issue 4): >= 0.8x native. Zero-config runs.
# Each server first answers REQUESTS/2 unmeasured requests (warm-up), then REQUESTS measured.
# HOGS=N runs N busy loops (other tasks wanting the CPUs, as on a shared node) during every
# run, native and Cocoon alike.
# Usage: [HOGS=N] bench/server_bench.sh [BUILD_DIR] [REQUESTS] [CONCURRENCY]
set -uo pipefail
B=${1:-build}
N=${2:-5000}
K=${3:-8}
HOGS=${HOGS:-0}
C=$(realpath "$B/cocoon")
[ -x "$C" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v ab >/dev/null || { echo "needs ApacheBench: apt-get install apache2-utils" >&2; exit 1; }
here=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
pid=
hogs=()
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null; rm -rf "$W"' EXIT
echo hello >"$W/index.html"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# rps NAME COMMAND…: starts the server (its command line ends with the port), loads it, stops it.
rps() {
  local port=$1
  shift
  (cd "$W" && exec "$@" >"$W/server.out" 2>&1) &
  pid=$!
  hogs=()
  for _ in $(seq "$HOGS"); do sh -c 'while :; do :; done' & hogs+=($!); done
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/index.html" >/dev/null 2>&1 && break; sleep 0.1; done
  # Warm-up (the JVM's and V8's compilers, the servers' pools), then the measured run.
  ab -q -n "$((N / 2))" -c "$K" "http://127.0.0.1:$port/index.html" >/dev/null 2>&1
  ab -q -n "$N" -c "$K" "http://127.0.0.1:$port/index.html" 2>/dev/null | awk '/^Requests per second/ { print $4 }'
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=
  if [ ${#hogs[@]} -gt 0 ]; then kill "${hogs[@]}" 2>/dev/null; wait "${hogs[@]}" 2>/dev/null; fi
  hogs=()
}

load="$N requests, $K at a time"
[ "$HOGS" -gt 0 ] && load+=", $HOGS busy loops"
printf '%-36s %12s %12s %7s\n' "server ($load)" "native rps" "cocoon rps" ratio
row() { printf '%-36s %12s %12s %7s\n' "$1" "$2" "$3" "$(awk -v a="$3" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"; }
p=$(free_port); n=$(rps "$p" python3 -m http.server --bind 127.0.0.1 "$p")
p=$(free_port); c=$(rps "$p" "$C" run -- /usr/bin/python3 -m http.server --bind 127.0.0.1 "$p")
row "python3 -m http.server" "${n:-0}" "${c:-0}"
if command -v node >/dev/null; then
  node=$(readlink -f "$(command -v node)")
  p=$(free_port); n=$(rps "$p" "$node" "$here/examples/node-http-server/server.js" "$p")
  p=$(free_port); c=$(rps "$p" "$C" run -- "$node" "$here/examples/node-http-server/server.js" "$p")
  row "node (examples/node-http-server)" "${n:-0}" "${c:-0}"
fi
if command -v javac >/dev/null && command -v jar >/dev/null; then
  java=$(readlink -f "$(command -v java)")
  mkdir -p "$W/classes"
  javac -d "$W/classes" "$here/examples/java-http-server/Server.java"
  printf 'Main-Class: Server\n' >"$W/manifest.txt"
  jar --create --file "$W/server.jar" --manifest "$W/manifest.txt" -C "$W/classes" .
  jflags=(-Dsun.net.httpserver.nodelay=true -jar "$W/server.jar")
  p=$(free_port); n=$(rps "$p" "$java" "${jflags[@]}" "$p")
  p=$(free_port); c=$(rps "$p" "$C" run -- "$java" "${jflags[@]}" "$p")
  row "java (examples/java-http-server)" "${n:-0}" "${c:-0}"
fi
