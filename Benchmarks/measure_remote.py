#!/usr/bin/env python3
"""`redi connect` against a redis-server 7.0 holding many keys, in tmux (release build).

    swift build -c release && python3 Benchmarks/measure_remote.py [--keys N] [--rounds R]

redis-server gets N string keys (DEBUG POPULATE N) with keyspace notifications on. Each round:
- redi connect: seconds from launch to the first rows, and to the status line saying all N keys
  are loaded (it says "of N keys loading" until then); a character typed into the bar while it
  loads, seconds until it shows; redi's resident memory once loaded; a key set by redis-cli once
  loaded, seconds until its row shows.
- the same work by Redis's own tools: `redis-cli --scan` piped into a TYPE/PTTL pipeline
  (`redis-cli --pipe`), seconds; the ratio is redi's full load / that.
Medians over the rounds. Times include tmux's own round trips (a few ms).
"""
import argparse, os, statistics, subprocess, tempfile, time

from side_by_side import REDI, free_port, rss_kib, wait_for


def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def redi_load(port, keys):
    name = f"remote-bench-{port}"
    tmux("kill-session", "-t", name)
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "35",
                    f"{REDI} connect --no-config redis://127.0.0.1:{port}; sleep 120"],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = typed = None
    typed_at = None
    while True:
        text = tmux("capture-pane", "-p", "-t", name)
        now = time.perf_counter() - started
        lines = text.splitlines()
        if first is None and len(lines) > 1 and lines[1].startswith("KEY") and len(lines) > 2 and lines[2].startswith("key:"):
            first = now
            tmux("send-keys", "-t", name, "x")
            typed_at = time.perf_counter()
        if typed is None and typed_at is not None and any(line.startswith(">> x") for line in lines):
            typed = time.perf_counter() - typed_at
        if lines and f"db 0: {keys} keys" in lines[0] and "loading" not in lines[0]:
            total = now
            break
        if now > 600:
            raise RuntimeError("not loaded in 600 s: " + (lines[0] if lines else ""))
        time.sleep(0.002)
    pid = int(subprocess.run(["pgrep", "-n", "-f", f"redi connect --no-config redis://127.0.0.1:{port}"],
                             capture_output=True, text=True).stdout.split()[0])
    memory = rss_kib(pid) / 1024
    # A key set by another client: seconds until its row shows (it sorts first).
    probe = f"aaa-probe-{time.monotonic_ns()}"
    set_at = time.perf_counter()
    subprocess.run(["redis-cli", "-p", str(port), "SET", probe, "x"], capture_output=True, check=True)
    while not any(line.startswith(probe) for line in tmux("capture-pane", "-p", "-t", name).splitlines()):
        if time.perf_counter() - set_at > 10:
            raise RuntimeError("a changed key never showed")
        time.sleep(0.001)
    followed = time.perf_counter() - set_at
    subprocess.run(["redis-cli", "-p", str(port), "DEL", probe], capture_output=True, check=True)
    tmux("kill-session", "-t", name)
    return first, total, typed, memory, followed


def tools_load(port):
    started = time.perf_counter()
    subprocess.run(
        f"redis-cli -p {port} --scan | awk '{{print \"TYPE \" $0; print \"PTTL \" $0}}' "
        f"| redis-cli -p {port} --pipe >/dev/null", shell=True, check=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    port = free_port()
    directory = tempfile.mkdtemp()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                               "--enable-debug-command", "yes", "--notify-keyspace-events", "KA",
                               "--dir", directory, "--logfile", os.path.join(directory, "redis.log")],
                              stdin=subprocess.DEVNULL)
    try:
        wait_for(port)
        subprocess.run(["redis-cli", "-p", str(port), "DEBUG", "POPULATE", str(options.keys)], check=True, capture_output=True)
        rows = []
        for _ in range(options.rounds):
            rows.append(redi_load(port, options.keys) + (tools_load(port),))
        first, total, typed, memory, followed, tools = (statistics.median(column) for column in zip(*rows))
        print(f"redi connect, {options.keys:,} keys, median of {options.rounds} rounds")
        print(f"first rows            {first * 1000:8.0f} ms")
        print(f"all keys loaded       {total:8.2f} s")
        print(f"redis-cli --scan | TYPE/PTTL pipeline {tools:8.2f} s   ratio {total / tools:.2f}x")
        print(f"typed key shown while loading {typed * 1000:6.1f} ms")
        print(f"redi's memory loaded  {memory:8.1f} MB")
        print(f"a key set by redis-cli shown after {followed * 1000:6.1f} ms (redis-cli's own start included)")
        for index, row in enumerate(rows):
            print(f"  round {index + 1}: first {row[0]*1000:.0f} ms, all {row[1]:.2f} s, typed {row[2]*1000:.1f} ms, "
                  f"{row[3]:.1f} MB, followed {row[4]*1000:.1f} ms, tools {row[5]:.2f} s")
    finally:
        server.kill()


if __name__ == "__main__":
    main()
