#!/usr/bin/env bash
# Issue 5 end to end: an unmodified Python program in a signed enclave attests through
# /dev/attestation. Its quote, made in process and through `cocoon quote-helper` over the AESM
# socket protocol (SGX_AESM_ADDR=1 in the manifest's environment), verifies against the
# enclave's MRENCLAVE/MRSIGNER and report data, and not against wrong ones; a byte changed in
# each part of the quote is refused naming the part; sealing keys follow their policy across
# restarts, enclaves and signers.
# Usage: attestation_checks.sh COCOON SCRIPT_DIR
set -u
. "$(dirname "$0")/check_lib.sh"
C=$1
S=$2
work=$(mktemp -d)
qh=
trap '[ -n "$qh" ] && kill "$qh" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
export COCOON_SIM_DIR=$work/sim   # this test's own simulated CPU, root CA and QE key
field() { sed -nE "s/^$1 ([0-9a-f]{64})$/\1/p" "$2"; }

cp "$S/programs/attest_seal.py" app.py
mkdir io
"$C" keygen --out signer.pem >/dev/null 2>&1
"$C" keygen --out other.pem >/dev/null 2>&1
py=/usr/bin/python3
stdlib=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
# make NAME TEMPLATE-ARGS…: a manifest for "python3 app.py io NAME", signed by signer.pem
make() {
  local name=$1
  shift
  "$C" manifest -q --output "$name.toml" "$@" --trusted "$stdlib" --trusted "$work/app.py" --allowed "$work/io/" \
    -- "$py" "$work/app.py" "$work/io" "$name" >/dev/null 2>"$name.manifest.err"
  "$C" sign --key signer.pem "$name.toml" >"$name.sign" 2>&1
}
make A
check signed test -n "$(field MRENCLAVE A.sign)"
mrenclave=$(field MRENCLAVE A.sign)
mrsigner=$(field MRSIGNER A.sign)
data=c0c0a0b0$(printf '%056d' 7)

# ---- in process: the simulated QE of this host -----------------------------------------------
echo "$data" > io/report_data
"$C" run A.toml >out.txt 2>err.txt; rc=$?
check inproc_run test $rc = 0
check inproc_type has out.txt '^attestation_type: dcap$'
check inproc_quote_made has out.txt '^quote: [0-9]+ bytes$'
cp io/quote.bin inproc.quote
hexof() { od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'; }
check report_size test "$(stat -c %s io/report.bin)" = 432
check report_mrenclave test "$(hexof io/report.bin 64 32)" = "$mrenclave"
check report_mrsigner test "$(hexof io/report.bin 128 32)" = "$mrsigner"
check report_report_data test "$(hexof io/report.bin 320 64)" = "$data$(printf '%064d' 0)"
check report_is_maced test "$(hexof io/report.bin 416 16)" != "$(printf '%032d' 0)"
check my_target_info_names_this_enclave test "$(hexof io/my_target_info.bin 0 32)" = "$mrenclave"
check quote_body_is_the_enclaves test "$(hexof inproc.quote 112 32)" = "$mrenclave"
"$C" verify-quote inproc.quote --allow-debug --mrenclave "$mrenclave" --mrsigner "$mrsigner" \
  --report-data "$data" >out.txt 2>err.txt
check inproc_quote_verifies has out.txt "^OK: simulated quote, MRENCLAVE $mrenclave MRSIGNER $mrsigner"
wrong=$(printf '%064d' 0)
"$C" verify-quote inproc.quote --allow-debug --mrenclave "$wrong" >out.txt 2>err.txt; rc=$?
check inproc_wrong_mrenclave_fails test $rc != 0
check inproc_wrong_mrenclave_message has err.txt "policy: MRENCLAVE is $mrenclave, expected $wrong"
"$C" verify-quote inproc.quote --allow-debug --mrsigner "$wrong" >out.txt 2>err.txt; rc=$?
check inproc_wrong_mrsigner_fails has err.txt "policy: MRSIGNER is $mrsigner, expected $wrong"
"$C" verify-quote inproc.quote --allow-debug --report-data ff >out.txt 2>err.txt; rc=$?
check inproc_wrong_report_data_fails test $rc != 0

# One byte changed in each part of the quote: refused, and the error names the part.
tamper() {  # tamper OFFSET NAME REGEX
  cp inproc.quote t.quote
  # Write 'Z', or 'Y' where the byte already is 'Z' (the certificates' serials are random, so a
  # fixed byte would leave the quote unchanged one run in 64).
  local was new=Z
  was=$(od -An -c -j "$1" -N1 t.quote | tr -d ' ')
  [ "$was" = Z ] && new=Y
  printf '%s' "$new" | dd of=t.quote bs=1 seek="$1" conv=notrunc status=none
  check "tampered_$2_changed" test "$(cmp -l inproc.quote t.quote | wc -l)" = 1
  "$C" verify-quote t.quote --allow-debug >out.txt 2>err.txt
  local rc=$?
  check "tampered_$2" test $rc != 0
  check "tampered_$2_named" has err.txt "$3"
}
# Layout (quote v3): header 0-47, ISV report body 48-431, signature data length 432-435, ISV
# report signature 436-499, attestation key 500-563, QE report 564-947, QE report signature
# 948-1011, QE authentication data (size 1012, data 1014-1045), certification data from 1046.
tamper 8 header 'ISV report signature: does not verify .*header'
tamper 112 report_body_mrenclave 'ISV report signature: does not verify .*report body'
tamper 400 report_body_report_data 'ISV report signature: does not verify .*report body'
tamper 440 isv_signature 'ISV report signature: does not verify'
tamper 520 attestation_key 'attestation key: SHA-256\(attestation key'
tamper 600 qe_report 'QE report signature: does not verify'
tamper 1000 qe_report_signature 'QE report signature: does not verify'
tamper 1030 qe_authentication_data 'attestation key: SHA-256\(attestation key ‖ QE authentication data\)'
tamper 1100 certification_data 'PCK certificate chain \(certification data\)'

# ---- out of process: the AESM protocol on a Unix socket (cocoon quote-helper) ----------------
sock=$work/aesm.sock
"$C" quote-helper --socket "$sock" --json >qh.out 2>qh.err &
qh=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
check quote_helper_started test -S "$sock"
printf '[loader]\nentrypoint = "{{entrypoint}}"\n[loader.env]\nSGX_AESM_ADDR = "1"\nPATH = "/usr/bin:/bin"\nLANG = "C.UTF-8"\n' > aesm.toml.in
make B --template aesm.toml.in
check aesm_manifest_signed test -n "$(field MRENCLAVE B.sign)"
mrenclave_b=$(field MRENCLAVE B.sign)
rm -f io/quote.bin
COCOON_AESM_SOCKET=$sock "$C" run B.toml >out.txt 2>err.txt; rc=$?
check aesm_run test $rc = 0
check aesm_quote_made has out.txt '^quote: [0-9]+ bytes$'
"$C" verify-quote io/quote.bin --allow-debug --mrenclave "$mrenclave_b" --mrsigner "$mrsigner" \
  --report-data "$data" >out.txt 2>err.txt
check aesm_quote_verifies has out.txt "^OK: simulated quote, MRENCLAVE $mrenclave_b"
"$C" verify-quote io/quote.bin --allow-debug --mrenclave "$mrenclave" >out.txt 2>err.txt; rc=$?
check aesm_wrong_mrenclave_fails has err.txt "policy: MRENCLAVE is $mrenclave_b, expected $mrenclave"
kill "$qh"; wait "$qh" 2>/dev/null; qh=
check quote_helper_served has qh.err 'stopped after [1-9][0-9]* requests'
COCOON_AESM_SOCKET=$sock "$C" run B.toml >out.txt 2>err.txt
check aesm_down_is_an_error_for_the_program has err.txt "Input/output error: '/dev/attestation/quote'"
check aesm_down_names_the_socket has err.txt "cocoon: attestation: aesm:$sock: cannot connect to the AESM socket $sock"
rm -f io/report_data io/quote.bin

# ---- sealing keys ------------------------------------------------------------------------------
echo "sealed secret" > io/plain
"$C" run A.toml >out.txt 2>err.txt
check seal_sealed has out.txt '^sealed$'
rm io/plain
"$C" run A.toml >out.txt 2>err.txt   # the same enclave, restarted
check unseal_same_enclave_mrenclave has out.txt '^unseal mrenclave: OK sealed secret$'
check unseal_same_enclave_mrsigner has out.txt '^unseal mrsigner: OK sealed secret$'
"$C" run B.toml >out.txt 2>err.txt   # another enclave, same signer
check other_enclave_same_signer_mrenclave_refused has out.txt '^unseal mrenclave: FAILED$'
check other_enclave_same_signer_mrsigner_ok has out.txt '^unseal mrsigner: OK sealed secret$'
make C   # another enclave, another signer
"$C" sign --key other.pem C.toml >C.sign 2>&1
check other_signer_signed test "$(field MRSIGNER C.sign)" != "$mrsigner"
"$C" run C.toml >out.txt 2>err.txt
check other_signer_mrenclave_refused has out.txt '^unseal mrenclave: FAILED$'
check other_signer_mrsigner_refused has out.txt '^unseal mrsigner: FAILED$'
cp A.toml D.toml   # enclave A's very image, signed by another signer
"$C" sign --key other.pem D.toml >D.sign 2>&1
check same_image_other_signer_same_mrenclave test "$(field MRENCLAVE D.sign)" = "$mrenclave"
"$C" run D.toml >out.txt 2>err.txt
# As on hardware: the MRENCLAVE policy names the code alone, so the same image unseals it
# whoever signed it; the MRSIGNER policy does not.
check same_image_other_signer_mrenclave_ok has out.txt '^unseal mrenclave: OK sealed secret$'
check same_image_other_signer_mrsigner_refused has out.txt '^unseal mrsigner: FAILED$'

# No signed identity (--no-manifest): there is nothing to attest, and no /dev/attestation.
"$C" run --no-manifest -- "$py" -c "open('/dev/attestation/quote', 'rb')" >out.txt 2>err.txt; rc=$?
check no_manifest_no_attestation has err.txt "FileNotFoundError: .*'/dev/attestation/quote'"

summary
