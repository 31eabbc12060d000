"""Does throughput grow with `frontdoor serve` processes on a Redis Cluster? 1, 2 and 4
processes (`--workers 1` each, FRONTDOOR_REDIS_CLUSTER=true) against one 3-master cluster.

What runs, each in its own process, on this machine:
* a Redis Cluster of the benchmark's own: 3 masters on free loopback ports, in a temporary
  directory (tests/support/redis_cluster.py; no persistence, deleted after): no other Redis is
  touched or flushed;
* the booking sandbox (SQLite in the temporary directory, requests taken all day);
* N `frontdoor serve` processes, exactly as shipped, each on its own port;
* this script, the load generator: whole conversations (bench_inbound.py's 19 turns, signed
  as Twilio signs), a closed loop of `--connections` connections spread over the N processes
  (what a load balancer does), each person's next message only once the previous one is
  answered.

Throughput is messages answered per second; CPU per message is the N processes' CPU time
over the phase divided by messages. Each N is measured `--repeat` times, alternated
(1, 2, 4, 1, 2, 4...); the figures are the medians.

    .venv/bin/python benchmarks/bench_cluster.py --people 150 --repeat 3   # -> results/cluster.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from bench_inbound import (  # noqa: E402
    BIN,
    HOST,
    PUBLIC,
    SANDBOX,
    TOKEN,
    Connection,
    Message,
    _answered,
    _conversations,
    _cpu_seconds,
    _free_port,
    _wait_http,
)
from support.redis_cluster import RedisClusterNodes  # type: ignore[import-not-found]  # noqa: E402  (tests/, on sys.path above)

RESULTS = HERE / "results" / "cluster.json"


def start_serves(
    count: int, cluster_url: str, sandbox_port: int, tmp: Path
) -> list[tuple[int, subprocess.Popen[bytes]]]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")},
        "FRONTDOOR_REDIS_URL": cluster_url,
        "FRONTDOOR_REDIS_CLUSTER": "true",
        "FRONTDOOR_BOOKING_API_URL": f"http://{HOST}:{sandbox_port}",
        "FRONTDOOR_SECRET_KEY": "benchmark-secret-0123456789abcdef",
        "FRONTDOOR_TWILIO_AUTH_TOKEN": TOKEN,
        "FRONTDOOR_PUBLIC_BASE_URL": PUBLIC,
        "FRONTDOOR_LOG_LEVEL": "WARNING",
        # A person's 19 messages in seconds would be a flood: the buckets are still taken.
        "FRONTDOOR_FLOOD_BURST": "1000",
    }
    started = []
    for _ in range(count):
        port = _free_port()
        cwd = tmp / f"serve-{port}"
        cwd.mkdir()
        log = (cwd / "server.log").open("wb")
        command = [str(BIN / "frontdoor"), "serve", "--port", str(port), "--workers", "1"]
        started.append((port, subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)))
    for port, _ in started:
        _wait_http(port, timeout=180)
    return started


async def saturate(
    ports: list[int],
    pids: list[int],
    people: list[list[Message]],
    connections: int,
    redis_pids: list[int],
) -> dict[str, float]:
    todo = iter(people)
    latencies: list[float] = []
    errors = 0

    async def worker(port: int) -> None:
        nonlocal errors
        conn = Connection(port)
        for conversation in todo:
            for message in conversation:
                start = time.perf_counter()
                try:
                    status, body = await conn.send(message.raw)
                except (TimeoutError, OSError, asyncio.IncompleteReadError):
                    status, body, conn = 0, b"", Connection(port)
                latencies.append(time.perf_counter() - start)
                errors += not _answered(status, body, False)

    cpu = sum(_cpu_seconds(pid) for pid in pids)
    redis_cpu = sum(_cpu_seconds(pid) for pid in redis_pids)
    start = time.perf_counter()
    await asyncio.gather(*(worker(ports[i % len(ports)]) for i in range(connections)))
    seconds = time.perf_counter() - start
    used = sum(_cpu_seconds(pid) for pid in pids) - cpu
    redis_used = sum(_cpu_seconds(pid) for pid in redis_pids) - redis_cpu
    ordered = sorted(latencies)
    return {
        "messages": len(latencies),
        "errors": errors,
        "seconds": round(seconds, 2),
        "throughput": round(len(latencies) / seconds, 1),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        "cpu_us_per_message": round(used / max(1, len(latencies)) * 1e6, 1),
        "cpu_cores_busy": round(used / seconds, 2),
        # The 3 masters' CPU (every command and script of the run) per message answered.
        "redis_cpu_us_per_message": round(redis_used / max(1, len(latencies)) * 1e6, 1),
    }


def _used_memory(cluster: RedisClusterNodes) -> int:
    return sum(
        # The data alone: not the connections' buffers (more processes, more connections).
        int(cluster.client(port).info("memory")["used_memory_dataset"])
        for port in cluster.master_ports()
    )


def measure(count: int, cluster: RedisClusterNodes, sandbox_port: int, args: argparse.Namespace,
            rep: int, tmp: Path) -> dict[str, float]:  # fmt: skip
    serves = start_serves(count, cluster.url, sandbox_port, tmp)
    ports, pids = [p for p, _ in serves], [proc.pid for _, proc in serves]
    nodes = [proc.pid for proc in cluster.processes.values()]
    try:
        warm = _conversations(10 * count, f"9{count}{rep}")
        asyncio.run(saturate(ports, pids, warm, 8, nodes))
        people = _conversations(args.people, f"1{count}{rep}")
        load = os.getloadavg()[0]
        memory = _used_memory(cluster)
        row = asyncio.run(saturate(ports, pids, people, args.connections, nodes))
        # Every key these conversations left, transient ones included (replies kept 10 min
        # for Twilio's retries, flood buckets): what a surge holds per person.
        row["redis_bytes_per_conversation"] = round((_used_memory(cluster) - memory) / len(people))
        row.update(processes=count, repetition=rep, load_average=round(load, 2))
        print(
            f"rep {rep} {count} serve: {row['throughput']:7.1f} msg/s  p50 {row['p50_ms']} ms  "
            f"p99 {row['p99_ms']} ms  CPU {row['cpu_us_per_message']} µs/msg  cores busy "
            f"{row['cpu_cores_busy']}  Redis CPU {row['redis_cpu_us_per_message']} µs/msg  "
            f"errors {row['errors']}/{row['messages']}  load {load:.2f}",
            flush=True,
        )
        return row
    finally:
        for _, proc in serves:
            proc.terminate()
        for _, proc in serves:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--people", type=int, default=150, help="conversations per measure")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    counts = [int(c) for c in args.processes.split(",")]
    load_before = os.getloadavg()
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as name:
        tmp = Path(name)
        cluster = RedisClusterNodes(tmp / "redis", replicas=0)
        sandbox_port = _free_port()
        sandbox = subprocess.Popen(
            [sys.executable, "-c", SANDBOX, str(sandbox_port), str(tmp / "sandbox.sqlite3")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            cluster.start()
            _wait_http(sandbox_port, "/v1/ports")
            for rep in range(args.repeat):
                for count in counts:
                    rows.append(measure(count, cluster, sandbox_port, args, rep, tmp))
        finally:
            sandbox.terminate()
            sandbox.wait(20)
            cluster.stop()
    medians = []
    for count in counts:
        mine = [r for r in rows if r["processes"] == count]
        median = {k: statistics.median(r[k] for r in mine)
                  for k in ("throughput", "p50_ms", "p99_ms", "cpu_us_per_message",
                            "cpu_cores_busy", "redis_cpu_us_per_message",
                            "redis_bytes_per_conversation",
                            "load_average")}  # fmt: skip
        median.update(processes=count, errors=sum(r["errors"] for r in mine))
        medians.append(median)
    print(f"\nmedians over {args.repeat} repetitions, {os.cpu_count()} cores (load average "
          f"before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f})")  # fmt: skip
    base = medians[0]["throughput"]
    for m in medians:
        growth = m["throughput"] / base
        print(f"{int(m['processes'])} serve: {m['throughput']:7.1f} msg/s (x{growth:.2f})"
              f"  p50 {m['p50_ms']} ms  p99 {m['p99_ms']} ms  CPU {m['cpu_us_per_message']} µs/msg"
              f"  cores busy {m['cpu_cores_busy']}  Redis CPU {m['redis_cpu_us_per_message']} "
              f"µs/msg  Redis {m['redis_bytes_per_conversation']} B/conversation"
              f"  errors {m['errors']}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": f"{os.cpu_count()} cores (shared), Python {sys.version.split()[0]}",
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "args": vars(args), "medians": medians, "runs": rows,
    }, indent=1) + "\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
