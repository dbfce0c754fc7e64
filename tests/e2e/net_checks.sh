#!/usr/bin/env bash
# The manifest's bind policy end to end ([net] bind, docs/manifest.md): an unmodified Python
# program in a signed enclave whose manifest allows "127.0.0.1:*" binds 127.0.0.1:0, gets
# PermissionError (EACCES) for 0.0.0.0:PORT and [::1]:0 and for listen on an unbound socket
# (an implicit bind to 0.0.0.0), and `-v` names net.bind and the address once per refused
# address; the same program without [net] binds all of them.
# Usage: net_checks.sh COCOON SCRIPT_DIR
set -u
. "$(dirname "$0")/check_lib.sh"
C=$1
S=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cp "$S/programs/bind_probe.py" app.py
mkdir io
"$C" keygen --out signer.pem >/dev/null 2>&1
py=/usr/bin/python3
stdlib=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
# A port free on this host for the 0.0.0.0 attempts (natively, and without [net], they succeed).
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])')
v6=v6
if ! "$py" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
  echo "skip: this machine has no IPv6 loopback (::1); the IPv6 checks are left out"
  v6=
fi
# make NAME TEMPLATE: a manifest for "python3 app.py PORT io [v6]" from TEMPLATE, signed.
make() {
  "$C" manifest -q --output "$1.toml" --template "$2" --trusted "$stdlib" --trusted "$work/app.py" \
    --allowed "$work/io/" -- "$py" "$work/app.py" "$port" "$work/io" $v6 >/dev/null 2>"$1.manifest.err"
  "$C" sign --key signer.pem "$1.toml" >"$1.sign" 2>&1
}
printf '[loader]\nentrypoint = "{{entrypoint}}"\n\n[net]\nbind = ["127.0.0.1:*"]\n' > net.toml.in
printf '[loader]\nentrypoint = "{{entrypoint}}"\n' > open.toml.in
make net net.toml.in
make open open.toml.in
check net_manifest_signed has net.sign '^MRENCLAVE [0-9a-f]{64}$'
check net_manifest_has_the_policy has net.toml '^bind = \["127\.0\.0\.1:\*"\]$'
check open_manifest_has_no_net_table test "$(grep -c '^\[net\]' open.toml)" = 0

# With net.bind = ["127.0.0.1:*"].
"$C" run -v net.toml >out.txt 2>err.txt; rc=$?
check net_run_status test $rc = 0
check loopback_ephemeral_allowed has out.txt '^loopback_ephemeral ok$'
check wildcard_refused_eacces has out.txt '^wildcard_port PermissionError 13$'
check wildcard_again_refused has out.txt '^wildcard_port_again PermissionError 13$'
check wildcard_logged_naming_net_bind has err.txt "bind to 0\.0\.0\.0:$port refused \(EACCES\): not allowed by the manifest's net\.bind"
check wildcard_logged_once test "$(grep -c "bind to 0\.0\.0\.0:$port refused" err.txt)" = 1
check unix_socket_not_covered has out.txt '^unix ok$'
check listen_on_allowed_bind_ok has out.txt '^listen_after_loopback_bind ok$'
check listen_unbound_refused_eacces has out.txt '^listen_unbound PermissionError 13$'
check listen_unbound_logged has err.txt "listen without bind, an implicit bind to 0\.0\.0\.0:0 refused \(EACCES\): not allowed by the manifest's net\.bind"
if [ -n "$v6" ]; then
  check v6_loopback_refused_eacces has out.txt '^v6_loopback PermissionError 13$'
  check v6_loopback_logged has err.txt "bind to \[::1\]:0 refused \(EACCES\): not allowed by the manifest's net\.bind"
  check v4_mapped_matched_as_ipv4 has out.txt '^v4_mapped_loopback ok$'
fi
# Without -v the refusals are silent (the program still gets EACCES).
"$C" run net.toml >out.txt 2>err.txt
check quiet_refusal_still_refused has out.txt '^wildcard_port PermissionError 13$'
check quiet_refusal_not_logged test "$(grep -c 'net\.bind' err.txt)" = 0

# Without [net]: every bind as today.
"$C" run -v open.toml >out.txt 2>err.txt; rc=$?
check open_run_status test $rc = 0
check open_loopback_ok has out.txt '^loopback_ephemeral ok$'
check open_wildcard_ok has out.txt '^wildcard_port ok$'
check open_listen_unbound_ok has out.txt '^listen_unbound ok$'
check open_nothing_logged test "$(grep -c 'net\.bind' err.txt)" = 0
if [ -n "$v6" ]; then
  check open_v6_loopback_ok has out.txt '^v6_loopback ok$'
fi
# Zero-config and --no-manifest runs have no policy either.
"$C" run -- "$py" "$work/app.py" "$port" "$work/io" $v6 >out.txt 2>err.txt
check zero_config_wildcard_ok has out.txt '^wildcard_port ok$'
"$C" run --no-manifest -- "$py" "$work/app.py" "$port" "$work/io" $v6 >out.txt 2>err.txt
check no_manifest_wildcard_ok has out.txt '^wildcard_port ok$'
if [ -n "$v6" ]; then
  check no_manifest_v6_ok has out.txt '^v6_loopback ok$'
fi

# A manifest whose [net] entry is wrong is refused before anything runs, naming file, line, key.
printf '[loader]\nentrypoint = "{{entrypoint}}"\n[net]\nbind = ["localhost:80"]\n' > bad.toml.in
"$C" manifest -q --output bad.toml --template bad.toml.in -- "$py" -c pass >out.txt 2>err.txt; rc=$?
check bad_entry_fails test $rc != 0
check bad_entry_names_file_line_key has err.txt "bad\.toml\.in:4: net\.bind\[0\]: expected \"ADDRESS:PORT\" or \"ADDRESS:LOW-HIGH\", got \"localhost:80\""
summary
