#!/usr/bin/env python3
"""Times the terminal UI as a person sees it, in tmux (release build).

    swift build -c release && python3 Benchmarks/measure_tui.py

Makes two snapshots (1,000 keys with 100 volatile; 1,000,000 keys with 100,000
volatile), then:
idle CPU with the small one (from /proc/PID/task/*/schedstat, nanoseconds), and
with everything open (the dashboard, the expiry timeline and a key's value) over
1,000,000 keys of which 500,000 volatile;
with the large one, the time from launch to the first frame showing rows, the
time for a typed character to appear in the bar, and the time for each sort
order to show, the first time and again. Times include tmux's own round trips.
"""
import os, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDI = os.path.join(ROOT, ".build", "release", "redi")


def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def screen(name):
    return tmux("capture-pane", "-p", "-t", name)


def start(name, directory, snapshot, width=120):
    tmux("kill-session", "-t", name)
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", str(width), "-y", "35",
                    f"cd {directory} && {REDI} --tui --snapshot {snapshot} --save ''; sleep 120"],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        text = screen(name)
        if text.startswith(" redi │") and ("key:" in text or "a:" in text):
            return time.perf_counter() - started
        time.sleep(0.005)


def pid_of(snapshot):
    return int(subprocess.run(["pgrep", "-n", "-f", f"^{REDI} --tui --snapshot {snapshot}"],
                              capture_output=True, text=True).stdout)


def typing_latencies(name, text, pause=0.0):
    """Seconds from sending each character to seeing it at the end of the bar, sorted."""
    latencies = []
    for character in text:
        started = time.perf_counter()
        tmux("send-keys", "-t", name, character)
        while not [line for line in screen(name).split("\n") if line.startswith(">>") and line.endswith(character)]:
            time.sleep(0.002)
        latencies.append(time.perf_counter() - started)
        time.sleep(pause)
    return sorted(latencies)


def to_table(name):
    """Clears the bar and moves the focus to the table."""
    tmux("send-keys", "-t", name, "C-u")
    time.sleep(0.1)
    tmux("send-keys", "-t", name, "Escape")
    time.sleep(0.2)


def sort_switch_ms(name, order):
    """Presses s and waits for the status line to name `order`."""
    started = time.perf_counter()
    tmux("send-keys", "-t", name, "s")
    while f"sort: {order}" not in screen(name):
        time.sleep(0.002)
    return (time.perf_counter() - started) * 1000


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
    pid = pid_of("small.rdb")
    time.sleep(1)
    before = cpu_seconds(pid)
    time.sleep(10)
    print(f"idle, 1,000 keys (100 counting down): {100 * (cpu_seconds(pid) - before) / 10:.2f}% of a core")
    tmux("kill-session", "-t", "idle")

    # Everything open over a million keys, half of them counting down (an hour to two days).
    feed("half.rdb", "DEBUG POPULATE 1000000\n"
         + "".join(f"PEXPIRE key:{i * 2} {3_600_000 + i * 300}\n" for i in range(500_000)))
    # Wide enough for the value beside the dashboard.
    start("open", directory, "half.rdb", width=160)
    for key in ("F3", "Escape", "e", "Escape", "Enter"):
        tmux("send-keys", "-t", "open", key)
        time.sleep(0.3)
    text = screen("open")
    assert "commands/s" in text and "expiring" in text and "value" in text, text
    pid = pid_of("half.rdb")
    time.sleep(3)
    before = cpu_seconds(pid)
    time.sleep(30)
    print(f"idle, 1,000,000 keys (500,000 counting down), dashboard, timeline and a value open: "
          f"{100 * (cpu_seconds(pid) - before) / 30:.2f}% of a core")
    tmux("kill-session", "-t", "open")

    print(f"1,000,000 keys: first frame {start('big', directory, 'big.rdb'):.2f} s after launch (load included)")
    latencies = typing_latencies("big", "SETXYZ")
    print(f"1,000,000 keys: typed character shown after {latencies[-1] * 1000:.0f} ms at most")
    to_table("big")
    for round_ in ("first time", "again"):
        for order in ("ttl", "size", "length", "key"):
            print(f"1,000,000 keys: sort by {order} shown after {sort_switch_ms('big', order):.0f} ms ({round_})")
    tmux("kill-session", "-t", "big")

    # The same, while a client changes 50,000 keys a second over RESP.
    port = free_port()
    start("busy", directory, f"big.rdb --port {port}")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(port), "50000", "20"], stdout=subprocess.PIPE, text=True)
    time.sleep(2)
    pid = pid_of("big.rdb")
    before = cpu_seconds(pid)
    latencies = typing_latencies("busy", "SETXYZSETXYZSETXYZ", pause=0.2)
    print(f"1,000,000 keys, a client writing 50,000 keys/s: typed character shown after "
          f"{latencies[len(latencies) // 2] * 1000:.0f} ms (median), {latencies[-1] * 1000:.0f} ms at most")
    to_table("busy")
    for order in ("ttl", "size", "length", "key"):
        print(f"1,000,000 keys, a client writing 50,000 keys/s: sort by {order} shown after "
              f"{sort_switch_ms('busy', order):.0f} ms")
    rate = writer.communicate()[0].strip()
    busy_seconds = 20 - 2
    print(f"1,000,000 keys, a client writing 50,000 keys/s: the writer achieved {rate} keys/s; "
          f"redi used {100 * (cpu_seconds(pid) - before) / busy_seconds:.0f}% of a core (store, server and UI)")
    tmux("kill-session", "-t", "busy")


# A client that SETs random keys of the million at a steady rate, one in four with a TTL, in
# pipelined batches every 10 ms, and prints the rate it achieved.
WRITER = """
import random, socket, sys, time
port, rate, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
client = socket.create_connection(("127.0.0.1", port))
batch = rate // 100
sent, started = 0, time.perf_counter()
while time.perf_counter() - started < seconds:
    commands = []
    for index in range(batch):
        key = b"key:%d" % random.randrange(1_000_000)
        if index % 4 == 0:
            commands.append(b"*5\\r\\n$3\\r\\nSET\\r\\n$%d\\r\\n%s\\r\\n$7\\r\\nchanged\\r\\n$2\\r\\nPX\\r\\n$5\\r\\n60000\\r\\n" % (len(key), key))
        else:
            commands.append(b"*3\\r\\n$3\\r\\nSET\\r\\n$%d\\r\\n%s\\r\\n$7\\r\\nchanged\\r\\n" % (len(key), key))
    client.sendall(b"".join(commands))
    received = 0
    while received < batch * 5:
        received += len(client.recv(1 << 20))  # each reply is +OK and CRLF
    sent += batch
    pause = started + sent / rate - time.perf_counter()
    if pause > 0:
        time.sleep(pause)
print(round(sent / (time.perf_counter() - started)))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
