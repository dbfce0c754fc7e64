# Remote attestation from inside the enclave, as a program written for Gramine does it: bind a
# verifier's nonce into the quote's REPORTDATA, read the quote, hand it over.
# Usage: attest.py DIR   (reads DIR/nonce, writes DIR/quote.bin)
import hashlib
import os
import sys

io = sys.argv[1]
nonce = open(os.path.join(io, "nonce"), "rb").read()
with open("/dev/attestation/user_report_data", "wb") as f:
    f.write(hashlib.sha512(nonce).digest())
with open("/dev/attestation/quote", "rb") as f:
    quote = f.read()
with open(os.path.join(io, "quote.bin"), "wb") as f:
    f.write(quote)
print("attestation type:", open("/dev/attestation/attestation_type").read())
print("quote:", len(quote), "bytes")
