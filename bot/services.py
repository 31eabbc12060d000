"""Everything a request handler needs, built once per app by the lifespan (no globals)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx

from bot import metrics
from bot.booking.breaker import BreakerState, CircuitBreaker
from bot.booking.client import BookingClient
from bot.channels.base import StatusUpdate
from bot.conversation import Conversations, utcnow
from bot.engine.loader import load_flows
from bot.engine.runner import Engine
from bot.i18n import Catalogs
from bot.intake import Intake
from bot.jobs.queue import ReclaimingStreamBroker
from bot.jobs.worker import Outbound, Worker, open_outbound
from bot.languages import parse_codes
from bot.outbound import RecordingSender, Sender
from bot.ports import PortDirectory
from bot.replay import replay_outbox_forever, replay_outbox_once
from bot.settings import Settings
from bot.simulator.sender import with_simulator
from bot.speech.recordings import Recordings
from bot.speech.service import Speech, open_speech
from bot.spool import Spool
from bot.staff.chat import StaffHub
from bot.staff.service import StaffService, open_staff
from bot.store.base import Store
from bot.store.factory import open_store
from bot.store.redis import RedisStore
from bot.understanding import LazyParser

log = logging.getLogger(__name__)

#: Seconds the worker waits for a contact's lock (the webhook waits FRONTDOOR_LOCK_TIMEOUT).
WORKER_LOCK_WAIT = 60.0


@dataclass
class Services:
    settings: Settings
    store: Store
    catalogs: Catalogs
    conversations: Conversations
    #: Empty in a worker without a booking API (it needs none).
    booking_url: str
    sender: Sender
    outbound: Outbound
    #: The webhook's way in: limits, replay protection, the spool (bot/intake.py).
    intake: Intake
    #: Shelter staff, handoffs and the portal's data (bot/staff/).
    staff: StaffService | None = None
    #: Runs outbound jobs in this process (embedded defaults, or `frontdoor worker`).
    worker: Worker | None = None
    #: Spoken prompts (bot/speech/): voice notes and the phone line; None when off.
    speech: Speech | None = None

    async def replay_outbox(self) -> int:
        """Retry saved booking calls now; returns how many contacts still wait."""
        return await replay_outbox_once(self.conversations, self.store)

    async def record_delivery(self, update: StatusUpdate) -> None:
        """A status callback: recorded with the message (bot/jobs/worker.py)."""
        await self.outbound.record_delivery(update)


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    booking_transport: httpx.AsyncBaseTransport | None = None,
    data_dir: Path = Path(".frontdoor"),
    sender: Sender | None = None,
    background: bool = True,
    role: str = "serve",
    parser: LazyParser | None = None,
) -> AsyncIterator[Services]:
    """Start everything in dependency order; a configured but unusable part stops start-up.

    `role="worker"` (`frontdoor worker`): no web-facing parts (no embedded sandbox, no outbox
    replay); the outbound jobs run here. With `role="serve"` they run here only on embedded
    defaults (no Redis); with Redis, `frontdoor worker` runs them. `role="audit"`
    (`frontdoor privacy audit`): the store, ledger, staff database and booking API, no jobs.
    """
    catalogs = Catalogs.load(settings.translations_dir, parse_codes(settings.show_drafts))
    flowset = load_flows(settings.flows_dir, catalogs)
    parser = parser or LazyParser(settings.nlu_backend, settings.rasa_url)
    if role == "serve":  # the worker only renders notices: it never parses what people write
        await asyncio.to_thread(parser.load)  # trained once per data version, then cached
    engine = Engine(
        flowset, catalogs, max_failures=settings.max_failed_tries, understand=parser.understand
    )
    speech = None
    if role == "serve":
        speech = open_speech(
            settings.speech_engine,
            data_dir / "media",
            settings.secret_key.get_secret_value(),
            settings.media_ttl_seconds,
            Recordings.load(settings.translations_dir, catalogs),
        )
    # A notification job that gave up on a busy contact's lock would be acknowledged and lost
    # (taskiq acknowledges failed jobs too): the worker waits longer than a webhook may.
    store = await open_store(settings, lock_timeout=WORKER_LOCK_WAIT if role == "worker" else None)
    if isinstance(store, RedisStore):
        problem = await store.persistence_problem()
        if problem is not None:
            log.warning("%s", problem)
    try:
        async with contextlib.AsyncExitStack() as stack:
            booking_url: str | None
            if settings.booking_api_url:
                booking_url = settings.booking_api_url
            elif role == "worker":
                booking_url = None  # the worker only needs port names: shown by id then
            else:
                # Imported only when embedded: the sandbox (scipy, matplotlib, its Alembic
                # migrations) is most of the bot's import time, and production never runs it.
                from bot.embedded_sandbox import embedded_sandbox_settings, serve_embedded_sandbox

                sandbox_settings = embedded_sandbox_settings(
                    data_dir,
                    events_url=settings.self_url.rstrip("/") + "/booking/events",
                    events_secret=settings.events_secret(),
                )
                booking_url = await stack.enter_async_context(
                    serve_embedded_sandbox(sandbox_settings, clock)
                )
            booking = BookingClient(
                booking_url or "http://127.0.0.1:9",  # never called without a URL
                timeout=settings.booking_timeout_seconds,
                retries=settings.booking_retries,
                budget=settings.booking_budget_seconds,
                breaker=CircuitBreaker(
                    threshold=settings.booking_breaker_threshold,
                    reset_after=settings.booking_breaker_reset_seconds,
                ),
                transport=booking_transport,
            )
            stack.push_async_callback(booking.close)
            sender = sender or _make_sender(settings)
            if settings.simulator_enabled:  # its +1 555 numbers are never really sent to
                sender = with_simulator(sender)
            stack.push_async_callback(sender.close)
            # The port question has its options even when the booking API is down now: the
            # configured ports, or the last list it gave (kept in the store).
            ports = PortDirectory(booking if booking_url else None, store)
            await ports.refresh()
            stack.push_async_callback(ports.close)
            outbound = await stack.enter_async_context(open_outbound(settings))
            # The worker needs the staff tables too: results of households registered by
            # staff go to the family's phone or to the staff phone and the shelter's inbox.
            staff = await stack.enter_async_context(
                open_staff(settings, data_dir, flowset, catalogs, booking, sender, clock)
            )
            conversations = Conversations(
                settings=settings,
                store=store,
                engine=engine,
                booking=booking,
                ports=ports,
                sender=sender,
                clock=clock,
                ledger=outbound.ledger,
                staff=StaffHub(staff, engine),
                jobs=outbound.queue,
            )
            spool = None
            if role == "serve":
                spool = Spool.open(data_dir / "spool", outbound.codec, settings.spool_max_bytes)
                stack.callback(spool.close)
            intake = Intake(
                conversations,
                catalogs,
                dict(flowset.messages),
                spool,
                outbound.queue.send,
                outbound.codec,
                flood_burst=settings.flood_burst,
                flood_per_second=settings.flood_per_minute / 60,
                ledger=outbound.ledger,
            )
            worker = None
            if role == "worker" or (settings.redis_url is None and role == "serve"):
                worker = Worker(outbound, conversations)
                if background:
                    worker.start_feeds()
            if background and role == "serve":
                task = asyncio.create_task(
                    replay_outbox_forever(conversations, store, settings.replay_interval_seconds)
                )
                stack.push_async_callback(_cancel, task)
                spool_task = asyncio.create_task(intake.replay_spool_forever(1.0))
                stack.push_async_callback(_cancel, spool_task)
            reader = _state_reader(store, booking, outbound, intake, staff)
            stack.callback(metrics.add_reader(reader))
            yield Services(
                settings,
                store,
                catalogs,
                conversations,
                booking_url or "",
                sender,
                outbound,
                intake,
                staff,
                worker,
                speech,
            )
    finally:
        await store.close()


def _state_reader(
    store: Store, booking: BookingClient, outbound: Outbound, intake: Intake, staff: StaffService
) -> Callable[[], Awaitable[dict[str, float]]]:
    """The gauges of `GET /metrics`, read at scrape time from their owners (shared state such
    as the outbox or the queue reads the same in every process; the spool is this one's)."""

    async def read() -> dict[str, float]:
        state = {
            "outbox_contacts": float(len(await store.outbox())),
            "booking_breaker_open": float(booking.breaker.state is not BreakerState.CLOSED),
            "spooled": float(intake.spooled()),
            "opted_out": float(await outbound.ledger.opted_out_count()),
            "handoffs_open": float(await staff.db(staff.repo.open_handoff_count)),
        }
        broker = outbound.queue.broker
        if isinstance(broker, ReclaimingStreamBroker):
            state["queue_jobs"] = float(await broker.queued())
            state["queue_lag_seconds"] = await broker.lag_seconds()
        return state

    return read


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _make_sender(settings: Settings) -> Sender:
    token = settings.twilio_auth_token
    if settings.twilio_account_sid and token is not None:
        from bot.channels.twilio.sender import TwilioSender

        return TwilioSender(
            account_sid=settings.twilio_account_sid,
            auth_token=token.get_secret_value(),
            sms_from=settings.twilio_sms_from,
            whatsapp_from=settings.twilio_whatsapp_from,
            api_base_url=settings.twilio_api_base_url,
        )
    log.warning(
        "no Twilio account configured (FRONTDOOR_TWILIO_ACCOUNT_SID): messages the bot sends "
        "on its own (notices, sign-in codes, staff replies) are not sent"
        + (": they are printed on this console" if settings.console_outbound else "")
    )
    return RecordingSender(echo=settings.console_outbound)
