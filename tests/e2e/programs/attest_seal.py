# Runs inside a Cocoon enclave (tests/e2e/attestation_checks.sh). Uses only /dev/attestation, as
# a program written for Gramine would. Driven by files in the directory given as argv[1]:
#   report_data   (hex)  -> writes quote.bin: a quote whose REPORTDATA is those bytes, and
#                           report.bin: a REPORT for this enclave's own TARGETINFO, plus
#                           my_target_info.bin
#   plain                -> writes sealed.mrenclave and sealed.mrsigner: plain sealed with the
#                           MRENCLAVE- and the MRSIGNER-policy sealing key
#   sealed.*             -> prints "unseal <policy>: OK <text>" or "unseal <policy>: FAILED"
# Sealing here is a small authenticated cipher built from HMAC-SHA256 (the standard library has
# no AES): keystream = HMAC(key, nonce || counter), tag = HMAC(key, nonce || ciphertext).
import hashlib
import hmac
import os
import sys

io = sys.argv[1]
print("attestation_type:", open("/dev/attestation/attestation_type").read())


def key(policy):
    with open("/dev/attestation/keys/_sgx_" + policy, "rb") as f:
        k = f.read()
    assert len(k) == 16, len(k)
    return k


def stream(k, nonce, n):
    out = b""
    counter = 0
    while len(out) < n:
        out += hmac.new(k, nonce + counter.to_bytes(8, "little"), hashlib.sha256).digest()
        counter += 1
    return out[:n]


def seal(k, plain):
    nonce = os.urandom(16)
    ct = bytes(a ^ b for a, b in zip(plain, stream(k, nonce, len(plain))))
    return nonce + ct + hmac.new(k, nonce + ct, hashlib.sha256).digest()


def unseal(k, blob):
    nonce, ct, tag = blob[:16], blob[16:-32], blob[-32:]
    if not hmac.compare_digest(tag, hmac.new(k, nonce + ct, hashlib.sha256).digest()):
        return None
    return bytes(a ^ b for a, b in zip(ct, stream(k, nonce, len(ct))))


path = os.path.join(io, "report_data")
if os.path.exists(path):
    data = bytes.fromhex(open(path).read().strip())
    with open("/dev/attestation/user_report_data", "wb") as f:
        f.write(data.ljust(64, b"\0"))
    with open("/dev/attestation/quote", "rb") as f:
        quote = f.read()
    with open(os.path.join(io, "quote.bin"), "wb") as f:
        f.write(quote)
    print("quote:", len(quote), "bytes")
    with open("/dev/attestation/my_target_info", "rb") as f:
        ti = f.read()
    with open("/dev/attestation/target_info", "wb") as f:
        f.write(ti)
    with open("/dev/attestation/report", "rb") as f:
        report = f.read()
    open(os.path.join(io, "my_target_info.bin"), "wb").write(ti)
    open(os.path.join(io, "report.bin"), "wb").write(report)
    print("report:", len(report), "bytes")

path = os.path.join(io, "plain")
if os.path.exists(path):
    plain = open(path, "rb").read()
    for policy in ("mrenclave", "mrsigner"):
        with open(os.path.join(io, "sealed." + policy), "wb") as f:
            f.write(seal(key(policy), plain))
    print("sealed")

for policy in ("mrenclave", "mrsigner"):
    path = os.path.join(io, "sealed." + policy)
    if os.path.exists(path):
        text = unseal(key(policy), open(path, "rb").read())
        print("unseal %s: %s" % (policy, "FAILED" if text is None else "OK " + text.decode()))
