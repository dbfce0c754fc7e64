#!/usr/bin/env bash
# The verifier's side and the enclave's: a fresh nonce, the quote the enclave makes for it
# (in process; set SGX_AESM_ADDR in the manifest's environment to use an AESM service), and
# `cocoon verify-quote` checking the signatures, the certificate chain and the enclave's
# identity. Usage: run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=$(realpath "${1:-build}")/cocoon
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/io"
"$C" keygen --out "$work/signer.pem" >/dev/null
"$C" manifest --quiet --template "$here/python.toml.in" --trusted "$here/attest.py" --allowed "$work/io/" \
  --output "$work/app.toml" -- /usr/bin/python3 "$here/attest.py" "$work/io"
"$C" sign --key "$work/signer.pem" "$work/app.toml" >"$work/sign.txt"
mrenclave=$(sed -n 's/^MRENCLAVE //p' "$work/sign.txt")
mrsigner=$(sed -n 's/^MRSIGNER //p' "$work/sign.txt")
head -c 32 /dev/urandom >"$work/io/nonce"
"$C" run "$work/app.toml"
expected=$(sha512sum "$work/io/nonce" | cut -d' ' -f1)
# Generated manifests are debug enclaves (simulation); a production verifier leaves out --allow-debug.
"$C" verify-quote "$work/io/quote.bin" --allow-debug --mrenclave "$mrenclave" --mrsigner "$mrsigner" \
  --report-data "$expected"
