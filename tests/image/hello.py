#!/usr/bin/env python3
# The "application" of the end-to-end python image: greet (and exit 3) or serve HTTP on loopback.
import http.server
import os
import sys

if len(sys.argv) > 1 and sys.argv[1] == "serve":
    port = int(sys.argv[2])

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = ("hello over http, " + os.environ.get("GREETING", "?") + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", port), Hello).serve_forever()
else:
    print("hello from python,", os.environ.get("GREETING", "?"), "cwd", os.getcwd(), "args", sys.argv[1:])
    sys.exit(3)
