"""Run the booking sandbox inside the bot's process, on a loopback port, called over HTTP.

Embedded defaults must need nothing else running, yet the bot must talk to the booking API
exactly as it would to a remote one (HTTP, timeouts, JSON), so the sandbox is served by its own
uvicorn server in the same event loop rather than called as Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path

import uvicorn

from booking_sandbox.app import create_app as create_sandbox_app
from booking_sandbox.settings import SandboxSettings

log = logging.getLogger(__name__)


def embedded_sandbox_settings(
    data_dir: Path, *, events_url: str | None = None, events_secret: str | None = None
) -> SandboxSettings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return SandboxSettings(
        events_webhook_url=events_url,
        events_secret=events_secret,
        database_url=f"sqlite:///{data_dir / 'booking_sandbox.sqlite3'}",
        # A demo must work at any hour: the embedded sandbox takes requests all day.
        # The standalone sandbox (`frontdoor sandbox`) keeps the real 12:00-23:59 ET window.
        window_opens="00:00",
        window_closes="23:59",
        # The bot's "reminder the day before the appointment" is this event.
        appointment_reminder_hours_before=24,
    )


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to the host process (the bot's own server or
    `frontdoor chat`): Ctrl-C must stop the bot, which then stops this server in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve_embedded_sandbox(
    settings: SandboxSettings, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[str]:
    """Serve the sandbox on 127.0.0.1:<free port>; yields its base URL.

    `clock` is shared with the bot in tests and demos so both sides agree on "today".
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_sandbox_app(settings, clock=clock),
        log_level="warning",
        lifespan="on",
        access_log=False,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        task.cancel()
        raise RuntimeError("the embedded booking sandbox did not start")
    url = f"http://127.0.0.1:{port}"
    log.info("embedded booking sandbox at %s", url)
    try:
        yield url
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=5)
        sock.close()
