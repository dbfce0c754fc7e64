#!/usr/bin/env bash
# Builds server.jar, starts it in Cocoon on a free loopback port, sends it concurrent requests
# from outside the enclave with curl, stops it with SIGTERM (the JVM runs its shutdown hook)
# and checks how it ended. Usage: run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=$(realpath "${1:-build}")/cocoon
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
java=$(command -v java) && command -v javac >/dev/null && command -v jar >/dev/null ||
  { echo "needs a JDK (apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
java=$(readlink -f "$java")
mkdir "$work/classes"
javac -d "$work/classes" "$here/Server.java"
printf 'Main-Class: Server\n' >"$work/manifest.txt"
jar --create --file "$work/server.jar" --manifest "$work/manifest.txt" -C "$work/classes" .
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$C" keygen --out "$work/signer.pem" >/dev/null
"$C" manifest --quiet --template "$here/java.toml.in" --trusted "$work/server.jar" \
  --output "$work/server.toml" -- "$java" -Dsun.net.httpserver.nodelay=true -jar "$work/server.jar" "$port"
"$C" sign --key "$work/signer.pem" "$work/server.toml" >/dev/null
"$C" run "$work/server.toml" >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 300); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
cat "$work/out"
# The JVM sizes its default heap from the memory it sees: a quarter of the 4 GiB enclave.
grep -q "max heap 1024 MiB" "$work/out" || { echo "the JVM did not size its heap from the enclave's memory"; exit 1; }
curl -fsS "http://127.0.0.1:$port/first"; echo
# Eight at once: the pool's four threads serve them.
for i in $(seq 8); do curl -fsS -o "$work/reply$i" "http://127.0.0.1:$port/concurrent$i" & done
wait $(jobs -p | grep -v "^$server\$") 2>/dev/null || true
for i in $(seq 8); do grep -q "\"path\":\"/concurrent$i\"" "$work/reply$i" || { echo "no answer to request $i"; exit 1; }; done
echo "8 concurrent requests answered"
curl -fsS "http://127.0.0.1:$port/last"; echo
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
cat "$work/out" | tail -n 1
echo "server stopped by SIGTERM, exit status $status"
[ "$status" = 143 ]
