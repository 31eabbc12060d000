"""The daily allocation run against the database: load, decide (``allocation``), record.

One transaction per port: its appointments, every request's decision and reason, the events
for every household, and the ``allocation_runs`` audit row commit together or not at all. The
audit row's primary key (request day, port) makes a second run for the same day a no-op, so
the scheduler, the CLI and a retry can all call ``allocate`` safely.

Which dates are offered: appointments are ``lead_days_min``-``lead_days_max`` days after the
run. Each run opens one new date (``lead_days_max`` ahead) and re-offers the free places
(lapsed, cancelled, never taken) of dates opened by earlier runs that are still in reach, so a
cold start does not hand out several days of capacity at once.

Reads are bulk (one query of one table for all of a day's requests). Only the selected requests
are written: a request still "pending" after its day's run was not drawn, which is how the API
reports it (``views.request_view``: not_selected, not_drawn), and the run row holds the
figures, the offered slots and every request's packed row (``publication.py``) which, with the
day's seed (``seeds.py``, committed to before the window closed), reproduce every decision.
Their "not_selected" events are queued in batches after the run
(``events.queue_not_selected``). So the run's cost grows with the number of requests only
through one read (and one hash per request for its draw key), not a million-row UPDATE.
"""

from __future__ import annotations

import time as timer
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_sandbox import seeds
from booking_sandbox.allocation import REASON_NAMES, WAITED_LONGEST, allocate_port
from booking_sandbox.appointments import expire_due
from booking_sandbox.db import SessionFactory
from booking_sandbox.draw import ALGORITHM
from booking_sandbox.ids import new_id
from booking_sandbox.models import (
    AllocationRun,
    Appointment,
    Event,
    SlotRequest,
)
from booking_sandbox.ports import PortConfig, parse_hhmm
from booking_sandbox.publication import pack_entries
from booking_sandbox.request_columns import load_columns
from booking_sandbox.settings import SandboxSettings
from booking_sandbox.window import Window

ACTIVE = ("allocated", "confirmed")


@dataclass(frozen=True)
class PortSummary:
    port: str
    request_date: date
    already_done: bool
    seed: str
    capacity: int
    longest_waiting_budget: int
    households_requested: int
    people_requested: int
    households_waited_longest: int
    people_waited_longest: int
    households_drawn: int
    people_drawn: int
    seconds_load: float = 0.0
    seconds_decide: float = 0.0
    seconds_write: float = 0.0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["request_date"] = self.request_date.isoformat()
        return data


def _summary_of(run: AllocationRun) -> PortSummary:
    return PortSummary(
        port=run.port,
        request_date=run.request_date,
        already_done=True,
        seed=run.seed,
        capacity=run.capacity,
        longest_waiting_budget=run.longest_waiting_budget,
        households_requested=run.households_requested,
        people_requested=run.people_requested,
        households_waited_longest=run.households_waited_longest,
        people_waited_longest=run.people_waited_longest,
        households_drawn=run.households_drawn,
        people_drawn=run.people_drawn,
    )


def offered_dates(
    db: Session, settings: SandboxSettings, port: PortConfig, base: date
) -> list[date]:
    first_base = db.scalar(
        select(func.min(AllocationRun.base_date)).where(AllocationRun.port == port.id)
    )
    first_open = (first_base or base) + timedelta(days=settings.lead_days_max)
    return [
        base + timedelta(days=days)
        for days in range(settings.lead_days_min, settings.lead_days_max + 1)
        if base + timedelta(days=days) >= first_open
    ]


def free_places(
    db: Session, port: PortConfig, dates: list[date]
) -> list[tuple[date, str, int]]:
    """Free places per (date, time), earliest first: capacity minus active appointments."""
    taken: dict[tuple[date, str], int] = {}
    if dates:
        rows = db.execute(
            select(Appointment.appointment_date, Appointment.appointment_time,
                   func.sum(Appointment.people))
            .where(
                Appointment.port == port.id,
                Appointment.appointment_date.in_(dates),
                Appointment.status.in_(ACTIVE),
            )
            .group_by(Appointment.appointment_date, Appointment.appointment_time)
        ).all()
        taken = {(row[0], row[1]): int(row[2] or 0) for row in rows}
    per_time = port.capacity_per_time()
    return [
        (day, at, max(0, per_time[index] - taken.get((day, at), 0)))
        for day in dates
        for index, at in enumerate(port.appointment_times)
    ]


def _starts_at(port: PortConfig, day: date, at: str) -> datetime:
    clock_time: time = parse_hhmm(at)
    return datetime.combine(day, clock_time, tzinfo=port.zone)


def allocate_one_port(
    factory: SessionFactory,
    settings: SandboxSettings,
    port_index: int,
    request_date: date,
    now: datetime,
    seed: bytes,
) -> PortSummary:
    port = settings.ports[port_index]
    with factory() as db:
        done = db.get(AllocationRun, (request_date, port.id))
        if done is not None:
            return _summary_of(done)
        expire_due(db, now)
        started = timer.perf_counter()
        base = max(Window.from_settings(settings).today(now), request_date + timedelta(days=1))
        slots = free_places(db, port, offered_dates(db, settings, port, base))
        requests = load_columns(db, port.id, request_date, seed)
        sizes, registered = requests.sizes, requests.registered
        loaded = timer.perf_counter()

        result = allocate_port(
            sizes, registered, [free for _, _, free in slots], settings.longest_waiting_share,
            requests.keys,
        )
        longest = result.reason == WAITED_LONGEST
        cutoff = (
            date.fromordinal(int(registered[longest].max())) if longest.any() else None
        )
        decided = timer.perf_counter()

        chosen = np.flatnonzero(result.slot >= 0).tolist()
        request_ids = {index: requests.id_at(index) for index in chosen}
        registration_of: dict[str, str] = {}
        if chosen:
            # Result has .keys(), so dict(result) would treat it as a mapping: build it by hand.
            for request_id, registration_id in db.execute(
                select(SlotRequest.id, SlotRequest.registration_id).where(
                    SlotRequest.id.in_(list(request_ids.values()))
                )
            ):
                registration_of[request_id] = registration_id
        appointments: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        for index in chosen:
            day, at, _free = slots[int(result.slot[index])]
            reason = REASON_NAMES[int(result.reason[index])]
            appointments.append(
                {
                    "id": new_id("apt"),
                    "registration_id": registration_of[request_ids[index]],
                    "request_id": request_ids[index],
                    "port": port.id,
                    "appointment_date": day,
                    "appointment_time": at,
                    "starts_at": _starts_at(port, day, at),
                    "people": int(sizes[index]),
                    "status": "allocated",
                    "reason": reason,
                    "allocated_at": now,
                    "confirm_by": now + settings.confirm_within,
                }
            )
            decisions.append({"id": request_ids[index], "status": "selected", "reason": reason})
        if appointments:
            db.execute(insert(Appointment), appointments)
            db.execute(update(SlotRequest), decisions)
            db.execute(
                insert(Event),
                [
                    {
                        "id": f"evt_allocated_{row['id']}",
                        "type": "allocated",
                        "registration_id": row["registration_id"],
                        "request_id": row["request_id"],
                        "appointment_id": row["id"],
                        "occurred_at": now,
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                    for row in appointments
                ],
            )
        summary = PortSummary(
            port=port.id,
            request_date=request_date,
            already_done=False,
            seed=seed.hex(),
            capacity=result.capacity,
            longest_waiting_budget=result.longest_waiting_budget,
            households_requested=len(requests),
            people_requested=int(sizes.sum()),
            households_waited_longest=result.households_waited_longest,
            people_waited_longest=result.people_waited_longest,
            households_drawn=result.households_drawn,
            people_drawn=result.people_drawn,
        )
        db.add(
            AllocationRun(
                request_date=request_date,
                port=port.id,
                base_date=base,
                ran_at=now,
                not_selected_queued=False,
                algorithm=ALGORITHM,
                longest_waiting_share=settings.longest_waiting_share,
                longest_waiting_cutoff=cutoff,
                slots=[
                    {"date": day.isoformat(), "time": at, "free": free}
                    for day, at, free in slots
                ],
                entries=pack_entries(requests.ids, sizes, registered, result),
                **{
                    key: value
                    for key, value in summary.as_json().items()
                    if key not in ("port", "request_date", "already_done")
                    and not key.startswith("seconds_")
                },
            )
        )
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            existing = db.get(AllocationRun, (request_date, port.id))
            if existing is None:
                raise
            return _summary_of(existing)
        written = timer.perf_counter()
    return PortSummary(
        **{
            **asdict(summary),
            "seconds_load": loaded - started,
            "seconds_decide": decided - loaded,
            "seconds_write": written - decided,
        }
    )


def allocate(
    factory: SessionFactory,
    settings: SandboxSettings,
    request_date: date,
    now: datetime,
    seed: int | None = None,
) -> list[PortSummary]:
    """Allocate every port's requests for ``request_date``; already-run ports are reported.

    The draw uses the day's committed seed (``seeds.py``); ``seed`` (or ``settings.seed``)
    only decides the seed when none was committed to yet.
    """
    chosen_seed = settings.seed if seed is None else seed
    day_seed = bytes.fromhex(seeds.ensure(factory, request_date, now, chosen_seed).seed)
    return [
        allocate_one_port(factory, settings, index, request_date, now, day_seed)
        for index in range(len(settings.ports))
    ]


