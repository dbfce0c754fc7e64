#!/usr/bin/env bash
# Checks of issue 3's guarantees end to end: a signed enclave runs only what it signed, and
# the program only gets trusted files whose bytes match the manifest (read, pread, mmap,
# even when the host changes the file after it was opened); unlisted files do not exist.
# Usage: signed_checks.sh COCOON PROGRAMS_DIR
set -u
. "$(dirname "$0")/check_lib.sh"
C=$1
P=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cp "$P/e2e_trusted_reader" reader
head -c 200000 /dev/urandom | base64 -w 64 > data.txt       # > 64 KiB: several chunks
printf 'TRUSTED-CONTENT\n' | cat - data.txt > trusted.txt
echo "visible but unlisted" > unlisted.txt
"$C" keygen --out signer.pem >/dev/null 2>&1
"$C" keygen --out other.pem >/dev/null 2>&1
"$C" manifest --output app.toml --trusted "$work/trusted.txt" -- "$work/reader" "$work/trusted.txt" >/dev/null 2>&1
check manifest_generated test -s app.toml
"$C" sign --key signer.pem app.toml >sign.txt 2>&1
check signed has sign.txt '^MRENCLAVE [0-9a-f]{64}$'

# Runs, and reads the trusted file every way.
"$C" run app.toml >out.txt 2>err.txt; rc=$?
check signed_run_status test $rc = 0
check signed_run_read has out.txt '^read ok TRUSTED-CONTENT'
check signed_run_pread has out.txt '^pread ok TRUSTED-CONTENT'
check signed_run_mmap has out.txt '^mmap ok TRUSTED-CONTENT'

# The program itself is read and verified once (not once for its first bytes, once to load).
"$C" run -v app.toml >out.txt 2>err.txt
check program_verified_once test "$(grep -cF "trusted file $work/reader: " err.txt)" = 1
check program_verified_logged has err.txt "^cocoon: trusted file $work/reader: $(stat -c %s reader) bytes verified$"

# The second start of a manifest takes its compiled form from the per-user cache, keyed by
# the manifest's exact text: a manifest changed and signed again is compiled afresh (here its
# argv, which now names a file the manifest does not list).
check manifest_cache_used has err.txt 'compiled manifest from the cache$'
sed "s|^argv = .*|argv = [\"$work/reader\", \"$work/unlisted.txt\"]|" app.toml > changed.toml
"$C" sign --key signer.pem changed.toml >/dev/null 2>&1
"$C" run -v changed.toml >out.txt 2>err.txt
check manifest_cache_changed_compiled test -s changed.sig -a -z "$(grep 'from the cache' err.txt)"
check manifest_cache_changed_argv_used has out.txt '^open error No such file or directory'

# A trusted #! script as the entrypoint: the shim reads its #! line and starts its trusted
# interpreter, verified once (the script is verified again when the interpreter opens it).
printf '#!/bin/sh\necho script ran\n' > script.sh; chmod +x script.sh
"$C" manifest --output script.toml --trusted "$work/script.sh" -- "$work/script.sh" >/dev/null 2>&1
sed -i "s|^entrypoint = .*|entrypoint = \"$work/script.sh\"|; s|^argv = .*|argv = [\"$work/script.sh\"]|" script.toml
"$C" sign --key signer.pem script.toml >/dev/null 2>&1
"$C" run -v script.toml >out.txt 2>err.txt; rc=$?
check trusted_script_runs test $rc = 0
check trusted_script_output has out.txt '^script ran$'
check trusted_script_verified_by_shim_and_interpreter test "$(grep -cF "trusted file $work/script.sh: " err.txt)" = 2
check trusted_script_interpreter_verified_once test "$(grep -cE "trusted file [^ ]*/(dash|bash|sh): " err.txt)" = 1
# Its #! line changed after signing: refused before any interpreter starts.
cp script.sh script.orig
printf '#!/bin/bash\necho script ran\n' > script.sh
"$C" run -v script.toml >out.txt 2>err.txt; rc=$?
check tampered_script_refused test $rc != 0 -a ! -s out.txt
check tampered_script_logged has err.txt "trusted file $work/script.sh: hash mismatch"
check tampered_script_no_interpreter test "$(grep -c 'starting .* in the enclave' err.txt)" = 0
cp script.orig script.sh

# Trusted files are read through the window in halves of its data area (128 KiB) while the
# last one is hashed: sizes at and around those boundaries read back exactly.
for n in 0 1 131071 131072 131073 262144 393217; do
  head -c $n /dev/urandom > "size$n.bin"
  "$C" manifest --output size.toml --trusted "$work/size$n.bin" -- /usr/bin/sha256sum "$work/size$n.bin" >/dev/null 2>&1
  "$C" sign --key signer.pem size.toml >/dev/null 2>&1
  "$C" run size.toml >out.txt 2>err.txt
  check "trusted_size_${n}_reads_back" test "$(cut -d' ' -f1 out.txt)" = "$(sha256sum "size$n.bin" | cut -d' ' -f1)"
done

# A trusted file mapped again over its own copy (as ld.so maps libraries) keeps the pages;
# over other bytes, written or discarded pages, or anonymous memory it gets the file's again.
cp "$P/e2e_trusted_remap" remap
head -c 65536 /dev/urandom > pages.bin
"$C" manifest --output remap.toml --trusted "$work/pages.bin" -- "$work/remap" "$work/pages.bin" >/dev/null 2>&1
"$C" sign --key signer.pem remap.toml >/dev/null 2>&1
"$C" run remap.toml >out.txt 2>err.txt; rc=$?
check remap_runs test $rc = 0
for what in span same_offsets_again other_offset after_a_write after_dontneed over_anonymous other_fd; do
  check "remap_$what" has out.txt "^$what ok$"
done

# A private mapping of a trusted file kept whole takes its pages instead of a copy: reads of
# the file then come from the mapping while it is unchanged, and from the file read and
# verified again once the program wrote to it or unmapped it (the same bytes as natively);
# if the host changed the file meanwhile, those reads are refused.
cp "$P/e2e_trusted_lend" lend
head -c 300000 /dev/urandom > lent.bin
cp lent.bin lent.orig
./lend "$work/lent.bin" > lend_native.txt
"$C" manifest --output lend.toml --trusted "$work/lent.bin" -- "$work/lend" "$work/lent.bin" >/dev/null 2>&1
"$C" sign --key signer.pem lend.toml >/dev/null 2>&1
"$C" run --stats lend.toml >out.txt 2>err.txt; rc=$?
check lend_runs test $rc = 0 -a "$(wc -l < lend_native.txt)" = 4
check lend_reads_as_natively cmp -s out.txt lend_native.txt
# --stats counts the bytes moved: libc's and, here, lent.bin's 0.29 MiB more than with a
# file under 64 KiB (copied).
lent_mib() { grep -o '[0-9.]* MiB of verified files moved' "$1" | cut -d' ' -f1; }
with_file=$(lent_mib err.txt)
head -c 16384 /dev/urandom > small.bin
"$C" manifest --output small.toml --trusted "$work/small.bin" -- "$work/lend" "$work/small.bin" >/dev/null 2>&1
"$C" sign --key signer.pem small.toml >/dev/null 2>&1
"$C" run --stats small.toml >/dev/null 2>err.txt
check lend_pages_moved awk -v a="$with_file" -v b="$(lent_mib err.txt)" 'BEGIN { exit !(a - b >= 0.25 && a - b <= 0.35) }'
rm -f go
"$C" manifest --output lendw.toml --trusted "$work/lent.bin" --allowed "$work/go" -- "$work/lend" "$work/lent.bin" "$work/go" \
  >/dev/null 2>&1
"$C" sign --key signer.pem lendw.toml >/dev/null 2>&1
"$C" run lendw.toml >out.txt 2>err.txt &
runner=$!
for i in $(seq 200); do grep -q '^mapped' out.txt 2>/dev/null && break; sleep 0.05; done
flip_at=200000
was=$(dd if=lent.bin bs=1 skip=$flip_at count=1 status=none | od -An -tu1 | tr -d ' ')
printf "\\$(printf '%03o' $(( (was + 1) % 256 )))" | dd of=lent.bin bs=1 seek=$flip_at conv=notrunc status=none
touch go
wait $runner
whole=$(grep '^read_while_mapped' lend_native.txt | cut -d' ' -f2-)
check lend_changed_mapped_reads_verified_bytes has out.txt "^read_after_host_change $whole\$"
check lend_changed_later_reads_refused test "$(grep -c '^read_after_\(write\|unmap\) error Permission denied$' out.txt)" = 2
check lend_changed_logged has err.txt "trusted file $work/lent.bin: it changed on the host after it was opened"
cp lent.orig lent.bin
rm -f go

# execve in the enclave (a shell's exec): the new program is checked before the old one is
# dropped, and that check's verified file is the one loaded (verified once).
"$C" manifest --output exec.toml --trusted "$work/reader" --allowed / -- /bin/sh -c "exec $work/reader $work/trusted.txt" \
  >/dev/null 2>&1
"$C" sign --key signer.pem exec.toml >/dev/null 2>&1
"$C" run -v exec.toml >out.txt 2>err.txt; rc=$?
check exec_runs test $rc = 0
check exec_reads has out.txt '^read ok TRUSTED-CONTENT'
check exec_program_verified_once test "$(grep -cF "trusted file $work/reader: " err.txt)" = 1

# The program's own bytes changed after signing: nothing of it runs.
cp reader reader.orig
mid=$(( $(stat -c %s reader) / 2 ))   # in its code, past the headers the supervisor checks
was=$(dd if=reader bs=1 skip=$mid count=1 status=none | od -An -tu1 | tr -d ' ')
printf "\\$(printf '%03o' $(( (was + 1) % 256 )))" | dd of=reader bs=1 seek=$mid conv=notrunc status=none
check tampered_program_differs test "$(cmp reader reader.orig | wc -l)" = 1
"$C" run app.toml >out.txt 2>err.txt; rc=$?
check tampered_program_refused test $rc != 0 -a ! -s out.txt
check tampered_program_logged has err.txt "trusted file $work/reader: hash mismatch \(manifest says [0-9a-f]{64}, file is [0-9a-f]{64}\)"
cp reader.orig reader

# Bytes the loader never copies count as much: the padding between two segments (hashed
# in order between the reads of those segments) and the end of the file past the last one.
flip_byte() {  # flip_byte FILE OFFSET
  local was
  was=$(dd if="$1" bs=1 skip="$2" count=1 status=none | od -An -tu1 | tr -d ' ')
  printf "\\$(printf '%03o' $(( (was + 1) % 256 )))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
gap= end=
while read -r _ off _ _ filesz _; do  # LOAD lines: offset vaddr paddr filesz memsz …
  if [ -n "$end" ] && [ $((off)) -gt "$end" ]; then gap=$end; break; fi
  end=$((off + filesz))
done < <(readelf -lW reader | grep '^ *LOAD')
for where in padding:$gap tail:$(( $(stat -c %s reader) - 9 )); do
  flip_byte reader "${where#*:}"
  "$C" run app.toml >out.txt 2>err.txt; rc=$?
  check "tampered_${where%%:*}_refused" test -n "$gap" -a $rc != 0 -a ! -s out.txt
  check "tampered_${where%%:*}_logged" has err.txt "trusted file $work/reader: hash mismatch"
  cp reader.orig reader
done

# One byte of the trusted file changed: refused with EACCES, a log line naming both hashes.
cp trusted.txt trusted.orig
printf 'X' | dd of=trusted.txt bs=1 seek=3 conv=notrunc status=none
"$C" run app.toml >out.txt 2>err.txt
check tampered_file_refused has out.txt '^open error Permission denied'
check tampered_file_logged has err.txt "trusted file $work/trusted.txt: hash mismatch \(manifest says [0-9a-f]{64}, file is [0-9a-f]{64}\)"
cp trusted.orig trusted.txt

# Changed on the host after the enclave opened it. Files up to an eighth of the enclave's heap
# (at least 64 MiB) stay whole in enclave memory while open (verified once): later reads still
# give the verified bytes, never the host's new ones. Larger files are fetched again chunk by
# chunk: the changed chunk is refused.
( "$C" run --no-manifest -- /bin/true >/dev/null 2>&1 )  # warm the page cache of cocoon itself
swap_after_open() {  # swap_after_open FILE [ENCLAVE_SIZE]: runs the reader on FILE, changes byte 131080 meanwhile
  rm -f go
  "$C" manifest --output wait.toml --trusted "$1" --allowed "$work/go" -- "$work/reader" "$1" wait "$work/go" 131072 >/dev/null 2>&1
  [ -n "${2:-}" ] && sed -i "s/^size = .*/size = \"$2\"/" wait.toml
  "$C" sign --key signer.pem wait.toml >/dev/null 2>&1
  "$C" run wait.toml >out.txt 2>err.txt &
  local runner=$!
  for i in $(seq 200); do grep -q '^mmap' out.txt 2>/dev/null && break; sleep 0.05; done
  # In the chunk read next: a byte that differs from the one there (the content is random).
  local was new=Y
  was=$(dd if="$1" bs=1 skip=131080 count=1 status=none)
  [ "$was" = Y ] && new=Z
  printf '%s' "$new" | dd of="$1" bs=1 seek=131080 conv=notrunc status=none
  touch go
  wait $runner
}
original=$(dd if=trusted.txt bs=1 skip=131072 count=16 status=none)
swap_after_open "$work/trusted.txt"
check resident_swapped_first_reads_ok test "$(grep -c ' ok TRUSTED-CONTENT' out.txt)" = 3
check resident_swapped_later_reads_verified_bytes test "$(grep -cF " ok $original" out.txt)" = 3
check resident_swapped_bytes_never_seen test "$(grep -c ' ok ' out.txt)" = 6
cp trusted.orig trusted.txt

printf 'TRUSTED-CONTENT\n' > big.txt
head -c 51000000 /dev/urandom | base64 -w 64 >> big.txt   # about 66 MiB: past the resident limit
cp big.txt big.orig
swap_after_open "$work/big.txt" 256M   # an eighth of its heap is under 64 MiB: the limit is 64 MiB
check swapped_after_open_first_reads_ok test "$(grep -c ' ok TRUSTED-CONTENT' out.txt)" = 3
check swapped_bytes_never_seen test "$(grep -c ' ok ' out.txt)" = 3
check swapped_after_open_read_refused has out.txt '^read error Permission denied$'
check swapped_after_open_pread_refused has out.txt '^pread error Permission denied$'
check swapped_after_open_mmap_refused has out.txt '^mmap error Permission denied$'
check swapped_after_open_logged has err.txt "changed on the host after it was opened"
# The same 66 MiB file in a 4 GiB enclave (an eighth of its heap is 512 MiB) stays whole:
# later reads give the verified bytes, never the host's new ones.
cp big.orig big.txt
swap_after_open "$work/big.txt"
check big_resident_later_reads_verified_bytes test "$(grep -cF " ok $(dd if=big.orig bs=1 skip=131072 count=16 status=none)" out.txt)" = 3
check big_resident_bytes_never_seen test "$(grep -c ' ok ' out.txt)" = 6
# A file that would be kept whole but does not fit in the enclave's memory is read by chunks
# instead (60 MiB in a 64 MiB enclave), not refused.
head -c 62914560 /dev/zero | tr '\0' 'A' > f60.bin
"$C" manifest --output fit.toml --trusted "$work/f60.bin" -- "$work/reader" "$work/f60.bin" >/dev/null 2>&1
sed -i 's/^size = .*/size = "64M"/' fit.toml
"$C" sign --key signer.pem fit.toml >/dev/null 2>&1
"$C" run fit.toml >out.txt 2>err.txt; rc=$?
check no_room_to_keep_whole_reads_by_chunks test $rc = 0 -a "$(grep -c '^[a-z]* ok AAAAAAAAAAAAAAAA$' out.txt)" = 3
rm -f f60.bin
rm -f big.txt big.orig

# Directories on the way to trusted files are visible, others hidden (also one whose name
# extends a visible one's: tree/a-b next to tree/a).
mkdir -p tree/a/b tree/a/c tree/a-b
echo f > tree/a/b/f.txt; echo g > tree/a/c/g.txt; echo h > tree/a-b/h.txt
"$C" manifest --output tree.toml --trusted "$work/tree/a/b" -- /bin/ls -d "$work/tree" "$work/tree/a" "$work/tree/a/b" \
  "$work/tree/a/b/f.txt" "$work/tree/a/c" "$work/tree/a-b" "$work/tree/a/c/g.txt" >/dev/null 2>&1
"$C" sign --key signer.pem tree.toml >/dev/null 2>&1
"$C" run tree.toml >out.txt 2>err.txt
check visible_ancestors test "$(grep -c "^$work/tree" out.txt)" = 4
check trusted_file_visible has out.txt "^$work/tree/a/b/f.txt$"
check untrusted_dir_hidden has err.txt "cannot access '$work/tree/a/c': No such file or directory"
check similar_name_hidden has err.txt "cannot access '$work/tree/a-b': No such file or directory"
check untrusted_file_hidden has err.txt "cannot access '$work/tree/a/c/g.txt': No such file or directory"

# A file the manifest does not list does not exist for the program.
"$C" manifest --output hidden.toml -- "$work/reader" "$work/unlisted.txt" >/dev/null 2>&1
"$C" sign --key signer.pem hidden.toml >/dev/null 2>&1
"$C" run hidden.toml >out.txt 2>err.txt
check unlisted_file_invisible has out.txt '^open error No such file or directory'

# The signature must match the enclave: manifest byte, SIGSTRUCT byte, other signer.
cp app.toml app.orig; cp app.sig sig.orig
sed -i 's/^max_threads = .*/max_threads = 7/' app.toml
"$C" run app.toml >out.txt 2>err.txt; rc=$?
check edited_manifest_refused test $rc != 0 -a ! -s out.txt
check edited_manifest_message has err.txt 'app.sig does not sign this enclave, nothing was run: ENCLAVEHASH [0-9a-f]{64} does not match'
cp app.orig app.toml
printf '\x05' | dd of=app.sig bs=1 seek=1026 conv=notrunc status=none   # ISVSVN
"$C" run app.toml >out.txt 2>err.txt; rc=$?
check tampered_sigstruct_refused test $rc != 0 -a ! -s out.txt
check tampered_sigstruct_message has err.txt 'RSA signature does not verify'
cp sig.orig app.sig
"$C" sign --key other.pem --output other.sig app.toml >/dev/null 2>&1
"$C" run --sig other.sig app.toml >out.txt 2>err.txt; rc=$?
check other_signer_runs_its_own_signature test $rc = 0   # a valid signature by another key is a different MRSIGNER, not an error
"$C" sigstruct --json other.sig > other.json 2>/dev/null; "$C" sigstruct --json app.sig > app.json 2>/dev/null
check other_signer_has_other_mrsigner test "$(grep -o '"mrsigner": *"[0-9a-f]*"' other.json)" != "$(grep -o '"mrsigner": *"[0-9a-f]*"' app.json)"
rm -f app.sig
"$C" run app.toml >out.txt 2>err.txt; rc=$?
check missing_signature_refused test $rc != 0 -a ! -s out.txt
check missing_signature_message has err.txt 'signature .*app.sig: cannot read it'

summary
