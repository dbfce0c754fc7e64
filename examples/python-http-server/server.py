# A small JSON service on the Python standard library: GET / answers with a greeting and a
# request counter. Usage: server.py PORT
import http.server
import json
import sys

count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global count
        count += 1
        body = json.dumps({"hello": "from an enclave", "path": self.path, "requests": count}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


port = int(sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", port), Handler)
print("listening on 127.0.0.1:%d" % port, flush=True)
server.serve_forever()
