"""The Redis Cluster stack: a 3-master cluster of its own (one replica each: a master is
killed here), the booking sandbox, two `frontdoor serve` and one `frontdoor worker`, all with
FRONTDOOR_REDIS_CLUSTER=true, and Prism behind a counting proxy for what the bot sends."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cluster_support import EVENTS_SECRET, ClusterStack
from support.live import free_port
from support.prism import REPO, CountingTwilio, Prism, serve
from support.processes import FRONTDOOR, BotProcess, bot_env, wait_for
from support.redis import unique_prefix
from support.redis_cluster import RedisClusterNodes


@pytest.fixture(scope="module")
def cluster_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClusterStack]:
    root = tmp_path_factory.mktemp("cluster-stack")
    cluster = RedisClusterNodes(root / "redis")
    pool = concurrent.futures.ThreadPoolExecutor(1)
    cluster_up = pool.submit(cluster.start)  # while Prism starts: seconds each
    try:
        prism = Prism()
    except BaseException:
        cluster_up.result()
        cluster.stop()
        raise
    counter = CountingTwilio(prism.url)
    twilio = serve(counter)
    sandbox_port, ports = free_port(), [free_port(), free_port()]
    # Twilio signs the URL it calls: both processes stand behind one public address.
    public = f"http://127.0.0.1:{ports[0]}"
    sandbox: subprocess.Popen[bytes] | None = None
    processes: list[BotProcess] = []
    try:
        cluster_up.result()
        pool.shutdown()
        prefix = unique_prefix()
        env = {
            **bot_env(cluster.url, prefix, twilio.url, public),
            "FRONTDOOR_REDIS_CLUSTER": "true",
            "FRONTDOOR_REDIS_SHARDS": "8",
            "FRONTDOOR_BOOKING_API_URL": f"http://127.0.0.1:{sandbox_port}",
            "FRONTDOOR_BOOKING_EVENTS_SECRET": EVENTS_SECRET,
            "FRONTDOOR_LOG_FORMAT": "json",  # what a log pipeline reads: checked below
            # A scripted conversation types faster than any person: on a quiet machine its 19
            # turns met the flood limit (tested on its own, tests/channels/test_limits.py).
            "FRONTDOOR_FLOOD_BURST": "10000",
        }
        sandbox_dir = root / "sandbox"
        sandbox_dir.mkdir()
        sandbox_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("FRONTDOOR_", "BOOKING_"))},
            "PYTHONPATH": str(REPO),
            "BOOKING_DATABASE_URL": f"sqlite:///{sandbox_dir / 'booking.sqlite3'}",
            "BOOKING_EVENTS_WEBHOOK_URL": f"{public}/booking/events",
            "BOOKING_EVENTS_SECRET": EVENTS_SECRET,
            "BOOKING_WINDOW_OPENS": "00:00",  # a request can be sent at any hour CI runs
            "BOOKING_WINDOW_CLOSES": "23:59",
            "BOOKING_SCHEDULER_ENABLED": "false",
        }
        sandbox = subprocess.Popen(
            [*FRONTDOOR, "sandbox", "--port", str(sandbox_port), "--log-level", "warning"],
            env=sandbox_env, cwd=sandbox_dir,
            stdout=open(sandbox_dir / "sandbox.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )  # fmt: skip
        processes = [
            # One process each (a production default would be one per core): two processes.
            BotProcess("serve", env, root / f"serve{n}", port=port, args=["--workers", "1"])
            for n, port in enumerate(ports)
        ]
        metrics_port = free_port()
        processes.append(
            BotProcess("worker", env, root / "worker", args=["--metrics-port", str(metrics_port)])
        )
        with concurrent.futures.ThreadPoolExecutor(len(processes)) as pool:
            # At once (seconds each; minutes on a machine shared by several test runs).
            list(pool.map(lambda process: process.start(timeout=300), processes))

        def sandbox_up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{sandbox_port}/healthz").status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_for(sandbox_up, 60), (sandbox_dir / "sandbox.log").read_text()
        yield ClusterStack(
            cluster, processes[:2], processes[2], counter, prefix, public,
            f"http://127.0.0.1:{metrics_port}/metrics",
        )  # fmt: skip
    finally:
        for process in processes:
            process.stop()
        if sandbox is not None:
            sandbox.terminate()
            sandbox.wait(timeout=15)
        cluster.stop()
        twilio.stop()
        prism.stop()


def log_of(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""
