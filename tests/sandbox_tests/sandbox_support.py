"""Helpers shared by the sandbox tests (imported by name; pytest puts this folder on the path)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from fastapi import FastAPI


class FakeClock:
    """A clock the test moves by hand; starts on a weekday afternoon, inside the window."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # 14:00 New York

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """uvicorn in a thread on a free port: the sandbox over real HTTP."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def household(
    *, members: int = 0, birth_date: str = "1990-05-17", port: str = "brownsville",
    contact_ref: str | None = None,
) -> dict[str, Any]:
    """A valid registration body with ``members`` extra people, for a new contact unless
    ``contact_ref`` is given (it is a natural key: one registration per contact)."""
    return {
        "contact_ref": contact_ref or f"contact-{uuid.uuid4().hex[:12]}",
        "port": port,
        "primary": {"full_name": "Ana María Pérez", "birth_date": birth_date,
                    "nationality": "CO"},
        "members": [
            {"full_name": f"Member {index}", "birth_date": "2015-01-0" + str(index % 9 + 1),
             "nationality": "CO", "relationship": "child"}
            for index in range(members)
        ],
    }


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}
