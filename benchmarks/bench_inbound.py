"""Inbound message throughput and latency: the bot's /twilio/messages against a bare endpoint.

Both servers run the same way (one uvicorn process, uvloop + httptools, access log off) on this
machine; the bare one only returns empty TwiML, so it is the ceiling. The bot uses the Redis
store, a signature check on every request, and real conversations (each sender's message moves
its conversation on). The load generator is a separate process with a minimal keep-alive
HTTP/1.1 client (an HTTP library would cost more CPU than the servers it measures).

Two measurements per server:
* saturation: closed loop, N connections each sending as fast as answers come back;
* steady: open loop at a fixed rate; latency counts from the scheduled send time, so a stall
  is not hidden (no coordinated omission).

    .venv/bin/python benchmarks/bench_inbound.py            # writes benchmarks/results/inbound.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from twilio.request_validator import RequestValidator

HOST = "127.0.0.1"
TOKEN = "benchmark-auth-token-0123456789ab"
PUBLIC = "https://bot.example.org"
PATH = "/twilio/messages"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
RESULTS = Path(__file__).parent / "results" / "inbound.json"
BODIES = ("hola", "1", "si", "1", "Maria Perez", "14/02/1992", "honduras", "8")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _run_server(app: FastAPI, port: int) -> None:
    """The same server settings for both apps: the comparison is only fair that way."""
    import uvicorn

    uvicorn.run(
        app,
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


def _serve_bot(port: int) -> None:
    from pydantic import SecretStr

    from bot.app import create_app
    from bot.settings import Settings

    settings = Settings(
        redis_url=REDIS_URL,
        twilio_auth_token=SecretStr(TOKEN),
        public_base_url=PUBLIC,
        secret_key=SecretStr("benchmark-secret"),
        # As in production: the booking API is another service (the sandbox, own process),
        # so its scheduler does not share the bot's event loop.
        booking_api_url=os.environ["BENCH_BOOKING_API_URL"],
        log_level="WARNING",
    )
    app = create_app(settings, data_dir=Path(f"/tmp/frontdoor-bench-{port}"))
    _run_server(app, port)


def _serve_sandbox(port: int) -> None:
    from booking_sandbox.app import create_app as create_sandbox
    from booking_sandbox.settings import SandboxSettings

    db = Path(f"/tmp/frontdoor-bench-sandbox-{port}.sqlite3")
    settings = SandboxSettings(database_url=f"sqlite:///{db}", scheduler_enabled=False)
    _run_server(create_sandbox(settings), port)


def _serve_bare(port: int) -> None:
    app = FastAPI()
    empty = '<?xml version="1.0" encoding="UTF-8"?><Response />'

    @app.post(PATH)
    async def bare(request: Request) -> Response:
        await request.body()
        return Response(empty, media_type="application/xml")

    _run_server(app, port)


def _requests(count: int, senders: int, run_id: str) -> list[bytes]:
    """Pre-built signed raw HTTP requests: signing is the sender's (Twilio's) cost, not ours."""
    validator = RequestValidator(TOKEN)
    out = []
    for i in range(count):
        sender = f"+1555{run_id}{i % senders:06d}"
        turn = i // senders
        sid = f"SM{run_id}{i:026d}"
        form = {
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": sender,
            "To": "+16195550100",
            "Body": BODIES[turn % len(BODIES)],
            "NumMedia": "0",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        body = urlencode(form).encode()
        signature = validator.compute_signature(PUBLIC + PATH, form)
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: bot.example.org\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        out.append(head + body)
    return out


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def send(self, raw: bytes, port: int) -> int:
        try:
            return await self._send(raw)
        except (asyncio.IncompleteReadError, ConnectionError):
            # The server closed an idle keep-alive connection: reconnect once.
            self.reader, self.writer = await asyncio.open_connection(HOST, port)
            return await self._send(raw)

    async def _send(self, raw: bytes) -> int:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status


@dataclass
class Result:
    mode: str
    sent: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float


def _summary(mode: str, latencies: list[float], errors: int, seconds: float) -> Result:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
    return Result(
        mode=mode,
        sent=len(latencies),
        errors=errors,
        seconds=round(seconds, 2),
        throughput=round(len(latencies) / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2) if ordered else float("nan"),
        p99_ms=round(p99 * 1000, 2),
    )


async def saturate(port: int, raws: list[bytes], connections: int) -> Result:
    queue = iter(raws)
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = await Connection.open(port)
        for raw in queue:
            start = time.perf_counter()
            if await conn.send(raw, port) != 200:
                errors += 1
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return _summary(
        f"saturation ({connections} connections)", latencies, errors, time.perf_counter() - start
    )


async def steady(port: int, raws: list[bytes], rate: float) -> Result:
    idle: list[Connection] = [await Connection.open(port) for _ in range(32)]
    latencies: list[float] = []
    errors = 0

    async def one(raw: bytes, scheduled: float) -> None:
        nonlocal errors
        conn = idle.pop() if idle else await Connection.open(port)
        if await conn.send(raw, port) != 200:
            errors += 1
        latencies.append(time.perf_counter() - scheduled)
        idle.append(conn)

    tasks = []
    start = time.perf_counter()
    for i, raw in enumerate(raws):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raw, scheduled)))
    await asyncio.gather(*tasks)
    return _summary(f"steady {rate:g}/s", latencies, errors, time.perf_counter() - start)


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def measure(name: str, target: Callable[[int], None], args: argparse.Namespace) -> list[Result]:
    port = _free_port()
    proc = multiprocessing.get_context("spawn").Process(target=target, args=(port,), daemon=True)
    proc.start()
    try:
        _wait_for(port)
        run_id = f"{port % 10000:04d}"
        results = []
        warm = _requests(500, 250, "9" + run_id[1:])
        asyncio.run(saturate(port, warm, 8))
        sat = _requests(args.saturation_messages, args.senders, run_id)
        results.append(asyncio.run(saturate(port, sat, args.connections)))
        run_id2 = f"{(port + 1) % 10000:04d}"
        std = _requests(int(args.rate * args.seconds), args.senders, "8" + run_id2[1:])
        results.append(asyncio.run(steady(port, std, args.rate)))
        for r in results:
            print(
                f"{name:5s} {r.mode:28s} {r.throughput:8.1f}/s  p50 {r.p50_ms:7.2f} ms  "
                f"p99 {r.p99_ms:7.2f} ms  errors {r.errors}",
                flush=True,
            )
        return results
    finally:
        proc.terminate()
        proc.join(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saturation-messages", type=int, default=6000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--senders", type=int, default=2000)
    args = parser.parse_args()
    _flush_redis()
    bare = measure("bare", _serve_bare, args)
    sandbox_port = _free_port()
    sandbox = multiprocessing.get_context("spawn").Process(
        target=_serve_sandbox, args=(sandbox_port,), daemon=True
    )
    sandbox.start()
    _wait_for(sandbox_port)
    os.environ["BENCH_BOOKING_API_URL"] = f"http://{HOST}:{sandbox_port}"
    try:
        bot = measure("bot", _serve_bot, args)
    finally:
        sandbox.terminate()
        sandbox.join(10)
    _flush_redis()
    ratio = round(bot[0].throughput / bare[0].throughput, 3)
    print(f"bot/bare saturation throughput ratio: {ratio}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
                "args": vars(args),
                "bare": [asdict(r) for r in bare],
                "bot": [asdict(r) for r in bot],
                "saturation_ratio": ratio,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
