#!/bin/sh
# End-to-end test of `cocoon manifest`: a manifest for python3 plus a trusted directory is
# generated twice and must be byte-identical; it must name the program, its libraries and the
# symlinks; bad input must give one `cocoon manifest: …` line on stderr and exit status 1.
# Usage: cli_test.sh COCOON_BINARY FIXTURE_LIB_DIR
set -eu
cocoon=$1
libdir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cd "$work"
"$cocoon" manifest -q --output a.toml --trusted "$libdir" --allowed /tmp/ -- /usr/bin/python3 -c 'print(42)'
"$cocoon" manifest -q --output b.toml --trusted "$libdir" --allowed /tmp/ --threads 1 -- /usr/bin/python3 -c 'print(42)'
cmp a.toml b.toml || fail "two runs gave different bytes"
grep -qx 'entrypoint = "/usr/bin/python3"' a.toml || fail "entrypoint"
grep -qx 'argv = \["/usr/bin/python3", "-c", "print(42)"\]' a.toml || fail "argv"
grep -qx "working_dir = \"$work\"" a.toml || fail "working_dir is not the current directory"
grep -q '{ path = "/usr/lib/x86_64-linux-gnu/libc.so.6", sha256 = "' a.toml || fail "libc not trusted"
grep -q "libcocoon_depa.so\", sha256 = \"$(sha256sum "$libdir/libcocoon_depa.so" | cut -c1-64)\"" a.toml ||
  fail "trusted directory file missing or wrong hash"
grep -qx '"/usr/bin/python3" = "python3.11"' a.toml || fail "symlink /usr/bin/python3 not recorded"
grep -qx '  "/tmp/",' a.toml || fail "allowed path"
[ ! -e a.toml.tmp ] || fail "temporary file left behind"

# Errors: one line, named, exit status 1.
set +e
"$cocoon" manifest --output c.toml -- /nonexistent/prog 2> err.txt
rc=$?
set -e
[ "$rc" = 1 ] || fail "exit status $rc for a missing program"
[ "$(cat err.txt)" = "cocoon manifest: /nonexistent/prog: no such file" ] || fail "error text: $(cat err.txt)"
[ ! -e c.toml ] || fail "output written despite the error"
printf '[loader]\nentrypoint = "{{entrypoint}}"\n[enclave]\nsize = "3G"\n' > t.toml
set +e
"$cocoon" manifest --output c.toml --template t.toml -- /bin/true 2> err.txt
rc=$?
set -e
[ "$rc" = 1 ] || fail "exit status $rc for a bad template"
[ "$(cat err.txt)" = 'cocoon manifest: t.toml:4: enclave.size: 3221225472 bytes is not a power of two (e.g. "256M", "4G")' ] ||
  fail "template error text: $(cat err.txt)"
echo "cocoon manifest CLI: ok"
