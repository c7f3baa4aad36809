#!/usr/bin/env python3
"""Times redi and redis-server 7.0 doing the same work, in one run, and prints the ratios.

    swift build -c release && python3 Benchmarks/compare_with_redis.py [--keys N] [--rounds R]

For each round and each store: DEBUG POPULATE N (time to the reply), resident memory after it,
SAVE (time to the reply), snapshot size, and a restart that loads the snapshot (time from launch
to the first reply). Both stores run on this machine, one after the other, on the same input;
redis-server is reached through redis-cli-free RESP over a Unix socket, redi through its pipe.
Medians over the rounds; the ratio is redi / Redis (lower is better for redi).
"""
import argparse, os, shutil, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Redi:
    name = "redi"

    def __init__(self, binary, directory):
        self.binary, self.path = binary, os.path.join(directory, "redi.rdb")

    def start(self):
        started = time.perf_counter()
        self.process = subprocess.Popen([self.binary, "--snapshot", self.path, "--save", ""],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.command("DBSIZE")
        return time.perf_counter() - started

    def command(self, line):
        started = time.perf_counter()
        self.process.stdin.write((line + "\n").encode())
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        assert reply and not reply.startswith(b"(error)"), reply
        return time.perf_counter() - started

    def stop(self):
        self.process.kill()
        self.process.wait()


class Redis:
    name = "redis"

    def __init__(self, directory):
        self.directory, self.path = directory, os.path.join(directory, "dump.rdb")
        self.socket_path = os.path.join(directory, "redis.sock")

    def start(self):
        started = time.perf_counter()
        self.process = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.socket_path, "--dir", self.directory,
             "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
             "--enable-debug-command", "yes", "--logfile", os.path.join(self.directory, "redis.log")])
        while True:
            try:
                self.connection = socket.socket(socket.AF_UNIX)
                self.connection.connect(self.socket_path)
                self.reader = self.connection.makefile("rb")
                self.command("PING")
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.001)
            except AssertionError:  # -LOADING while the snapshot loads
                time.sleep(0.001)
        return time.perf_counter() - started

    def command(self, line):
        words = line.split()
        request = f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)
        started = time.perf_counter()
        self.connection.sendall(request.encode())
        reply = self.reader.readline()
        assert reply[:1] in b"+:$", reply
        if reply[:1] == b"$" and int(reply[1:]) >= 0:
            self.reader.read(int(reply[1:]) + 2)
        return time.perf_counter() - started

    def stop(self):
        self.process.kill()
        self.process.wait()


def measure(store, keys):
    if os.path.exists(store.path):
        os.remove(store.path)
    store.start()
    populate = store.command(f"DEBUG POPULATE {keys}")
    memory = rss_kib(store.process.pid) / 1024
    save = store.command("SAVE")
    size = os.path.getsize(store.path) / 1e6
    store.stop()
    load = store.start()
    store.stop()
    return {"populate": populate, "rss": memory, "save": save, "size": size, "load": load}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redi", default=os.path.join(ROOT, ".build", "release", "redi"))
    args = parser.parse_args()
    if not shutil.which("redis-server"):
        sys.exit("redis-server is needed: apt-get install redis-server")
    version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    directory = tempfile.mkdtemp(prefix="redi-bench-")
    stores = [Redi(args.redi, directory), Redis(directory)]
    results = {store.name: [] for store in stores}
    for _ in range(args.rounds):
        for store in stores:  # alternate, so drift on a noisy machine hits both
            results[store.name].append(measure(store, args.keys))
    rows = [("populate", "DEBUG POPULATE %d (s)" % args.keys), ("save", "SAVE (s)"),
            ("load", "start + load snapshot (s)"), ("rss", "RSS after populate (MiB)"),
            ("size", "snapshot size (MB)")]
    print(f"{args.keys} keys, median of {args.rounds} rounds, redis-server {version}\n")
    print("| measure | redi | Redis | redi/Redis |")
    print("|---|---|---|---|")
    for key, label in rows:
        redi = statistics.median(r[key] for r in results["redi"])
        redis = statistics.median(r[key] for r in results["redis"])
        print(f"| {label} | {redi:.3f} | {redis:.3f} | {redi / redis:.2f}x |")
    shutil.rmtree(directory)


if __name__ == "__main__":
    main()
