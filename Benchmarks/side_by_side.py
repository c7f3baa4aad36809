"""What the side-by-side benchmarks share: a free port, a process's resident memory, a wait
until a server answers PING, and redi and redis-server started side by side."""
import os, socket, subprocess, time

REDI = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".build", "release", "redi")


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
            time.sleep(0.002)
    raise RuntimeError(f"nothing answers on port {port}")


def start_both(directory):
    """redi (release build, no snapshot) and redis-server (no saves) on free ports, both answering.
    Returns (servers, ports), each a dict by "redi" and "redis"; kill the servers when done."""
    ports = {"redi": free_port(), "redis": free_port()}
    servers = {
        "redi": subprocess.Popen([REDI, "--no-tui", "--no-snapshot", "--port", str(ports["redi"])],
                                 stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=directory),
        "redis": subprocess.Popen(["redis-server", "--port", str(ports["redis"]), "--save", "", "--appendonly", "no",
                                   "--dir", directory, "--logfile", os.path.join(directory, "redis.log")],
                                  stdin=subprocess.DEVNULL, cwd=directory),
    }
    for name in servers:
        wait_for(ports[name])
    return servers, ports


def stop_all(servers):
    for server in servers.values():
        server.kill()
        server.wait()


def command(*words):
    """One command in RESP, as a client sends it."""
    out = b"*%d\r\n" % len(words)
    for word in words:
        word = word if isinstance(word, bytes) else str(word).encode()
        out += b"$%d\r\n%s\r\n" % (len(word), word)
    return out
