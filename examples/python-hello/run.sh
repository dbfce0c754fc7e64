#!/usr/bin/env bash
# Generates the manifest for `python3 app.py`, signs it with a key made for the example and
# runs it in Cocoon. Usage: examples/python-hello/run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=$(realpath "${1:-build}")/cocoon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$C" keygen --out "$work/signer.pem" >/dev/null
"$C" manifest --quiet --template "$here/python.toml.in" --trusted "$here/app.py" \
  --output "$work/app.toml" -- /usr/bin/python3 "$here/app.py"
"$C" sign --key "$work/signer.pem" "$work/app.toml" >/dev/null
"$C" run "$work/app.toml"
