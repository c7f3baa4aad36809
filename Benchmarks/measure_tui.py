#!/usr/bin/env python3
"""Times the terminal UI as a person sees it, in tmux (release build).

    swift build -c release && python3 Benchmarks/measure_tui.py

Makes two snapshots (1,000 keys with 100 volatile; 1,000,000 keys with 100,000
volatile), then:
idle CPU with the small one (from /proc/PID/task/*/schedstat, nanoseconds);
with the large one, the time from launch to the first frame showing rows, the
time for a typed character to appear in the bar, and the time for each sort
order to show, the first time and again. Times include tmux's own round trips.
"""
import os, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDI = os.path.join(ROOT, ".build", "release", "redi")


def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def screen(name):
    return tmux("capture-pane", "-p", "-t", name)


def start(name, directory, snapshot):
    tmux("kill-session", "-t", name)
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "35",
                    f"cd {directory} && {REDI} --tui --snapshot {snapshot} --save ''; sleep 120"],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        text = screen(name)
        if text.startswith(" redi │") and ("key:" in text or "a:" in text):
            return time.perf_counter() - started
        time.sleep(0.005)


def cpu_seconds(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
            total += int(stat.read().split()[0])
    return total / 1e9


def main():
    directory = tempfile.mkdtemp(prefix="redi-tui-bench-")
    feed = lambda snapshot, text: subprocess.run([REDI, "--snapshot", snapshot], input=text.encode(),
                                                 cwd=directory, stdout=subprocess.DEVNULL, check=True)
    feed("small.rdb", "DEBUG POPULATE 900 a\nDEBUG POPULATE 100 v\n"
         + "".join(f"PEXPIRE v:{i} {3_600_000 + i * 1000}\n" for i in range(100)))
    feed("big.rdb", "DEBUG POPULATE 1000000\n"
         + "".join(f"PEXPIRE key:{i * 10} {3_600_000 + i}\n" for i in range(100_000)))

    start("idle", directory, "small.rdb")
    pid = int(subprocess.run(["pgrep", "-n", "-f", f"{REDI} --tui --snapshot small.rdb"],
                             capture_output=True, text=True).stdout)
    time.sleep(1)
    before = cpu_seconds(pid)
    time.sleep(10)
    print(f"idle, 1,000 keys (100 counting down): {100 * (cpu_seconds(pid) - before) / 10:.2f}% of a core")
    tmux("kill-session", "-t", "idle")

    print(f"1,000,000 keys: first frame {start('big', directory, 'big.rdb'):.2f} s after launch (load included)")
    latencies = []
    for character in "SETXYZ":
        started = time.perf_counter()
        tmux("send-keys", "-t", "big", character)
        while not [line for line in screen("big").split("\n") if line.startswith(">>") and line.endswith(character)]:
            time.sleep(0.002)
        latencies.append(time.perf_counter() - started)
    print(f"1,000,000 keys: typed character shown after {max(latencies) * 1000:.0f} ms at most")
    tmux("send-keys", "-t", "big", "C-u")
    time.sleep(0.1)
    tmux("send-keys", "-t", "big", "Escape")
    time.sleep(0.2)
    for round_ in ("first time", "again"):
        for order in ("ttl", "size", "key"):
            started = time.perf_counter()
            tmux("send-keys", "-t", "big", "s")
            while f"sort: {order}" not in screen("big"):
                time.sleep(0.002)
            print(f"1,000,000 keys: sort by {order} shown after {(time.perf_counter() - started) * 1000:.0f} ms ({round_})")
    tmux("kill-session", "-t", "big")


if __name__ == "__main__":
    main()
