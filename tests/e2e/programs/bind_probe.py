# Binds sockets as a server would and prints one line per attempt:
#   NAME ok                 the bind (and listen, for the listen attempts) succeeded
#   NAME PermissionError N  refused with errno N (EACCES is 13)
#   NAME OSError N TEXT     any other failure
# Usage: bind_probe.py PORT UNIX_DIR [v6]
#   PORT: the port of the 0.0.0.0 attempts (free on the host); UNIX_DIR: where the AF_UNIX
#   socket goes; v6: also the IPv6 attempts.
import os
import socket
import sys

port, unix_dir = int(sys.argv[1]), sys.argv[2]
v6 = len(sys.argv) > 3 and sys.argv[3] == "v6"


def probe(name, family, address, listen=False):
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        if address is not None:
            s.bind(address)
        if listen:
            s.listen()
        print(f"{name} ok", flush=True)
    except PermissionError as e:
        print(f"{name} PermissionError {e.errno}", flush=True)
    except OSError as e:
        print(f"{name} OSError {e.errno} {e.strerror}", flush=True)
    finally:
        s.close()


probe("loopback_ephemeral", socket.AF_INET, ("127.0.0.1", 0))
probe("wildcard_port", socket.AF_INET, ("0.0.0.0", port))
probe("wildcard_port_again", socket.AF_INET, ("0.0.0.0", port))
# listen on a bound socket, and on an unbound one (the kernel binds it to 0.0.0.0:ephemeral).
probe("listen_after_loopback_bind", socket.AF_INET, ("127.0.0.1", 0), listen=True)
probe("listen_unbound", socket.AF_INET, None, listen=True)
if v6:
    probe("v6_loopback", socket.AF_INET6, ("::1", 0))
    probe("v4_mapped_loopback", socket.AF_INET6, ("::ffff:127.0.0.1", 0))
path = os.path.join(unix_dir, "probe.sock")
probe("unix", socket.AF_UNIX, path)
os.unlink(path)
