#!/usr/bin/env python3
"""Throughput of MULTI, 10 SETs, EXEC transactions, redi and redis-server 7.0 in one run, with the ratio.

    swift build -c release && python3 Benchmarks/compare_multi_exec_with_redis.py [--rounds R]
        [--transactions T] [--clients C]

redis-benchmark cannot send a transaction, so C client processes (8 unless --clients says
otherwise), one connection each, share T transactions (200,000): each writes batches of 100
transactions pipelined (the same prebuilt bytes every time, 1,000 distinct keys a client) and reads
the batch's replies in full, checked byte for byte, before the next. The clients do no parsing, so
the server is what limits. Transactions per second from the first client's start to the last
one's end; medians over the rounds (3), the order alternating; the ratio is redi / Redis (higher
is better for redi).
"""
import argparse, multiprocessing, socket, statistics, tempfile, time

from side_by_side import command, start_both, stop_all

BATCH = 100


def client(port, number, batches, barrier, times):
    requests = b"".join(command("MULTI") + b"".join(command("SET", f"key:{number}:{t * 10 + n}", f"value:{t * 10 + n}")
                                                    for n in range(10)) + command("EXEC") for t in range(BATCH))
    expected = (b"+OK\r\n" + b"+QUEUED\r\n" * 10 + b"*10\r\n" + b"+OK\r\n" * 10) * BATCH
    connection = socket.create_connection(("127.0.0.1", port))
    connection.settimeout(30)
    barrier.wait()
    start = time.perf_counter()
    for _ in range(batches):
        connection.sendall(requests)
        replies = bytearray()
        while len(replies) < len(expected):
            chunk = connection.recv(1 << 16)
            if not chunk:
                raise RuntimeError("connection closed")
            replies += chunk
        assert replies == expected, bytes(replies[:200])
    times.put((start, time.perf_counter()))
    connection.close()


def throughput(port, clients, transactions):
    batches = transactions // (clients * BATCH)
    barrier, times = multiprocessing.Barrier(clients), multiprocessing.Queue()
    processes = [multiprocessing.Process(target=client, args=(port, number, batches, barrier, times))
                 for number in range(clients)]
    for process in processes:
        process.start()
    spans = [times.get() for _ in processes]
    for process in processes:
        process.join()
    return batches * clients * BATCH / (max(end for _, end in spans) - min(start for start, _ in spans))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--transactions", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=8)
    options = parser.parse_args()
    servers, ports = start_both(tempfile.mkdtemp(prefix="redi-multi-exec-"))
    try:
        results = {name: [] for name in ports}
        for round_number in range(options.rounds):
            for name in (["redi", "redis"] if round_number % 2 == 0 else ["redis", "redi"]):
                results[name].append(throughput(ports[name], options.clients, options.transactions))
        mine, theirs = statistics.median(results["redi"]), statistics.median(results["redis"])
        print(f"MULTI + 10 SET + EXEC, {options.clients} clients x {BATCH} pipelined, "
              f"median of {options.rounds} rounds; ratio is redi / Redis")
        print(f"{'':<16} {'redi':>10} {'Redis':>10} {'ratio':>6}")
        print(f"{'transactions/s':<16} {mine:>10,.0f} {theirs:>10,.0f} {mine / theirs:>5.2f}x")
    finally:
        stop_all(servers)


if __name__ == "__main__":
    main()
