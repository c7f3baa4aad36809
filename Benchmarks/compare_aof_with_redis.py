#!/usr/bin/env python3
"""The append-only file, redi against redis-server 7.0, in one run, with the ratios.

    swift build -c release && python3 Benchmarks/compare_aof_with_redis.py [--rounds R] [--keys K]
        [--requests N] [--parts throughput,rewrite,load]

1. Throughput with the file on: for appendfsync everysec, then always, redi (--appendonly
   --appendfsync P) and redis-server (--appendonly yes --appendfsync P) side by side, each in a
   folder of its own; each round runs redis-benchmark -t set,incr -c 50 against one, then the
   other (the order alternating), pipelined (-P 16, N requests) and one at a time (N/5). Medians
   over the rounds; the ratio is redi / Redis.
2. BGREWRITEAOF of K keys (DEBUG POPULATE K): seconds until INFO says the rewrite is done, and the
   peak of the memory it costs: proportional set size (Pss, which counts pages a fork shares once)
   of the server and, for Redis, its rewriting child, sampled every 10 ms, minus the server's
   before the rewrite.
3. Loading at start: redis-server writes an AOF of K SETs (redis-benchmark -t set -r K -n K, no
   rewrite); the same folder is copied to each server, which starts on it; seconds until it answers
   PING, median over the rounds.
"""
import argparse, os, shutil, statistics, subprocess, tempfile, time

from side_by_side import REDI, free_port, wait_for
from compare_server_with_redis import benchmark


def start(name, directory, port, fsync):
    os.makedirs(directory, exist_ok=True)
    if name == "redi":
        arguments = [REDI, "--no-tui", "--no-snapshot", "--port", str(port), "--appendonly", "--appendfsync", fsync]
        process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=directory)
    else:
        arguments = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "yes", "--appendfsync", fsync,
                     "--enable-debug-command", "yes",
                     "--dir", directory, "--logfile", os.path.join(directory, "redis.log")]
        process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, cwd=directory)
    wait_for(port)
    cli(port, "CONFIG", "SET", "auto-aof-rewrite-percentage", "0")
    return process


def cli(port, *words):
    return subprocess.run(["redis-cli", "-p", str(port), *words], capture_output=True, text=True, check=True).stdout.strip()


def info(port, field):
    for line in cli(port, "INFO", "persistence").splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1]


def pss_kib(pid):
    total = 0
    for candidate in [pid] + children(pid):
        try:
            with open(f"/proc/{candidate}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass  # the child ended between the listing and the read
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(word) for word in listing.read().split()]
    except FileNotFoundError:
        return []


def stop(process):
    process.kill()
    process.wait()


def throughput(root, rounds, requests):
    print(f"redis-benchmark -t set,incr -c 50, median of {rounds} rounds; ratio is redi / Redis")
    for fsync in ("everysec", "always"):
        ports = {"redi": free_port(), "redis": free_port()}
        servers = {name: start(name, os.path.join(root, f"{name}-{fsync}"), ports[name], fsync) for name in ports}
        try:
            results = {(name, mode): [] for name in servers for mode in ("pipelined", "unpipelined")}
            for round_ in range(rounds):
                for name in (["redi", "redis"] if round_ % 2 == 0 else ["redis", "redi"]):
                    results[(name, "pipelined")].append(benchmark(ports[name], 16, requests, "set,incr"))
                    results[(name, "unpipelined")].append(benchmark(ports[name], 1, requests // 5, "set,incr"))
            for mode in ("pipelined", "unpipelined"):
                for test in results[("redi", mode)][0]:
                    rps = {name: statistics.median(run[test][0] for run in results[(name, mode)]) for name in servers}
                    label = f"{test.split()[0]} {'-P 16' if mode == 'pipelined' else 'no -P'} {fsync}"
                    print(f"{label:<22} {rps['redi']:>12,.0f} {rps['redis']:>12,.0f} {rps['redi'] / rps['redis']:>5.2f}x")
        finally:
            for server in servers.values():
                stop(server)


def rewrite(root, keys):
    print(f"BGREWRITEAOF of {keys:,} keys")
    for name in ("redi", "redis"):
        port = free_port()
        server = start(name, os.path.join(root, f"{name}-rewrite"), port, "everysec")
        try:
            cli(port, "DEBUG", "POPULATE", str(keys))
            before = pss_kib(server.pid)
            peak = before
            started = time.monotonic()
            cli(port, "BGREWRITEAOF")
            while True:
                peak = max(peak, pss_kib(server.pid))
                if info(port, "aof_rewrite_in_progress") == "0" and info(port, "aof_rewrites") != "0":
                    break
                time.sleep(0.01)
            seconds = time.monotonic() - started
            print(f"{name:<6} {seconds:6.2f} s, {before / 1024:7.1f} MB before, peak +{(peak - before) / 1024:6.1f} MB, "
                  f"status {info(port, 'aof_last_bgrewrite_status')}")
        finally:
            stop(server)


def load(root, keys, rounds):
    source = os.path.join(root, "source")
    port = free_port()
    server = start("redis", source, port, "no")
    try:
        subprocess.run(["redis-benchmark", "-p", str(port), "-t", "set", "-r", str(keys), "-n", str(keys), "-P", "16", "-q"],
                       capture_output=True, check=True)
        cli(port, "SHUTDOWN", "NOSAVE")
    finally:
        server.wait()
    size = sum(os.path.getsize(os.path.join(source, "appendonlydir", name)) for name in os.listdir(os.path.join(source, "appendonlydir")))
    print(f"Loading an AOF of {keys:,} SETs ({size / 1e6:.1f} MB, written by Redis) at start, median of {rounds}")
    times = {"redi": [], "redis": []}
    for round_ in range(rounds):
        for name in (["redi", "redis"] if round_ % 2 == 0 else ["redis", "redi"]):
            directory = os.path.join(root, f"{name}-load")
            shutil.rmtree(directory, ignore_errors=True)
            shutil.copytree(source, directory)
            port = free_port()
            started = time.monotonic()
            server = start(name, directory, port, "everysec")
            times[name].append(time.monotonic() - started)
            keys_loaded = cli(port, "DBSIZE")
            stop(server)
    redi, redis = statistics.median(times["redi"]), statistics.median(times["redis"])
    print(f"redi {redi:.2f} s, Redis {redis:.2f} s ({keys_loaded} keys): redi takes {redi / redis:.2f}x Redis's time")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--parts", default="throughput,rewrite,load", help="which of the three to run")
    options = parser.parse_args()
    parts = options.parts.split(",")
    root = tempfile.mkdtemp(prefix="redi-aof-bench-")
    try:
        if "throughput" in parts:
            throughput(root, options.rounds, options.requests)
        if "rewrite" in parts:
            rewrite(root, options.keys)
        if "load" in parts:
            load(root, options.keys, options.rounds)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
