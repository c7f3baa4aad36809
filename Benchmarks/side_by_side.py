"""What the side-by-side benchmarks share: a free port, a process's resident memory, and a wait
until a server answers PING."""
import socket, time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def wait_for(port, timeout=600):
    """Seconds until the server on `port` answers PING."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with socket.create_connection(("127.0.0.1", port)) as client:
                client.sendall(b"PING\r\n")
                if client.recv(100).startswith(b"+PONG"):
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"nothing answers on port {port}")
