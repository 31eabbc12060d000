"""The fast allocation run decides exactly what the obvious one decides (issue 16).

Three oracles, each the version first written, kept for this: the rule
(``allocation_reference.allocate_port_reference``: a sort of the 32-byte keys themselves), the
loading (``request_columns.load_rows``: ORM rows, keys hashed in Python) and the whole run
(both of those together), on 20,000 requests in SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from allocation_reference import allocate_port_reference
from sqlalchemy import delete, insert, select, update

from booking_sandbox import allocator
from booking_sandbox.allocation import allocate_port, key_order
from booking_sandbox.app import build_context
from booking_sandbox.draw import draw_keys
from booking_sandbox.models import AllocationRun, Appointment, Event, Registration, SlotRequest
from booking_sandbox.publication import unpack_entries
from booking_sandbox.request_columns import _load_postgres, load_columns, load_rows
from booking_sandbox.settings import SandboxSettings

REQUEST_DAY = date(2026, 3, 10)
RUN_AT = datetime(2026, 3, 11, 16, 5, tzinfo=UTC)
REQUESTS = 20_000


def _same(fast: Any, slow: Any) -> None:
    assert fast.reason.tolist() == slow.reason.tolist()
    assert fast.slot.tolist() == slow.slot.tolist()
    assert (fast.capacity, fast.longest_waiting_budget, fast.people_waited_longest,
            fast.people_drawn) == (slow.capacity, slow.longest_waiting_budget,
                                   slow.people_waited_longest, slow.people_drawn)


@pytest.mark.parametrize("seed", range(40))
def test_the_rule_decides_as_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = int(rng.integers(0, 3000))
    sizes = rng.integers(1, 9, size=count)
    registered = rng.integers(0, 30, size=count)  # many households registered the same day
    free = rng.integers(0, 60, size=int(rng.integers(1, 12))).tolist()
    share = float(rng.choice([0.0, 0.3, 0.6, 1.0]))
    ids = [f"req_{value:032x}" for value in rng.integers(0, 2**62, size=count)]
    keys = draw_keys(seed.to_bytes(32, "big"), "border", ids)
    _same(allocate_port(sizes, registered, free, share, keys),
          allocate_port_reference(sizes, registered, free, share, keys))
    floats = rng.random(count).round(2)  # float keys (as tests use), with ties
    _same(allocate_port(sizes, registered, free, share, floats),
          allocate_port_reference(sizes, registered, free, share, floats))


def test_keys_sharing_their_first_bytes_sort_as_bytes() -> None:
    rng = np.random.default_rng(7)
    digests = [hashlib.sha256(str(index).encode()).digest() for index in range(2000)]
    # Half the keys share their first 8 bytes (or all 32) with another: the rare case.
    shared = [digests[index // 2][:8] + digest[8:] for index, digest in enumerate(digests)]
    shared[5] = shared[4]
    keys = np.array(shared, dtype="S32")
    assert key_order(keys).tolist() == np.argsort(keys, kind="stable").tolist()
    sizes = rng.integers(1, 9, size=len(keys))
    registered = rng.integers(0, 5, size=len(keys))
    _same(allocate_port(sizes, registered, [40, 40], 0.5, keys),
          allocate_port_reference(sizes, registered, [40, 40], 0.5, keys))


def _fill(settings: SandboxSettings, count: int = REQUESTS) -> None:
    context = build_context(settings)
    rng = np.random.default_rng(3)
    ports = [port.id for port in settings.ports]
    registrations, requests = [], []
    for index in range(count):
        registered_at = RUN_AT - timedelta(seconds=float(rng.uniform(86400, 365 * 86400)))
        port = ports[index % len(ports)]
        size = int(rng.integers(1, 9))
        # Ids of different lengths (and the real shape), some not pending, some another day.
        request_id = (f"req_{int(rng.integers(0, 2**62)):032x}" if index % 7
                      else f"r{int(rng.integers(0, 10**9))}")
        registrations.append({
            "id": f"reg_{index:08d}", "contact_ref": f"c{index}", "port": port,
            "household": {}, "household_size": size, "created_at": registered_at,
            "updated_at": registered_at,
        })
        requests.append({
            "id": request_id, "registration_id": f"reg_{index:08d}", "port": port,
            "request_date": REQUEST_DAY if index % 11 else REQUEST_DAY - timedelta(days=1),
            "requested_at": RUN_AT - timedelta(hours=20),
            "received_at": RUN_AT - timedelta(hours=20),
            "status": "cancelled" if index % 13 == 0 else "pending", "household_size": size,
            "registered_at": registered_at,
        })
    with context.factory() as db:
        db.execute(insert(Registration), registrations)
        db.execute(insert(SlotRequest), requests)
        db.commit()
    context.engine.dispose()


@pytest.mark.timeout(300)
def test_columns_load_as_the_rows_do(settings: SandboxSettings) -> None:
    _fill(settings)
    context = build_context(settings)
    seed = hashlib.sha256(b"oracle").digest()
    try:
        with context.factory() as db:
            for port in settings.ports:
                fast = load_columns(db, port.id, REQUEST_DAY, seed)
                slow = load_rows(db, port.id, REQUEST_DAY, seed)
                assert len(slow) > 1000
                assert fast.ids.dtype == slow.ids.dtype
                assert fast.ids.tolist() == slow.ids.tolist()
                assert fast.sizes.tolist() == slow.sizes.tolist()
                assert fast.registered.tolist() == slow.registered.tolist()
                assert fast.keys.tolist() == slow.keys.tolist()
                if context.engine.dialect.name == "postgresql":  # not the fallback
                    assert _load_postgres(db, port.id, REQUEST_DAY, seed) is not None
            assert len(load_columns(db, "nowhere", REQUEST_DAY, seed)) == 0
    finally:
        context.engine.dispose()


def _outcome(settings: SandboxSettings) -> dict[str, Any]:
    context = build_context(settings)
    try:
        with context.factory() as db:
            appointments = sorted(
                tuple(row) for row in db.execute(select(
                    Appointment.request_id, Appointment.registration_id, Appointment.port,
                    Appointment.appointment_date, Appointment.appointment_time,
                    Appointment.people, Appointment.reason))
            )
            statuses = sorted(tuple(row) for row in db.execute(
                select(SlotRequest.id, SlotRequest.status, SlotRequest.reason)))
            runs = {
                run.port: (run.households_drawn, run.people_drawn, run.households_waited_longest,
                           run.longest_waiting_cutoff, run.slots,
                           unpack_entries(run.entries or b""))
                for run in db.scalars(select(AllocationRun))
            }
            events = db.scalar(select(Event.id).where(Event.type == "allocated").limit(1))
    finally:
        context.engine.dispose()
    return {"appointments": appointments, "statuses": statuses, "runs": runs,
            "any_event": events is not None}


def _undo_run(settings: SandboxSettings) -> None:
    context = build_context(settings)
    with context.factory() as db:
        db.execute(delete(Event))
        db.execute(delete(Appointment))
        db.execute(delete(AllocationRun))
        db.execute(update(SlotRequest).where(SlotRequest.status == "selected")
                   .values(status="pending", reason=None))
        db.commit()
    context.engine.dispose()


@pytest.mark.timeout(300)
def test_the_run_allocates_as_the_reference(
    settings: SandboxSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(settings)
    context = build_context(settings)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(allocator, "load_columns", load_rows)
            patch.setattr(allocator, "allocate_port", allocate_port_reference)
            slow_summaries = allocator.allocate(context.factory, settings, REQUEST_DAY, RUN_AT,
                                                seed=11)
        slow = _outcome(settings)
        _undo_run(settings)
        fast_summaries = allocator.allocate(context.factory, settings, REQUEST_DAY, RUN_AT,
                                            seed=11)
        fast = _outcome(settings)
    finally:
        context.engine.dispose()
    assert slow["any_event"] and len(slow["appointments"]) > 100
    assert fast == slow
    assert [s.as_json() | {"seconds_load": 0, "seconds_decide": 0, "seconds_write": 0}
            for s in fast_summaries] == [
        s.as_json() | {"seconds_load": 0, "seconds_decide": 0, "seconds_write": 0}
        for s in slow_summaries]
