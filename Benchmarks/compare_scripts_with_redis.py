#!/usr/bin/env python3
"""Scripts in redi and redis-server 7.0, in one run, with the ratios.

    swift build -c release && python3 Benchmarks/compare_scripts_with_redis.py [--rounds R] [--requests N]

Each round runs, against each server in turn (the order alternating between rounds),
redis-benchmark -n N (200,000) -c 50 for: EVALSHA of a script that does INCR on one key; EVALSHA
of a script that returns a table of 100 integers; FCALL of a function that does the same INCR;
plain INCR for scale; and EVAL of a new script each time (`return <random>`, -r 100,000,000: nearly
every request compiles a script, N/2 requests). The compile test runs in rounds of its own after
all the others, each from an empty cache (SCRIPT FLUSH): the 100,000 scripts it leaves cached slow
every Lua garbage collection after it, in both servers and more in redi (EVALSHA of INCR measured
after it fell to 0.69x of Redis's). Medians over the rounds (3); the ratio is redi / Redis (higher
is better for redi).
"""
import argparse, csv, io, statistics, subprocess, tempfile

from side_by_side import start_both, stop_all

INCR = "return redis.call('incr', KEYS[1])"
TABLE = "local t = {} for i = 1, 100 do t[i] = i end return t"
LIBRARY = "#!lua name=bench\nredis.register_function('incr', function(keys) return redis.call('incr', keys[1]) end)"


def cli(port, *words):
    return subprocess.run(["redis-cli", "-p", str(port), *words], capture_output=True, text=True, check=True).stdout.strip()


def requests_per_second(port, requests, *words):
    output = subprocess.run(["redis-benchmark", "-p", str(port), "-n", str(requests), "-c", "50", "--csv", *words],
                            capture_output=True, text=True, check=True).stdout
    return float(next(csv.DictReader(io.StringIO(output)))["rps"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200_000)
    options = parser.parse_args()
    servers, ports = start_both(tempfile.mkdtemp(prefix="redi-scripts-"))
    try:
        tests = {}
        for name, port in ports.items():
            cli(port, "FUNCTION", "LOAD", LIBRARY)
            incr, table = cli(port, "SCRIPT", "LOAD", INCR), cli(port, "SCRIPT", "LOAD", TABLE)
            tests[name] = [
                ("EVALSHA of INCR", options.requests, ["evalsha", incr, "1", "key"]),
                ("EVALSHA of a 100-element table", options.requests, ["evalsha", table, "0"]),
                ("FCALL of INCR", options.requests, ["fcall", "incr", "1", "key"]),
                ("plain INCR", options.requests, ["-t", "incr"]),
                ("EVAL of a new script", options.requests // 2, ["-r", "100000000", "eval", "return __rand_int__", "0"]),
            ]
        results = {name: {} for name in ports}
        # The cached-script tests first, then the compile test, each in rounds of its own.
        for group in (slice(None, -1), slice(-1, None)):
            for round_number in range(options.rounds):
                for name in (["redi", "redis"] if round_number % 2 == 0 else ["redis", "redi"]):
                    for label, requests, words in tests[name][group]:
                        if label == "EVAL of a new script":
                            cli(ports[name], "SCRIPT", "FLUSH")  # each round compiles into an empty cache
                        results[name].setdefault(label, []).append(requests_per_second(ports[name], requests, *words))
        print(f"redis-benchmark -c 50, median of {options.rounds} rounds; ratio is redi / Redis")
        print(f"{'requests':<32} {'redi rps':>10} {'Redis rps':>10} {'ratio':>6}")
        for label in results["redi"]:
            mine, theirs = statistics.median(results["redi"][label]), statistics.median(results["redis"][label])
            print(f"{label:<32} {mine:>10,.0f} {theirs:>10,.0f} {mine / theirs:>5.2f}x")
    finally:
        stop_all(servers)


if __name__ == "__main__":
    main()
