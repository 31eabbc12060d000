"""What operators see of the bot: Prometheus metrics (prometheus-client).

`GET /metrics` on `frontdoor serve`; `frontdoor worker --metrics-port N` serves the worker's.
The metrics are prometheus-client's usual module-level collectors in one registry per process
(what a scrape of that process reads). Labels are channels, languages, kinds, operations and
outcomes: never a phone number or a contact key. Counters move at the edges (the webhook, the
senders, the booking client); gauges (outbox, circuit breaker, handoffs waiting...) are read from
their owners at each scrape, through readers the services register.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from bot.messages import ChannelKind
from bot.sms import segment_count

__all__ = ["CONTENT_TYPE_LATEST", "REGISTRY", "booking_call", "inbound", "render", "sent"]

REGISTRY = CollectorRegistry()
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: Seconds: a webhook turn takes milliseconds, a booking call up to its 8 s budget.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)

RECEIVED = Counter(
    "frontdoor_messages_received", "Messages people sent the bot.",
    ["channel", "language"], registry=REGISTRY,
)  # fmt: skip
REPLIES = Counter(
    "frontdoor_replies", "Reply messages the bot answered with in the webhook.",
    ["channel", "language"], registry=REGISTRY,
)  # fmt: skip
SENT = Counter(
    "frontdoor_messages_sent", "Messages the bot sent on its own (notices, reminders, staff "
    "replies, sign-in codes), by language (\"-\" when not known) and outcome.",
    ["channel", "language", "outcome"], registry=REGISTRY,
)  # fmt: skip
SEGMENTS = Counter(
    "frontdoor_sms_segments", "SMS segments (what SMS costs), in replies and in sends.",
    ["direction"], registry=REGISTRY,
)  # fmt: skip
TURN_SECONDS = Histogram(
    "frontdoor_turn_seconds", "Time to handle one inbound request, by kind.",
    ["kind"], buckets=BUCKETS, registry=REGISTRY,
)  # fmt: skip
BOOKING_CALLS = Counter(
    "frontdoor_booking_calls", "Booking API calls by operation and outcome.",
    ["operation", "outcome"], registry=REGISTRY,
)  # fmt: skip
BOOKING_SECONDS = Histogram(
    "frontdoor_booking_call_seconds", "Booking API call time (all attempts of one call).",
    ["operation"], buckets=BUCKETS, registry=REGISTRY,
)  # fmt: skip
OPT_OUTS = Counter(
    "frontdoor_opt_outs", "People who stopped proactive messages (change=out) or took them "
    "back (change=in).", ["channel", "change"], registry=REGISTRY,
)  # fmt: skip
STATE = Gauge(
    "frontdoor_state", "Size or state of a part of the service at scrape time (outbox, "
    "breaker_open, handoffs_open, opted_out, spooled, queue_lag_seconds...).", ["part"],
    registry=REGISTRY, multiprocess_mode="mostrecent",
)  # fmt: skip

Reader = Callable[[], Awaitable[dict[str, float]]]
_readers: list[Reader] = []


def inbound(channel: ChannelKind, language: str, bodies: list[str], seconds: float) -> None:
    """One inbound message handled by the webhook, with the reply bodies it answered."""
    RECEIVED.labels(channel.value, language or "-").inc()
    TURN_SECONDS.labels("message").observe(seconds)
    REPLIES.labels(channel.value, language or "-").inc(len(bodies))
    if channel is ChannelKind.SMS:
        SEGMENTS.labels("reply").inc(sum(segment_count(b) for b in bodies))


def sent(channel: ChannelKind, body: str, outcome: str, language: str = "") -> None:
    """One message a sender sent (outcome `sent`) or failed to send (`failed`)."""
    SENT.labels(channel.value, language or "-", outcome).inc()
    if outcome == "sent" and channel is ChannelKind.SMS and body:
        SEGMENTS.labels("sent").inc(segment_count(body))


def booking_call(operation: str, outcome: str, seconds: float) -> None:
    BOOKING_CALLS.labels(operation, outcome).inc()
    BOOKING_SECONDS.labels(operation).observe(seconds)


def observe_turn(kind: str, seconds: float) -> None:
    """Time of one handled request or job that is not an inbound message: `booking_event`,
    `status_callback`, `notify_job`, `send_job`."""
    TURN_SECONDS.labels(kind).observe(seconds)


@contextmanager
def timed(kind: str) -> Iterator[None]:
    """`with timed("notify_job"):` observes the block's time as a turn of that kind."""
    started = time.perf_counter()
    try:
        yield
    finally:
        observe_turn(kind, time.perf_counter() - started)


def opt_out(channel: str, change: str) -> None:
    OPT_OUTS.labels(channel or "-", change).inc()


def prepare_multiprocess(directory: Path) -> None:
    """Before `frontdoor serve --workers N` starts its workers: an empty directory in
    PROMETHEUS_MULTIPROC_DIR, which the workers (spawned, so importing prometheus-client
    afresh) find in their environment. Counters and histograms are then summed over the
    workers at each scrape; the gauges are the latest a scrape set."""
    shutil.rmtree(directory, ignore_errors=True)  # counters of a previous run
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory.resolve())


async def serve(host: str, port: int) -> None:
    """`GET /metrics` on a port of its own (`frontdoor worker --metrics-port`), in the
    caller's event loop, so the gauges' readers run at each scrape as they do in serve."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def page(_: Request) -> Response:
        return Response(await render(), media_type=CONTENT_TYPE_LATEST)

    app = Starlette(routes=[Route("/metrics", page)])
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", log_config=None)
    await uvicorn.Server(config).serve()


def add_reader(read: Reader) -> Callable[[], None]:
    """Register `read() -> {part: value}` for the gauges; returns its removal."""
    _readers.append(read)
    return lambda: _readers.remove(read)


async def render() -> bytes:
    for read in list(_readers):
        for part, value in (await read()).items():
            STATE.labels(part).set(value)
    if os.environ.get(MULTIPROC_ENV):  # several workers: what they all counted
        every = CollectorRegistry()
        MultiProcessCollector(every)  # type: ignore[no-untyped-call]
        return bytes(generate_latest(every))
    return bytes(generate_latest(REGISTRY))
