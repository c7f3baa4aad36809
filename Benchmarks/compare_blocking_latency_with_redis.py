#!/usr/bin/env python3
"""BLPOP wake-up latency, redi and redis-server 7.0 in one run, with the ratios.

    swift build -c release && python3 Benchmarks/compare_blocking_latency_with_redis.py [--times N]

Two connections to each server, raw RESP over TCP from this one process: the waiter sends
BLPOP q 0; once INFO clients shows it blocked, the pusher sends RPUSH q x. The latency is from
just before that RPUSH is sent to the waiter's reply read in full (time.perf_counter_ns). N times
(2,000 unless --times says otherwise) after 100 not counted, the servers taking turns; p50, p99
and mean in microseconds, the ratio is redi / Redis (lower is better for redi).
"""
import argparse, socket, statistics, tempfile, time

from side_by_side import command, start_both, stop_all

WARMUP = 100
REPLY = b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n"


BLPOP, RPUSH, INFO = command("BLPOP", "q", "0"), command("RPUSH", "q", "x"), command("INFO", "clients")


def connect(port):
    client = socket.create_connection(("127.0.0.1", port))
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.settimeout(10)
    return client


def read_exactly(client, size):
    data = b""
    while len(data) < size:
        chunk = client.recv(size - len(data))
        if not chunk:
            raise RuntimeError("connection closed")
        data += chunk
    return data


def read_bulk(client):
    header = b""
    while not header.endswith(b"\r\n"):
        header += read_exactly(client, 1)
    return read_exactly(client, int(header[1:-2]) + 2)


def wake_up(waiter, pusher):
    """Nanoseconds from sending RPUSH to the blocked waiter's reply."""
    waiter.sendall(BLPOP)
    while True:
        pusher.sendall(INFO)
        if b"\r\nblocked_clients:1\r\n" in read_bulk(pusher):
            break
    start = time.perf_counter_ns()
    pusher.sendall(RPUSH)
    reply = read_exactly(waiter, len(REPLY))
    end = time.perf_counter_ns()
    assert reply == REPLY, reply
    assert read_exactly(pusher, 4) == b":1\r\n"
    return end - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=2000)
    options = parser.parse_args()
    servers, ports = start_both(tempfile.mkdtemp(prefix="redi-blocking-latency-"))
    try:
        clients = {name: (connect(port), connect(port)) for name, port in ports.items()}
        results = {name: [] for name in ports}
        for turn in range(WARMUP + options.times):
            for name in (["redi", "redis"] if turn % 2 == 0 else ["redis", "redi"]):
                latency = wake_up(*clients[name])
                if turn >= WARMUP:
                    results[name].append(latency / 1000)
        print(f"BLPOP wake-up after RPUSH, {options.times:,} times; ratio is redi / Redis")
        print(f"{'':<6} {'redi us':>9} {'Redis us':>9} {'ratio':>6}")
        for label, measure in (("p50", statistics.median),
                               ("p99", lambda v: statistics.quantiles(v, n=100)[98]),
                               ("mean", statistics.mean)):
            mine, theirs = measure(results["redi"]), measure(results["redis"])
            print(f"{label:<6} {mine:>9.1f} {theirs:>9.1f} {mine / theirs:>5.2f}x")
    finally:
        stop_all(servers)


if __name__ == "__main__":
    main()
