"""Real processes for fault injection: redis-server, `frontdoor serve`, `frontdoor worker`.

Everything runs on free loopback ports with its own Redis (never the shared one: these tests
stop and restart it), in a temporary directory, and is killed with SIGKILL where a scenario
says so. `Tally` rows are collected for the table the suite prints (conftest.py).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from support.live import free_port
from support.prism import CountingTwilio
from support.processes import BotProcess, kill_now, signed, stop_gently, wait_for


@dataclass
class Tally:
    """One scenario's row: messages sent, answered, lost, duplicated (and a note)."""

    scenario: str
    sent: int = 0
    answered: int = 0
    lost: int = 0
    duplicated: int = 0
    note: str = ""


ROWS: list[Tally] = []


@dataclass
class Stack:
    redis: RedisServer
    serve: BotProcess
    worker: BotProcess
    counter: CountingTwilio
    counter_url: str
    prefix: str
    public_url: str


def table(rows: list[Tally]) -> str:
    lines = [
        "| scenario | sent | answered | lost | duplicated | measured |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.scenario} | {row.sent} | {row.answered} | {row.lost} | {row.duplicated} "
            f"| {row.note} |"
        )
    return "\n".join(lines)


class RedisServer:
    """A redis-server of the test's own: started, killed (SIGKILL) and started again on the
    same port and directory. `aof`: appendonly yes with appendfsync always."""

    def __init__(self, directory: Path, *, aof: bool) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.aof = aof
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.aof else [
            "--appendonly", "no"
        ]  # fmt: skip
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.directory), "--save", "", *persistence],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self.answers, 10), "redis-server did not start"

    def answers(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", self.port)) != 0:
                return False
            sock.sendall(b"PING\r\n")
            try:
                return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

    def kill(self) -> None:
        assert self.process is not None
        kill_now(self.process)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            stop_gently(self.process, timeout=10)
            self.process = None


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def raw_request(public_url: str, form: dict[str, str]) -> bytes:
    """A signed webhook request as bytes, for writing on a socket of one's own."""
    body, headers = signed(public_url, form)
    head = "POST /twilio/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    head += f"Content-Length: {len(body)}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (head + "\r\n").encode() + body


def read_response(sock: socket.socket) -> tuple[int, str]:
    """(status, body) of one HTTP/1.1 response with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    found = re.search(rb"content-length: *(\d+)", head, flags=re.I)
    length = int(found.group(1)) if found else 0
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(head.split()[1]), rest[:length].decode()


def flood_from_another_process(
    port: int, requests: list[bytes], connections: int
) -> list[tuple[float, int, str]]:
    """Write `requests` over `connections` keep-alive sockets from a child process (so the
    flood does not take this process's CPU from the measurements made meanwhile); returns
    (seconds, status, body) per request."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    shares = [requests[i::connections] for i in range(connections)]
    children = [
        context.Process(target=_flood_child, args=(port, share, results)) for share in shares
    ]
    for child in children:
        child.start()
    out: list[tuple[float, int, str]] = []
    for _ in children:
        out.extend(results.get(timeout=600))
    for child in children:
        child.join(timeout=30)
    return out


def _flood_child(port: int, requests: list[bytes], results: object) -> None:
    done: list[tuple[float, int, str]] = []
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        for request in requests:
            started = time.monotonic()
            sock.sendall(request)
            status, body = read_response(sock)
            done.append((time.monotonic() - started, status, body))
    results.put(done)  # type: ignore[attr-defined]
