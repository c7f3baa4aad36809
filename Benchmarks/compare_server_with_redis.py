#!/usr/bin/env python3
"""redis-benchmark against redi --port and redis-server 7.0, in one run, with the ratios.

    swift build -c release && python3 Benchmarks/compare_server_with_redis.py [--rounds R] [--tests set,get]
        [--requests N] [--connections C]

Each round runs, against each server in turn (the order alternating between rounds):
redis-benchmark -t TESTS (set,get unless --tests says otherwise: hset,sadd,spop, lpush,rpush,lpop,
rpop,lrange_100...) -n N -c 50 -P 16 (pipelined; N is 1,000,000 unless --requests says otherwise)
and -n N/5 -c 50 (one request at a time), with --csv for requests per second and p50/p99 latency.
The LPUSH redis-benchmark runs to fill the list for LRANGE is left out of the table. Medians over
the rounds; the ratio is redi / Redis (higher is better for redi). redis-benchmark itself takes
one of the two cores. Then memory for C idle connections (10,000; 0: none): resident memory
before and after the clients connect and each sends one PING.
"""
import argparse, csv, io, os, resource, socket, statistics, subprocess, tempfile, time

from side_by_side import rss_kib, start_both, stop_all



def benchmark(port, pipeline, requests, tests):
    arguments = ["redis-benchmark", "-p", str(port), "-t", tests, "-n", str(requests), "-c", "50", "--csv"]
    if pipeline > 1:
        arguments += ["-P", str(pipeline)]
    output = subprocess.run(arguments, capture_output=True, text=True, check=True).stdout
    rows = {}
    for row in csv.DictReader(io.StringIO(output)):
        if "needed to benchmark" in row["test"]:
            continue
        rows[row["test"]] = (float(row["rps"]), float(row["p50_latency_ms"]), float(row["p99_latency_ms"]))
    return rows


def idle_connections(pid, port, count):
    before = rss_kib(pid)
    clients = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"PING\r\n")
        clients.append(client)
    for client in clients:
        assert client.recv(100).startswith(b"+PONG")
    time.sleep(0.5)
    after = rss_kib(pid)
    for client in clients:
        client.close()
    return (after - before) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=10_000, help="idle connections to measure (0: none)")
    parser.add_argument("--tests", default="set,get", help="redis-benchmark's -t")
    parser.add_argument("--requests", type=int, default=1_000_000, help="-n when pipelined (a fifth without)")
    options = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, options.connections + 1000), hard))

    directory = tempfile.mkdtemp(prefix="redi-server-bench-")
    servers, ports = start_both(directory)
    try:
        results = {(name, mode): [] for name in servers for mode in ("pipelined", "unpipelined")}
        for round_ in range(options.rounds):
            order = ["redi", "redis"] if round_ % 2 == 0 else ["redis", "redi"]
            for name in order:
                results[(name, "pipelined")].append(benchmark(ports[name], 16, options.requests, options.tests))
                results[(name, "unpipelined")].append(benchmark(ports[name], 1, options.requests // 5, options.tests))
        print(f"redis-benchmark -c 50, median of {options.rounds} rounds; ratio is redi / Redis")
        print(f"{'test':<18} {'redi rps':>12} {'Redis rps':>12} {'ratio':>6}   {'p50 redi/Redis ms':>18}   {'p99 redi/Redis ms':>18}")
        for mode in ("pipelined", "unpipelined"):
            for test in results[("redi", mode)][0]:
                figures = {}
                for name in servers:
                    runs = [run[test] for run in results[(name, mode)]]
                    figures[name] = tuple(statistics.median(run[i] for run in runs) for i in range(3))
                label = f"{test.split()[0]} {'-P 16' if mode == 'pipelined' else 'no -P'}"
                print(f"{label:<18} {figures['redi'][0]:>12,.0f} {figures['redis'][0]:>12,.0f} "
                      f"{figures['redi'][0] / figures['redis'][0]:>5.2f}x   "
                      f"{figures['redi'][1]:>8.3f} / {figures['redis'][1]:<8.3f}   {figures['redi'][2]:>8.3f} / {figures['redis'][2]:<8.3f}")
        for name in servers if options.connections > 0 else []:
            megabytes = idle_connections(servers[name].pid, ports[name], options.connections)
            print(f"{name}: {options.connections:,} idle connections add {megabytes:.1f} MB resident "
                  f"({megabytes * 1024 * 1024 / options.connections:,.0f} bytes each)")
    finally:
        stop_all(servers)


if __name__ == "__main__":
    main()
