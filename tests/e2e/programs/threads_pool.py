# Python threads inside the enclave: a ThreadPoolExecutor summing results, a lock-protected
# counter and a threading.Event handshake; deterministic output.
import concurrent.futures
import hashlib
import threading

def work(n):
    h = hashlib.sha256()
    for i in range(2000):
        h.update(f"{n}:{i}".encode())
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
