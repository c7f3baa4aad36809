#!/usr/bin/env python3
"""Times the detail view of a 1,000,000-field hash as a person sees it, in tmux (release build).

    swift build -c release && python3 Benchmarks/measure_detail_view.py [--rounds R]

Makes a snapshot holding one hash of 1,000,000 fields, opens the UI on it (120x35), selects the
key and measures, from the key press to the screen showing the result: Enter until the first
rows show; PgDn (10 rows on) until the title's row range moves; G (the last rows, a page fetched
from the far end) until the last row shows; g back to the first; and a filter typed with / until
its rows show (every field matched). Each time includes tmux's round trips (send-keys, then
capture-pane polled every 2 ms); medians and the largest over the rounds.
"""
import argparse, statistics, subprocess, tempfile, time

from side_by_side import REDI


def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "detail")


def timed(keys, until, literal=False):
    """Milliseconds from sending `keys` to `until(screen)` holding."""
    started = time.perf_counter()
    tmux("send-keys", "-t", "detail", *(["-l"] if literal else []), *keys)
    while not until(screen()):
        time.sleep(0.002)
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="redi-detail-bench-")
    commands = "".join(
        "HSET big " + " ".join(f"field:{n} value:{n}" for n in range(start, start + 1000)) + "\n"
        for start in range(0, 1_000_000, 1000))
    subprocess.run([REDI, "--snapshot", "big.rdb"], input=commands.encode(), cwd=directory,
                   stdout=subprocess.DEVNULL, check=True)
    tmux("kill-session", "-t", "detail")
    subprocess.run(["tmux", "new-session", "-d", "-s", "detail", "-x", "120", "-y", "35",
                    f"cd {directory} && {REDI} --tui --snapshot big.rdb --save ''; sleep 600"],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while "big" not in screen():
        time.sleep(0.01)
    tmux("send-keys", "-t", "detail", "Escape")
    time.sleep(0.3)
    figures = {name: [] for name in ("open", "page down", "last rows", "first rows", "filter")}
    for _ in range(options.rounds):
        figures["open"].append(timed(["Enter"], lambda text: "FIELD" in text and "rows 1–" in text))
        figures["page down"].append(timed(["PageDown"], lambda text: "rows 11–" in text))
        figures["last rows"].append(timed(["G"], lambda text: "rows 1000000–" in text and "field:" in text.split("rows 1000000–")[1]))
        figures["first rows"].append(timed(["g"], lambda text: "rows 1–" in text))
        tmux("send-keys", "-t", "detail", "/")
        time.sleep(0.1)
        tmux("send-keys", "-t", "detail", "-l", "field:99999*")
        time.sleep(0.1)
        figures["filter"].append(timed(["Enter"], lambda text: "of 11" in text and "field:99999" in text))
        tmux("send-keys", "-t", "detail", "Escape")
        time.sleep(0.3)
    tmux("kill-session", "-t", "detail")
    print(f"detail view of a 1,000,000-field hash, 120x35, {options.rounds} rounds (ms, tmux round trips included)")
    for name, values in figures.items():
        print(f"{name:<12} median {statistics.median(values):7.1f}   largest {max(values):7.1f}")


if __name__ == "__main__":
    main()
