"""Run the booking sandbox inside the bot's process, on a loopback port, called over HTTP.

Embedded defaults must need nothing else running, yet the bot must talk to the booking API
exactly as it would to a remote one (HTTP, timeouts, JSON), so the sandbox is served by its own
uvicorn server in the same event loop rather than called as Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
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
        # Someone trying the bot (the simulator, `frontdoor chat`) waits for the draw's notice:
        # a tick is a few indexed look-ups, so the embedded sandbox delivers within seconds,
        # not the standalone sandbox's 30.
        scheduler_interval_seconds=2.0,
    )


#: Set in the embedded server's task (a task copies the context it is created in): its
#: start-up and shutdown lines are the host's business, not the operator's.
_IN_EMBEDDED: contextvars.ContextVar[bool] = contextvars.ContextVar("embedded", default=False)


class _QuietEmbedded(logging.Filter):
    """On uvicorn's process-wide loggers, drops the embedded server's routine (INFO) lines and
    keeps the bot's own server's start-up and access lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.INFO or not _IN_EMBEDDED.get()


_FILTER = _QuietEmbedded()


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
    # No log level or log config of its own: uvicorn.Config would re-level (and, without an
    # access log, empty) the process-wide uvicorn loggers the bot's own server uses.
    config = uvicorn.Config(
        create_sandbox_app(settings, clock=clock), log_config=None, log_level=None, lifespan="on"
    )
    config.access_log = False  # read per connection: no access lines for the sandbox's calls
    for name in ("uvicorn.error", "uvicorn.access"):
        if _FILTER not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(_FILTER)
    server = _EmbeddedServer(config)
    marker = _IN_EMBEDDED.set(True)
    try:
        task = asyncio.create_task(server.serve(sockets=[sock]))
    finally:
        _IN_EMBEDDED.reset(marker)
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
