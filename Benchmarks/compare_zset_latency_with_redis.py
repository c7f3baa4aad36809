#!/usr/bin/env python3
"""Per-call latency on a sorted set of 1,000,000 members, redi and redis-server 7.0 in one run.

    swift build -c release && python3 Benchmarks/compare_zset_latency_with_redis.py [--rounds R]

Each server gets the same 1,000,000 members `member:NNNNNNNNNNNN` (12 digits, as redis-benchmark
writes __rand_int__) with scores in no order. Then redis-benchmark with one connection (-c 1, so
each figure is one call's round trip) and -r 1000000 runs: ZADD of a random member with a random
score, ZRANGEBYSCORE from a random score LIMIT 0 10, ZRANK of a random member. p50 and p99 from
--csv, medians over the rounds; the ratio is redi / Redis (lower is better for redi).
"""
import argparse, csv, io, statistics, subprocess, tempfile

from side_by_side import command, start_both, stop_all
COMMANDS = [
    ("ZADD", ["ZADD", "bigzset", "__rand_int__", "member:__rand_int__"]),
    ("ZRANGEBYSCORE LIMIT 0 10", ["ZRANGEBYSCORE", "bigzset", "__rand_int__", "+inf", "LIMIT", "0", "10"]),
    ("ZRANK", ["ZRANK", "bigzset", "member:__rand_int__"]),
]


def load(port):
    payload = b"".join(
        command("ZADD", "bigzset", *[part for n in range(start, start + 1000)
                                     for part in ((n * 2654435761) % 1_000_003, f"member:{n:012d}")])
        for start in range(0, 1_000_000, 1000))
    subprocess.run(["redis-cli", "-p", str(port), "--pipe"], input=payload, capture_output=True, check=True)


def latency(port, words):
    output = subprocess.run(["redis-benchmark", "-p", str(port), "-n", "100000", "-c", "1", "-r", "1000000", "--csv",
                             *words], capture_output=True, text=True, check=True).stdout
    row = next(csv.DictReader(io.StringIO(output)))
    return float(row["p50_latency_ms"]), float(row["p99_latency_ms"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    servers, ports = start_both(tempfile.mkdtemp(prefix="redi-zset-latency-"))
    try:
        for port in ports.values():
            load(port)
        results = {(label, name): [] for label, _ in COMMANDS for name in ports}
        for round_number in range(options.rounds):
            order = list(ports) if round_number % 2 == 0 else list(reversed(list(ports)))
            for label, words in COMMANDS:
                for name in order:
                    results[(label, name)].append(latency(ports[name], words))
        print(f"1,000,000-member sorted set, -c 1, median of {options.rounds} rounds; ratio is redi / Redis")
        print(f"{'command':<26} {'p50 redi/Redis ms':>20} {'ratio':>6} {'p99 redi/Redis ms':>20} {'ratio':>6}")
        for label, _ in COMMANDS:
            mine = [statistics.median(values) for values in zip(*results[(label, "redi")])]
            theirs = [statistics.median(values) for values in zip(*results[(label, "redis")])]
            print(f"{label:<26} {mine[0]:>9.3f} / {theirs[0]:<8.3f} {mine[0] / theirs[0]:>5.2f}x "
                  f"{mine[1]:>9.3f} / {theirs[1]:<8.3f} {mine[1] / theirs[1]:>5.2f}x")
    finally:
        stop_all(servers)


if __name__ == "__main__":
    main()
