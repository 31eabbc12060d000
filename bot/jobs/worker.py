"""The outbound worker: wires the queue, the ledger and the handlers, and runs the feeds.

* `frontdoor worker` (Redis): runs the queue's consumer (taskiq receiver), the booking-events
  feed and the daily reminder. Several workers may run; they share the queue, the ledger, the
  rate limits and the store.
* `frontdoor serve` on embedded defaults (no Redis): the same, inside the web process, with the
  in-memory queue and ledger.
* `frontdoor serve` with Redis: only kicks jobs (status callbacks -> SMS fallback); the worker
  runs them.

The booking-events feed reads the store's "booking-events" log from a cursor and turns each
event into one notification job named after its `event_id`. The cursor moves only after the
job is on the queue, and then the records before it are trimmed from the log (the feed is its
only consumer); an event stored twice, or read again after a crash, gives a job of the same
name, which the handlers apply and send once (see notify.py and sending.py). "Delete my data"
blanks a contact's records still in the log (bot/erasure.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from redis.exceptions import RedisError
from taskiq.api import run_receiver_task

from bot import metrics
from bot.backoff import Outage
from bot.booking.events import EVENTS_STREAM, BookingEvent
from bot.channels.base import Problem, StatusUpdate
from bot.conversation import Conversations
from bot.jobs.ledger import Ledger, MemoryLedger, RedisLedger
from bot.jobs.models import NotifyJob, SendJob
from bot.jobs.notify import NotifyHandler, job_for_event
from bot.jobs.queue import JobQueue, make_broker
from bot.jobs.sending import SendHandler, fallback_job, unseal_parcel
from bot.messages import ChannelKind
from bot.settings import Settings
from bot.store.base import StoreError
from bot.store.codec import SessionCodec

log = logging.getLogger(__name__)

EVENTS_CURSOR = "booking-events"
DAILY_CURSOR = "daily-reminder"
FEED_BATCH = 500


@dataclass
class Outbound:
    """What every process has: kick jobs, record delivery callbacks."""

    settings: Settings
    queue: JobQueue
    ledger: Ledger
    codec: SessionCodec
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    async def record_delivery(self, update: StatusUpdate) -> None:
        """A status callback: kept with the message's record (once per status); a WhatsApp
        refusal sends the SMS version, a carrier STOP stops proactive messages."""
        sid, status, error_code = update.message_id, update.status, update.error_code
        delivery, new = await self.ledger.record_status(sid, status, error_code)
        if delivery is None:
            log.info("delivery %s: %s (not a queued message)", sid, status)
            return
        if not new:
            return
        log.info(
            "delivery %s (job %s): %s%s",
            sid,
            delivery.job_id,
            status,
            f" ({error_code})" if error_code else "",
        )
        if status not in {"failed", "undelivered"} or update.problem is None:
            return
        if update.problem is Problem.OPTED_OUT:
            await self.ledger.set_opted_out(delivery.contact, True)
        elif update.problem is Problem.WINDOW_CLOSED and delivery.fallback:
            job = SendJob(
                job_id=delivery.job_id,
                contact=delivery.contact,
                channel=ChannelKind.WHATSAPP,
                sealed=delivery.fallback,
            )
            sms = fallback_job(self.codec, job, unseal_parcel(self.codec, job.sealed))
            if sms is not None:
                log.info("delivery %s: WhatsApp refused (%s), sending by SMS", sid, error_code)
                await self.queue.send(sms)


@dataclass
class Worker:
    """Runs jobs and feeds them (one per process; several processes may share Redis)."""

    outbound: Outbound
    conversations: Conversations

    def __post_init__(self) -> None:
        settings = self.outbound.settings
        conv = self.conversations
        callback = None
        if settings.public_base_url:
            callback = settings.public_base_url.rstrip("/") + "/twilio/status"
        self.send = SendHandler(
            ledger=self.outbound.ledger,
            sender=conv.sender,
            codec=self.outbound.codec,
            rates={
                ChannelKind.SMS: settings.sms_rate_per_second,
                ChannelKind.WHATSAPP: settings.whatsapp_rate_per_second,
            },
            requeue=self.outbound.queue.send,
            clock=conv.clock,
            max_attempts=settings.send_max_attempts,
            backoff=settings.send_backoff_seconds,
            status_callback=callback,
            lease=timedelta(seconds=settings.worker_reclaim_after_seconds),
        )
        # A notification is sent by the job that rendered it: the job is acknowledged only
        # after the send, so a crash redelivers it, and the ledger makes the send once.
        self.notify = NotifyHandler(conv, self.outbound.codec, self.outbound.ledger, self.send)

        async def run_notify(payload: dict[str, Any]) -> None:
            with metrics.timed("notify_job"):
                await self.notify(NotifyJob.model_validate(payload))

        async def run_send(payload: dict[str, Any]) -> None:
            with metrics.timed("send_job"):
                await self.send(SendJob.model_validate(payload))

        self.outbound.queue.handle(run_notify, run_send)

    async def feed_events_once(self) -> int:
        """Queue a notification for each booking event stored since the last pass (each
        shard of the log on its own, with a cursor of its own)."""
        queued = 0
        for stream in self.conversations.store.log_shards(EVENTS_STREAM):
            cursor = EVENTS_CURSOR if stream == EVENTS_STREAM else f"{EVENTS_CURSOR}:{stream}"
            queued += await self._feed_stream(stream, cursor)
        return queued

    async def _feed_stream(self, stream: str, cursor: str) -> int:
        ledger = self.outbound.ledger
        store = self.conversations.store
        queued = 0
        while True:
            # Records before the log's first were trimmed after this feed had queued them.
            start = max(await ledger.cursor(cursor), await store.log_first(stream))
            records = await store.log_read(stream, start, FEED_BATCH)
            if not records:
                return queued
            for raw in records:
                if not raw:
                    continue  # purged: its contact's data was deleted
                try:
                    event = BookingEvent.model_validate_json(raw)
                except ValidationError:
                    log.error("booking event not readable; skipped")
                    continue
                job = job_for_event(event)
                if job is not None:
                    await self.outbound.queue.notify(job)
                    queued += 1
            await ledger.set_cursor(cursor, start + len(records))
            # Every job is on the queue (which carries what it needs): the log's only consumer
            # has acknowledged these records, so they are dropped rather than kept for ever.
            await store.log_trim(stream, start + len(records))

    async def daily_reminders_once(self) -> int:
        """After the daily time, once a day: one reminder job per contact who asked for it."""
        settings = self.outbound.settings
        ledger = self.outbound.ledger
        now = self.conversations.clock().astimezone(ZoneInfo(settings.daily_reminder_timezone))
        if now.time() < time.fromisoformat(settings.daily_reminder_time):
            return 0
        day = now.date()
        if await ledger.cursor(DAILY_CURSOR) >= day.toordinal():
            return 0
        contacts = await ledger.daily_reminder_contacts()
        for contact in contacts:
            job_id = f"daily-{day.isoformat()}-{contact}"
            await self.outbound.queue.notify(
                NotifyJob(job_id=job_id, contact=contact, purpose="daily_reminder")
            )
        await ledger.set_cursor(DAILY_CURSOR, day.toordinal())
        return len(contacts)

    async def feed_forever(self) -> None:
        interval = self.outbound.settings.events_poll_seconds
        outage = Outage("outbound feed: the store", log, cap=max(5.0, interval))
        while True:
            try:
                await self.feed_events_once()
                await self.daily_reminders_once()
            except (StoreError, OSError, RedisError) as exc:
                await asyncio.sleep(outage.failed(exc))  # logged once per outage
                continue
            except Exception:
                log.exception("outbound feed failed; will try again")
            else:
                outage.ok()
            await asyncio.sleep(interval)

    def start_feeds(self) -> None:
        self.outbound.tasks.append(asyncio.create_task(self.feed_forever()))

    async def consume(self) -> None:
        """Run queued jobs (Redis); returns only when cancelled."""
        await run_receiver_task(
            self.outbound.queue.broker,
            max_async_tasks=self.outbound.settings.worker_concurrency,
            max_prefetch=0,
            run_startup=False,
        )


@contextlib.asynccontextmanager
async def open_outbound(settings: Settings) -> AsyncIterator[Outbound]:
    codec = SessionCodec(settings.secret_key.get_secret_value())
    ledger: Ledger
    if settings.redis_url is None:
        ledger = MemoryLedger()
    else:
        ledger = RedisLedger.from_url(
            settings.redis_url, settings.redis_key_prefix, cluster=settings.redis_cluster
        )
    queue = JobQueue(make_broker(settings))
    await queue.start()
    outbound = Outbound(settings, queue, ledger, codec)
    try:
        yield outbound
    finally:
        for task in outbound.tasks:
            task.cancel()
        for task in outbound.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await queue.close()
        await ledger.close()
