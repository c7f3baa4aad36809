#!/usr/bin/env python3
"""Memory and load time of the same data in redi and redis-server 7.0, in one run, with the ratios.

    swift build -c release && python3 Benchmarks/compare_memory_with_redis.py

For each data set, each server starts empty (redi --no-tui --port, redis-server with no save
rules), the data is written through redis-cli --pipe, and the resident memory added (VmRSS after
minus before) is read from /proc. Then SAVE, fresh starts on that snapshot, and the time from
the process's start until it answers PING, the median of seven such starts (`--load-runs`), is the
load time; the two servers' starts alternate, so that a noisy moment falls on both. The resident
memory after the first start, minus the empty server's, is the memory after load. The ratio is
redi / Redis (lower is better for redi). Data sets: 100,000 hashes of 10 small fields; one hash of 1,000,000 fields; one
set of 1,000,000 integers; one set of 1,000,000 strings; one sorted set of 1,000,000 members;
100,000 lists of 10 elements; one list of 10,000,000 elements (RPUSH, 1,000 at a time).
`--only WORD` measures the data sets whose label contains WORD (`--only list`: the two lists).
"""
import argparse, os, shutil, statistics, subprocess, tempfile, time

from side_by_side import command, free_port, rss_kib, wait_for

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDI = os.path.join(ROOT, ".build", "release", "redi")


def data_sets():
    def hashes():
        for key in range(100_000):
            args = ["HSET", f"user:{key}"]
            for field in range(10):
                args += [f"f{field}", f"v{key % 1000}"]
            yield command(*args)

    def big_hash():
        for start in range(0, 1_000_000, 1000):
            args = ["HSET", "bighash"]
            for field in range(start, start + 1000):
                args += [f"field:{field}", f"value:{field}"]
            yield command(*args)

    def int_set():
        for start in range(0, 1_000_000, 1000):
            yield command("SADD", "intset", *range(start, start + 1000))

    def string_set():
        for start in range(0, 1_000_000, 1000):
            yield command("SADD", "strset", *[f"member:{n}" for n in range(start, start + 1000)])

    def sorted_set():
        # Scores in no order (a multiplicative hash), so that members arrive scattered.
        for start in range(0, 1_000_000, 1000):
            args = ["ZADD", "bigzset"]
            for n in range(start, start + 1000):
                args += [f"{(n * 2654435761) % 1_000_003 / 7:.3f}", f"member:{n}"]
            yield command(*args)

    def lists():
        for key in range(100_000):
            yield command("RPUSH", f"list:{key}", *[f"element:{n}" for n in range(key * 10, key * 10 + 10)])

    def big_list():
        for start in range(0, 10_000_000, 1000):
            yield command("RPUSH", "biglist", *[f"element:{n}" for n in range(start, start + 1000)])

    return [("100,000 hashes of 10 fields", hashes), ("one hash of 1,000,000 fields", big_hash),
            ("one set of 1,000,000 integers", int_set), ("one set of 1,000,000 strings", string_set),
            ("one sorted set of 1,000,000", sorted_set), ("100,000 lists of 10 elements", lists),
            ("one list of 10,000,000 elements", big_list)]


def start(name, port, directory):
    if name == "redi":
        arguments = [REDI, "--no-tui", "--port", str(port), "--snapshot", "dump.rdb", "--save", ""]
    else:
        arguments = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", directory,
                     "--dbfilename", "dump.rdb", "--logfile", os.path.join(directory, "redis.log")]
    return subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=directory)


def write_snapshot(name, generate):
    """Writes the data set into a fresh server and saves it: its directory, port, the empty
    server's memory and the memory the data added (KiB)."""
    directory = tempfile.mkdtemp(prefix=f"redi-memory-{name}-")
    port = free_port()
    server = start(name, port, directory)
    try:
        wait_for(port)
        before = rss_kib(server.pid)
        payload = b"".join(generate())
        subprocess.run(["redis-cli", "-p", str(port), "--pipe"], input=payload, capture_output=True, check=True)
        time.sleep(0.5)
        added = rss_kib(server.pid) - before
        subprocess.run(["redis-cli", "-p", str(port), "SAVE"], capture_output=True, check=True)
    finally:
        server.kill()
        server.wait()
    return directory, port, before, added


def load_once(name, directory, port, before, read_memory):
    """Starts a server on the saved snapshot: seconds until it answers PING, and, if asked, the
    memory it holds then over the empty server's (KiB)."""
    server = start(name, port, directory)
    try:
        seconds = wait_for(port)
        loaded = None
        if read_memory:
            time.sleep(0.5)
            loaded = rss_kib(server.pid) - before
        return seconds, loaded
    finally:
        server.kill()
        server.wait()


def measure(generate, load_runs):
    """Both servers on one data set: for each, (MB written, MB loaded, median load seconds). The
    starts alternate between the two, the first of each pair taking turns, so that a noisy
    moment of the machine falls on both alike."""
    written = {name: write_snapshot(name, generate) for name in ("redi", "redis")}
    loads = {"redi": [], "redis": []}
    loaded = {}
    for run in range(load_runs):
        for name in (("redi", "redis") if run % 2 == 0 else ("redis", "redi")):
            directory, port, before, _ = written[name]
            seconds, memory = load_once(name, directory, port, before, read_memory=run == 0)
            loads[name].append(seconds)
            if memory is not None:
                loaded[name] = memory
    for directory, *_ in written.values():
        shutil.rmtree(directory, ignore_errors=True)
    return {name: (written[name][3] / 1024, loaded[name] / 1024, statistics.median(loads[name])) for name in loads}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="measure only data sets whose label contains this")
    parser.add_argument("--load-runs", type=int, default=7, help="starts on the snapshot; the load time is their median")
    options = parser.parse_args()
    print("data set                        written: redi MB Redis MB ratio   loaded: redi MB Redis MB ratio   "
          "load: redi s Redis s ratio")
    for label, generate in data_sets():
        if options.only not in label:
            continue
        both = measure(generate, options.load_runs)
        redi, redis = both["redi"], both["redis"]
        print(f"{label:<32} {redi[0]:>14.1f} {redis[0]:>8.1f} {redi[0] / redis[0]:>5.2f}x {redi[1]:>15.1f} {redis[1]:>8.1f} "
              f"{redi[1] / redis[1]:>5.2f}x {redi[2]:>12.3f} {redis[2]:>7.3f} {redi[2] / redis[2]:>5.2f}x")

if __name__ == "__main__":
    main()
