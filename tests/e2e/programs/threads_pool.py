# Python threads inside the enclave: a ThreadPoolExecutor summing results (each task also
# writes and reads back a file of its own), a lock-protected counter and a threading.Event
# handshake; deterministic output.
import concurrent.futures
import hashlib
import os
import threading

def work(n):
    h = hashlib.sha256()
    for i in range(2000):
        h.update(f"{n}:{i}".encode())
    path = f"cocoon-py-thread-{n}.tmp"
    with open(path, "w") as f:
        f.write(h.hexdigest() * 50)
    with open(path) as f:
        back = f.read()
    os.unlink(path)
    if back != h.hexdigest() * 50:
        return -1_000_000
    return n * n + int(h.hexdigest()[:8], 16) % 1000

with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
    results = list(pool.map(work, range(40)))
print("pool sum", sum(results))

counter = 0
lock = threading.Lock()
ready = threading.Event()

def bump():
    global counter
    ready.wait()
    for _ in range(2000):
        with lock:
            counter += 1

threads = [threading.Thread(target=bump) for _ in range(5)]
for t in threads:
    t.start()
ready.set()
for t in threads:
    t.join()
print("counter", counter, "threads alive", threading.active_count())
