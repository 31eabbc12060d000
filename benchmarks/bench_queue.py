"""Outbound queue benchmark: enqueue N notifications, let `frontdoor worker` processes send them
to a Twilio mock, and measure sustained messages/s and how closely the per-sender rate limit
is held.

The whole path runs: N sessions in Redis (encrypted, like production), N notification jobs on
the Redis stream, the worker renders each in the person's language (Spanish, WhatsApp free
text), queues a send job, takes a slot from the per-sender rate limiter (GCRA in Redis) and
POSTs to the mock through the twilio library.

Targets:
* `--target mock` (default): a small Twilio-shaped server in its own process that answers 201
  at once and records arrival times. Prism is too slow to measure the worker against.
* `--target prism`: Prism serving Twilio's spec (validates every request; slower).

    .venv/bin/python benchmarks/bench_queue.py                       # 100,000 at 400/s
    .venv/bin/python benchmarks/bench_queue.py --rate 100000         # no limit: worker's max
    .venv/bin/python benchmarks/bench_queue.py --target prism -n 2000
Needs Redis (FRONTDOOR_BENCH_REDIS_URL, default redis://127.0.0.1:6379/14).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.contacts import contact_key  # noqa: E402
from bot.engine.session import Session  # noqa: E402
from bot.jobs.models import NotifyJob  # noqa: E402
from bot.jobs.queue import JobQueue, make_broker  # noqa: E402
from bot.messages import ChannelKind  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store.keys import KeyBuilder  # noqa: E402
from bot.store.redis import RedisStore  # noqa: E402

SECRET = "bench-secret"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
WHATSAPP_FROM = "+15005550002"
SPEC = Path(
    os.environ.get("FRONTDOOR_TWILIO_SPEC", "/work/shared/twilio/twilio_api_v2010_messages.json")
)


# ---- the mock ----------------------------------------------------------------------------


def mock_app() -> Any:
    arrivals: list[tuple[float, str]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] == "GET" and scope["path"] == "/stats":
            payload = json.dumps(arrivals).encode()
            status = 200
        else:
            form = dict(parse_qsl(body.decode()))
            arrivals.append((time.time(), form.get("From", "")))
            sid = "SM" + uuid.uuid4().hex
            payload = json.dumps(
                {
                    "sid": sid,
                    "status": "queued",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                }
            ).encode()
            status = 201
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    return app


def serve_mock(port: int) -> None:
    import uvicorn

    uvicorn.run(mock_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


# ---- the run -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}")


async def prepare(settings: Settings, n: int) -> float:
    """Store n sessions and enqueue n notification jobs; returns enqueue jobs/s."""
    assert settings.redis_url
    keys = KeyBuilder(settings.redis_key_prefix)
    store = RedisStore.from_url(settings.redis_url, SECRET, keys=keys)
    now = datetime.now(UTC)
    contacts = []

    async def one(i: int) -> None:
        phone = f"+52155{i:08d}"
        key = contact_key(SECRET, phone)
        session = Session(
            phone=phone,
            channel=ChannelKind.WHATSAPP,
            lang="es",
            contact_ref=key.digest,
            registration_id=f"reg_{i}",
            consented_at=now,
            flow="menu",
            step="choose",
            slots={"full_name": f"Persona Prueba {i}"},
            last_inbound_at=now - timedelta(hours=1),
        )
        await store.save(key, session, timedelta(days=1))
        contacts.append(key.digest)

    for start in range(0, n, 500):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 500))))
    await store.close()
    queue = JobQueue(make_broker(settings))
    await queue.start()
    values = {
        "appointment_port": "laredo",
        "appointment_at": "2026-03-30T09:00:00-05:00",
        "confirm_by": "2026-03-16T10:00:00-05:00",
    }
    started = time.perf_counter()
    for start in range(0, n, 500):
        await asyncio.gather(
            *(
                queue.notify(
                    NotifyJob(
                        job_id=f"bench-{i}", contact=contacts[i], purpose="allocated", values=values
                    )
                )
                for i in range(start, min(n, start + 500))
            )
        )
    rate = n / (time.perf_counter() - started)
    await queue.close()
    return rate


async def cleanup(url: str, prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    async for name in client.scan_iter(match=f"{prefix}:*", count=1000):
        await client.delete(name)
    await client.aclose()


def sent_count(redis_url: str, prefix: str) -> int:
    """Messages Twilio (Prism) accepted: ledger states "sent" (Prism gives every message the
    same example id, so message ids cannot be counted)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:jobs:send:*", count=1000))
        values = client.mget(keys) if keys else []
        return sum(1 for v in values if v and b'"state":"sent"' in v)
    finally:
        client.close()


def cpu_seconds(workers: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU of the worker processes so far (Linux /proc)."""
    total = 0
    for worker in workers:
        fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def analyse(arrivals: list[tuple[float, str]], n: int, rate: float) -> dict[str, Any]:
    times = sorted(t for t, _ in arrivals)
    first, last = times[0], times[-1]
    per_second = Counter(int(t - first) for t in times)
    full = [per_second[s] for s in range(1, int(last - first))]  # whole seconds, no ramp
    gaps = [b - a for a, b in itertools.pairwise(times)]
    window_max = 0
    j = 0
    for i, t in enumerate(times):  # the busiest sliding 1-second window
        while times[j] < t - 1.0:
            j += 1
        window_max = max(window_max, i - j + 1)
    return {
        "messages": len(times),
        "expected": n,
        "duration_s": round(last - first, 2),
        "sustained_msg_per_s": round((len(times) - 1) / (last - first), 1)
        if last > first
        else None,
        "per_second_median": statistics.median(full) if full else None,
        "per_second_min": min(full) if full else None,
        "per_second_max": max(full) if full else None,
        "busiest_1s_window": window_max,
        "limit_msg_per_s": rate,
        "gap_p50_ms": round(statistics.median(gaps) * 1000, 2) if gaps else None,
        "gap_p01_ms": round(sorted(gaps)[len(gaps) // 100] * 1000, 2) if gaps else None,
    }


def main() -> int:
    """One run, or with --reference the same run alternated with another tree's worker."""
    args = _parser().parse_args()
    if args.serve_mock:
        serve_mock(args.serve_mock)
        return 0
    if args.reference is None:
        return _run(args, None)[0]
    results: list[dict[str, Any]] = []
    status = 0
    for _ in range(args.repeat):
        for tree in (args.reference, None):
            code, figures = _run(args, tree)
            figures["tree"] = str(tree or ROOT)
            figures["load_average"] = round(os.getloadavg()[0], 2)
            results.append(figures)
            status = status or code
    for tree in (str(args.reference), str(ROOT)):
        mine = [r for r in results if r["tree"] == tree]
        print(f"{tree}: sustained msg/s "
              f"{[r['sustained_msg_per_s'] for r in mine]} (median "
              f"{statistics.median(r['sustained_msg_per_s'] or 0 for r in mine)}), CPU ms/message "
              f"{[r['worker_cpu_ms_per_message'] for r in mine]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="notifications")
    parser.add_argument("--rate", type=float, default=400.0, help="WhatsApp msgs/s per sender")
    parser.add_argument("--workers", type=int, default=1, help="frontdoor worker processes")
    parser.add_argument("--concurrency", type=int, default=200, help="jobs at once per worker")
    parser.add_argument("--target", choices=("mock", "prism"), default="mock")
    parser.add_argument("--serve-mock", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--profile", type=Path, help="a script to run the first worker with")
    parser.add_argument("--reference", type=Path, help="another checkout, alternated with this")
    parser.add_argument("--repeat", type=int, default=3, help="rounds with --reference")
    return parser


def _run(args: argparse.Namespace, tree: Path | None) -> tuple[int, dict[str, Any]]:

    redis_url = os.environ.get("FRONTDOOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    prefix = f"fdbench-{uuid.uuid4().hex[:8]}"
    port = free_port()
    if args.target == "mock":
        target = subprocess.Popen([sys.executable, __file__, "--serve-mock", str(port)])
    else:
        prism = ROOT / ".prism" / "node_modules" / ".bin" / "prism"
        target = subprocess.Popen(
            [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
            stdout=subprocess.DEVNULL,
        )
    arrivals: list[tuple[float, str]] = []
    workers: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "FRONTDOOR_REDIS_URL": redis_url,
        "FRONTDOOR_REDIS_KEY_PREFIX": prefix,
        "FRONTDOOR_SECRET_KEY": SECRET,
        "FRONTDOOR_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "FRONTDOOR_TWILIO_AUTH_TOKEN": "bench",
        "FRONTDOOR_TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "FRONTDOOR_TWILIO_SMS_FROM": "+15005550001",
        "FRONTDOOR_TWILIO_API_BASE_URL": f"http://127.0.0.1:{port}",
        "FRONTDOOR_WHATSAPP_RATE_PER_SECOND": str(args.rate),
        "FRONTDOOR_WORKER_CONCURRENCY": str(args.concurrency),
        "FRONTDOOR_LOG_LEVEL": "WARNING",
    }
    if tree is not None:  # that tree's bot package first
        env["PYTHONPATH"] = str(tree.resolve())
    settings = Settings(redis_url=redis_url, redis_key_prefix=prefix, secret_key=SECRET)
    try:
        wait_port(port)
        print(f"preparing {args.n} sessions and notification jobs in Redis ({prefix})...")
        enqueue_rate = asyncio.run(prepare(settings, args.n))
        print(f"enqueued at {enqueue_rate:,.0f} jobs/s; starting {args.workers} worker(s)")
        started = time.time()
        log = open(ROOT / ".bench-worker.log", "ab")  # noqa: SIM115
        worker_cmd = ["-m", "bot.cli", "worker"]
        profiled = [str(args.profile)] if args.profile else worker_cmd
        workers = [
            subprocess.Popen(
                [sys.executable, *(profiled if i == 0 else worker_cmd)],
                env=env,
                cwd=tree or ROOT,  # `-m` puts the working directory first on the path
                stdout=log,
                stderr=log,
            )
            for i in range(args.workers)
        ]
        count, last_count, still = 0, -1, 0
        cpu_at_first: float | None = None
        count_at_first = 0
        while count < args.n and still < 60:
            time.sleep(1)
            if args.target == "mock":
                import httpx

                arrivals = [
                    tuple(a) for a in httpx.get(f"http://127.0.0.1:{port}/stats", timeout=30).json()
                ]
                count = len(arrivals)
            else:
                count = sent_count(redis_url, prefix)
            if count and cpu_at_first is None:
                cpu_at_first, count_at_first = cpu_seconds(workers), count
            still = still + 1 if count == last_count else 0
            last_count = count
            print(f"  {count:>7} sent after {time.time() - started:5.0f} s", flush=True)
        elapsed = time.time() - started
        cpu_used = cpu_seconds(workers) - (cpu_at_first or 0.0)
        cpu_per_message_ms = 1000 * cpu_used / max(1, count - count_at_first)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGINT)  # a clean stop (and the profile written)
        for worker in workers:
            worker.wait(timeout=30)
        target.terminate()
        target.wait(timeout=30)
        asyncio.run(cleanup(redis_url, prefix))
    if args.target == "mock":
        figures = analyse(arrivals, args.n, args.rate)
    else:
        figures = {
            "messages": count,
            "expected": args.n,
            "duration_s": round(elapsed, 1),
            "sustained_msg_per_s": round(count / elapsed, 1),
            "limit_msg_per_s": args.rate,
        }
    figures.update(
        {
            "worker_cpu_ms_per_message": round(cpu_per_message_ms, 2),
            "target": args.target,
            "workers": args.workers,
            "concurrency": args.concurrency,
            "enqueue_jobs_per_s": round(enqueue_rate),
            "wall_s_from_worker_start": round(elapsed, 1),
        }
    )
    print(json.dumps(figures, indent=2))
    if args.json and tree is None and args.reference is None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return (0 if figures["messages"] == args.n else 1), figures


if __name__ == "__main__":
    raise SystemExit(main())
