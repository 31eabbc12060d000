"""The served sandbox's background work, one ``tick`` at a time.

A tick commits to the open request day's seed (``seeds.py``), lapses overdue appointments,
queues due reminders, runs the daily allocation once its
time has come (for every request day that still has pending requests, so a sandbox that was
down at noon catches up), and delivers due webhook events. Everything a tick does is safe to
repeat, so the interval only decides how late things may be, never whether they happen twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_sandbox import seeds
from booking_sandbox.allocator import PortSummary, allocate
from booking_sandbox.appointments import expire_due, queue_reminders
from booking_sandbox.context import SandboxContext
from booking_sandbox.events import DeliveryReport, deliver_due, queue_not_selected
from booking_sandbox.models import AllocationRun, SlotRequest
from booking_sandbox.window import Window

log = logging.getLogger(__name__)


def last_allocatable_day(context: SandboxContext, now: datetime) -> date:
    """The latest request day whose allocation time has come."""
    local = Window.from_settings(context.settings).local(now)
    days_back = 1 if local.time() >= context.settings.allocation_at else 2
    return local.date() - timedelta(days=days_back)


def undecided_days(db: Session, context: SandboxContext, now: datetime) -> list[date]:
    """Request days whose run is due but missing for some port that has requests.

    Looks back ``allocation_catch_up_days`` only: a few indexed look-ups per tick, however many
    requests past days hold.
    """
    latest = last_allocatable_day(context, now)
    days = []
    for back in range(context.settings.allocation_catch_up_days, -1, -1):
        day = latest - timedelta(days=back)
        for port in context.settings.ports:
            if db.get(AllocationRun, (day, port.id)) is not None:
                continue
            waiting = db.scalar(
                select(SlotRequest.id)
                .where(SlotRequest.request_date == day, SlotRequest.port == port.id)
                .limit(1)
            )
            if waiting is not None:
                days.append(day)
                break
    return days


@dataclass
class TickReport:
    lapsed: int = 0
    reminders: int = 0
    not_selected: int = 0
    allocations: list[PortSummary] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def tick(context: SandboxContext, client: httpx.Client) -> TickReport:
    report = TickReport()
    now = context.now()
    seeds.ensure_open_day(context.factory, context.settings, now)
    with context.factory() as db:
        report.lapsed = expire_due(db, now)
        report.reminders = queue_reminders(db, context.settings, now)
        db.commit()
        days = undecided_days(db, context, now)
    for day in days:
        report.allocations += allocate(context.factory, context.settings, day, now)
    with context.factory() as db:
        report.not_selected = queue_not_selected(
            db, now, context.settings.not_selected_batch_size
        )
        db.commit()
    report.delivery = deliver_due(context.factory, context.settings, now, client)
    return report


class Scheduler:
    """Runs ``tick`` every ``scheduler_interval_seconds`` in a worker thread."""

    def __init__(
        self, context: SandboxContext, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._context = context
        self._client = httpx.Client(
            transport=transport, timeout=context.settings.events_timeout_seconds
        )
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            try:
                await asyncio.to_thread(tick, self._context, self._client)
            except Exception:
                log.exception("booking sandbox scheduler tick failed; will try again")
            await asyncio.sleep(self._context.settings.scheduler_interval_seconds)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._client.close()
