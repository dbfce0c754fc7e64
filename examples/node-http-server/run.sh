#!/usr/bin/env bash
# Starts server.js (Node.js) in Cocoon on a free loopback port, queries it from outside the enclave with
# curl, stops it with SIGTERM and checks how it ended. Usage: run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=$(realpath "${1:-build}")/cocoon
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
node=$(command -v node) || { echo "needs Node.js (apt-get install nodejs)" >&2; exit 1; }
node=$(readlink -f "$node")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$C" keygen --out "$work/signer.pem" >/dev/null
"$C" manifest --quiet --trusted "$here/server.js" \
  --output "$work/server.toml" -- "$node" "$here/server.js" "$port"
"$C" sign --key "$work/signer.pem" "$work/server.toml" >/dev/null
"$C" run "$work/server.toml" >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
cat "$work/out"
curl -fsS "http://127.0.0.1:$port/first"; echo
curl -fsS "http://127.0.0.1:$port/second"; echo
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
echo "server stopped by SIGTERM, exit status $status"
[ "$status" = 143 ]
