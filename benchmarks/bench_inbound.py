"""Inbound throughput and latency over whole conversations: `frontdoor serve` against a bare
endpoint, alternated in one run.

Each simulated person goes through a whole conversation, one message after the other (the
next one only once the previous was answered): language, consent, registration with one
family member, the summary confirmed (a booking API call), today's request (another), and
the menu again: 19 turns (`TURNS`). Requests are signed as Twilio signs them (before the
run: signing is Twilio's cost) and the bot checks every signature.

What runs, each in its own process, on this machine:
* a `redis-server` of the benchmark's own on a free port (no persistence, deleted after):
  nothing is written to, or flushed from, any other Redis;
* the booking sandbox (SQLite in a temporary directory, requests taken all day);
* the server measured: `frontdoor serve --workers N` exactly as shipped (production mode:
  Redis and a booking API URL), or the bare FastAPI app (empty TwiML) under uvicorn with the
  same flags as `frontdoor serve` (uvloop, h11, access log off);
* this script, the load generator (a minimal keep-alive HTTP/1.1 client on asyncio).

Per server, two phases:
* saturation: a closed loop, `--connections` connections each driving conversations as fast
  as answers come back; figures per turn too;
* steady: an open loop at `--rate` messages/s spread over many conversations; latency counts
  from each message's scheduled time (a stall is not hidden: no coordinated omission).

The servers are measured in turn, `--repeat` times (bare, bot 1 worker, bot 2 workers, bare,
...); the figures are the medians over the repetitions. CPU per message is the server's
processes' CPU time (user + system, workers included) over the phase, divided by messages.

    .venv/bin/python benchmarks/bench_inbound.py       # writes benchmarks/results/inbound.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

HOST = "127.0.0.1"
TOKEN = "benchmark-auth-token-0123456789ab"
PUBLIC = "https://bot.example.org"
PATH = "/twilio/messages"
RESULTS = Path(__file__).parent / "results" / "inbound.json"
BIN = Path(sys.executable).parent
#: An answer later than this counts as an error (Twilio gives up after 15 s).
READ_TIMEOUT = 15.0

#: (name, text): one whole conversation, in Spanish over SMS.
TURNS: list[tuple[str, str]] = [
    ("greeting", "hola"),
    ("language", "1"),
    ("consent", "si"),
    ("menu: register", "1"),
    ("name", "Ana Lucía Martínez Gómez"),
    ("birth date", "12/05/1988"),
    ("nationality", "hondureña"),
    ("port", "5"),
    ("family: yes", "si"),
    ("member name", "Carlos Alberto Reyes Paz"),
    ("member birth date", "03/09/1985"),
    ("relationship", "1"),
    ("member nationality", "Honduras"),
    ("list correct", "4"),
    ("CONFIRM (booking call)", "1"),
    ("menu: today's request", "2"),
    ("request port", "5"),
    ("REQUEST (booking call)", "1"),
    ("menu", "menu"),
]

BARE_APP = """
from fastapi import FastAPI, Request, Response

app = FastAPI()
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


@app.post("/twilio/messages")
async def bare(request: Request) -> Response:
    await request.body()
    return Response(EMPTY, media_type="application/xml")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
"""

SANDBOX = """
import sys, uvicorn
from booking_sandbox.app import create_app
from booking_sandbox.settings import SandboxSettings
settings = SandboxSettings(
    database_url=f"sqlite:///{sys.argv[2]}", scheduler_enabled=False,
    window_opens="00:00", window_closes="23:59",
)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning", access_log=False, loop="uvloop")
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _wait_http(port: int, path: str = "/healthz", timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1) as sock:
                sock.sendall(request)
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered 200 on {port}{path}")


# -- the server's CPU time (its processes and their children, from /proc) ---------------------


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return pids


def _cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for one in _tree(pid):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# -- requests ---------------------------------------------------------------------------------


@dataclass
class Message:
    sender: int
    turn: int
    raw: bytes


def _conversations(count: int, run: str) -> list[list[Message]]:
    """Signed raw HTTP requests, one list of `TURNS` per simulated person."""
    validator = RequestValidator(TOKEN)
    out = []
    for person in range(count):
        phone = f"+1555{run}{person:05d}"
        messages = []
        for turn, (_, text) in enumerate(TURNS):
            sid = f"SM{run}{person:05d}{turn:02d}".ljust(34, "0")
            form = {
                "MessageSid": sid,
                "SmsMessageSid": sid,
                "AccountSid": "AC" + "0" * 32,
                "From": phone,
                "To": "+16195550100",
                "Body": text,
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
            messages.append(Message(person, turn, head + body))
        out.append(messages)
    return out


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                if self.reader is None or self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
                self.writer.write(raw)
                async with asyncio.timeout(READ_TIMEOUT):
                    return await self._answer(self.reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                self.reader = self.writer = None  # an idle keep-alive was closed: once more
                if attempt:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return status, await reader.readexactly(length)


# -- results ----------------------------------------------------------------------------------


@dataclass
class Phase:
    server: str
    phase: str
    sent: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_message: float
    #: turn name -> (p50 ms, p99 ms, msg/s if every message were this turn)
    turns: dict[str, tuple[float, float, float]] = field(default_factory=dict)


def _pct(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)


def _phase(
    server: str,
    phase: str,
    latencies: list[tuple[int, float]],
    errors: int,
    seconds: float,
    cpu: float,
    concurrency: int,
) -> Phase:
    ordered = sorted(lat for _, lat in latencies)
    turns = {}
    for index, (name, _) in enumerate(TURNS):
        mine = sorted(lat for turn, lat in latencies if turn == index)
        if mine:
            rate = concurrency / statistics.fmean(mine)
            turns[name] = (_pct(mine, 0.5), _pct(mine, 0.99), round(rate, 1))
    return Phase(
        server=server,
        phase=phase,
        sent=len(latencies),
        errors=errors,
        seconds=round(seconds, 2),
        throughput=round(len(latencies) / seconds, 1),
        p50_ms=_pct(ordered, 0.5),
        p99_ms=_pct(ordered, 0.99),
        cpu_us_per_message=round(cpu / max(1, len(latencies)) * 1e6, 1),
        turns=turns,
    )


def _answered(status: int, body: bytes, bare: bool) -> bool:
    return status == 200 and (bare or b"<Message>" in body or b"<Message " in body)


async def saturate(
    name: str, pid: int, port: int, people: list[list[Message]], connections: int, bare: bool
) -> Phase:
    todo = iter(people)
    latencies: list[tuple[int, float]] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = Connection(port)
        for conversation in todo:
            for message in conversation:
                start = time.perf_counter()
                try:
                    status, body = await conn.send(message.raw)
                except (TimeoutError, OSError, asyncio.IncompleteReadError):
                    status, body, conn = 0, b"", Connection(port)
                latencies.append((message.turn, time.perf_counter() - start))
                errors += not _answered(status, body, bare)

    cpu = _cpu_seconds(pid)
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    seconds = time.perf_counter() - start
    used = _cpu_seconds(pid) - cpu
    return _phase(name, "saturation", latencies, errors, seconds, used, connections)


async def steady(
    name: str, pid: int, port: int, people: list[list[Message]], rate: float, bare: bool
) -> Phase:
    """Open loop: message k of the schedule is sent at start + k / rate, round robin over the
    people (person p's turn t is message t * len(people) + p); a person's next message also
    waits for the answer to their previous one (latency still counts from the schedule)."""
    idle: list[Connection] = [Connection(port) for _ in range(64)]
    latencies: list[tuple[int, float]] = []
    errors = 0
    # asyncio.Lock wakes its waiters in order: a person's messages go one after the other.
    turn_of = {p: asyncio.Lock() for p in range(len(people))}

    async def one(message: Message, scheduled: float) -> None:
        nonlocal errors
        async with turn_of[message.sender]:
            conn = idle.pop() if idle else Connection(port)
            try:
                status, body = await conn.send(message.raw)
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                status, body, conn = 0, b"", Connection(port)
            latencies.append((message.turn, time.perf_counter() - scheduled))
            errors += not _answered(status, body, bare)
            idle.append(conn)

    schedule = [people[p][t] for t in range(len(TURNS)) for p in range(len(people))]
    tasks = []
    cpu = _cpu_seconds(pid)
    start = time.perf_counter()
    for index, message in enumerate(schedule):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(message, scheduled)))
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - start
    used = _cpu_seconds(pid) - cpu
    return _phase(name, f"steady {rate:g}/s", latencies, errors, seconds, used, 1)


# -- servers ----------------------------------------------------------------------------------


class Services:
    """The benchmark's own redis-server and booking sandbox, for the whole run."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.redis_port, self.sandbox_port = _free_port(), _free_port()
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        redis = shutil.which("redis-server")
        if redis is None:
            raise SystemExit("bench_inbound needs redis-server (it runs one of its own)")
        self.procs.append(
            subprocess.Popen(
                [
                    redis,
                    "--port",
                    str(self.redis_port),
                    "--bind",
                    HOST,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.tmp),
                ],
                stdout=subprocess.DEVNULL,
            )
        )
        db = self.tmp / "sandbox.sqlite3"
        self.procs.append(
            subprocess.Popen(
                [sys.executable, "-c", SANDBOX, str(self.sandbox_port), str(db)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait_http(self.sandbox_port, "/v1/ports")

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(20)


def start_server(kind: str, services: Services, port: int, tmp: Path) -> subprocess.Popen[bytes]:
    cwd = tmp / f"{kind}-{port}"
    cwd.mkdir()
    log = (cwd / "server.log").open("wb")
    if kind == "bare":
        (cwd / "bare_app.py").write_text(BARE_APP)
        command = [str(BIN / "uvicorn"), "bare_app:app", "--port", str(port), "--loop", "uvloop",
                   "--http", "h11", "--no-access-log", "--log-level", "warning"]  # fmt: skip
        env = dict(os.environ)
    else:
        workers = kind.removeprefix("bot-")
        command = [str(BIN / "frontdoor"), "serve", "--port", str(port), "--workers", workers]
        if os.environ.get("BENCH_SERVE_WITHOUT_WORKERS"):  # a version before --workers
            command = command[:-2]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FRONTDOOR_")},
            "FRONTDOOR_REDIS_URL": f"redis://{HOST}:{services.redis_port}/0",
            "FRONTDOOR_BOOKING_API_URL": f"http://{HOST}:{services.sandbox_port}",
            "FRONTDOOR_SECRET_KEY": "benchmark-secret-0123456789abcdef",
            "FRONTDOOR_TWILIO_AUTH_TOKEN": TOKEN,
            "FRONTDOOR_PUBLIC_BASE_URL": PUBLIC,
            "FRONTDOOR_LOG_LEVEL": "WARNING",
            # People type slower than this benchmark: a person's 19 messages in a second would
            # be a flood (12 at once, 30/min). The buckets are still taken, at the same cost.
            "FRONTDOOR_FLOOD_BURST": "1000",
        }
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
    _wait_http(port)
    return proc


def measure(
    kind: str, services: Services, args: argparse.Namespace, rep: int, tmp: Path
) -> list[Phase]:
    port = _free_port()
    proc = start_server(kind, services, port, tmp)
    bare = kind == "bare"
    tag = {"bare": 1, "bot-1": 2, "bot-2": 3}[kind]
    try:
        warm = _conversations(20, f"9{tag}{rep}")
        asyncio.run(saturate(kind, proc.pid, port, warm, 8, bare))
        people = _conversations(args.people, f"1{tag}{rep}")
        sat = asyncio.run(saturate(kind, proc.pid, port, people, args.connections, bare))
        count = max(1, int(args.rate * args.seconds) // len(TURNS))
        calm = _conversations(count, f"2{tag}{rep}")
        std = asyncio.run(steady(kind, proc.pid, port, calm, args.rate, bare))
        for r in (sat, std):
            print(
                f"rep {rep} {kind:6s} {r.phase:12s} {r.throughput:8.1f} msg/s  p50 "
                f"{r.p50_ms:6.2f} ms  p99 {r.p99_ms:7.2f} ms  CPU {r.cpu_us_per_message:7.1f} "
                f"µs/msg  errors {r.errors}/{r.sent}",
                flush=True,
            )
        return [sat, std]
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            print(f"{kind} did not stop within 30 s of SIGTERM: killed", flush=True)
            proc.kill()
            proc.wait()


def _median_rows(phases: list[Phase]) -> list[dict[str, object]]:
    rows = []
    for kind in ("bare", "bot-1", "bot-2"):
        for phase in sorted({p.phase for p in phases}):
            mine = [p for p in phases if p.server == kind and p.phase == phase]
            if not mine:
                continue
            row: dict[str, object] = {"server": kind, "phase": phase}
            for name in ("throughput", "p50_ms", "p99_ms", "cpu_us_per_message"):
                row[name] = round(statistics.median(getattr(p, name) for p in mine), 2)
            row["errors"] = sum(p.errors for p in mine)
            row["sent"] = sum(p.sent for p in mine)
            if not phase.startswith("steady"):
                row["turns"] = {
                    name: tuple(
                        round(statistics.median(p.turns[name][i] for p in mine), 1)
                        for i in range(3)
                    )
                    for name, _ in TURNS
                    if all(name in p.turns for p in mine)
                }
            rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=600, help="conversations at saturation")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--servers", default="bare,bot-1,bot-2")
    args = parser.parse_args()
    load_before = os.getloadavg()
    phases: list[Phase] = []
    with tempfile.TemporaryDirectory(prefix="bench-inbound-") as name:
        tmp = Path(name)
        services = Services(tmp)
        services.start()
        try:
            for rep in range(args.repeat):
                for kind in args.servers.split(","):
                    phases += measure(kind, services, args, rep, tmp)
        finally:
            services.stop()
    rows = _median_rows(phases)
    print(f"\nmedians over {args.repeat} repetitions (load average before: {load_before[0]:.2f}, "
          f"after: {os.getloadavg()[0]:.2f})")  # fmt: skip
    for row in rows:
        print(
            f"{row['server']:6s} {row['phase']:12s} {row['throughput']:8.1f} msg/s  p50 "
            f"{row['p50_ms']} ms  p99 {row['p99_ms']} ms  CPU {row['cpu_us_per_message']} µs/msg"
            f"  errors {row['errors']}/{row['sent']}"
        )
    by = {(r["server"], r["phase"]): r for r in rows}
    sat = "saturation"
    ratios = {}
    for kind in ("bot-1", "bot-2"):
        if (kind, sat) in by and ("bare", sat) in by:
            ratio = float(by[kind, sat]["throughput"]) / float(by["bare", sat]["throughput"])  # type: ignore[arg-type]
            ratios[kind] = round(ratio, 3)
            print(f"{kind} / bare (1 worker) saturation throughput: {ratios[kind]}")
    for kind in ("bot-1", "bot-2"):
        turns = by.get((kind, sat), {}).get("turns")
        if isinstance(turns, dict):
            print(f"\n{kind} per turn at saturation: p50 / p99 ms, msg/s if all were this turn")
            for turn, (p50, p99, rate) in turns.items():
                print(f"  {turn:24s} {p50:7.1f} {p99:8.1f} {rate:9.1f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
                "load_average_before": load_before,
                "load_average_after": os.getloadavg(),
                "args": vars(args),
                "medians": rows,
                "ratios": ratios,
                "runs": [asdict(p) for p in phases],
            },
            indent=1,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
