"""Benchmark: the daily allocation over 1,000,000 requests across the eight ports.

Two figures, reported separately and honestly:

1. ``core``: the allocation rule alone (``booking_sandbox.allocation.allocate_port``), in
   memory with numpy: the same arrays the database run feeds it.
2. ``database``: the whole ``booking_sandbox.allocator.allocate`` run against a real database
   that already holds the requests: load every request (one query per port), decide, write
   every decision (appointments, request statuses, one event per household, audit rows) and
   commit. Filling the database first is set-up and is timed apart.

Households have 1-8 members (uniform); registration times are spread over a year; ports get
requests in proportion to their capacity. Target (issue 16): under 2 s on PostgreSQL.

The database run is timed side by side with the reference (``--repeat`` times each,
alternated, the run undone in between): the loading and the rule as first written
(``request_columns.load_rows``, ``tests/sandbox_tests/allocation_reference.py``), against
what the sandbox runs. Both must decide the same (checked). Wall time and this process's CPU
time are reported: the machine is shared, the CPU time is the steadier figure (the
PostgreSQL server's own time is in the wall time only). On PostgreSQL without
``--database-schema`` the benchmark uses a schema of its own and drops it afterwards.

    .venv/bin/python benchmarks/bench_allocation.py                    # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_allocation.py --database-url postgresql+psycopg://...
    .venv/bin/python benchmarks/bench_allocation.py --core-only
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import delete, insert, select, text, update

from booking_sandbox import allocator
from booking_sandbox.allocation import allocate_port
from booking_sandbox.app import build_context
from booking_sandbox.draw import draw_keys
from booking_sandbox.models import AllocationRun, Appointment, Event, Registration, SlotRequest
from booking_sandbox.request_columns import load_rows
from booking_sandbox.settings import SandboxSettings

REFERENCE = Path(__file__).resolve().parent.parent / "tests" / "sandbox_tests"


def _reference_rule() -> Any:
    """The rule as first written, kept as the tests' oracle (not part of the package)."""
    spec = importlib.util.spec_from_file_location(
        "allocation_reference", REFERENCE / "allocation_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.allocate_port_reference

REQUEST_DAY = date(2026, 3, 10)
ALLOCATED_AT = datetime(2026, 3, 11, 16, 0, tzinfo=UTC)
CHUNK = 50_000


def simulate(count: int, settings: SandboxSettings, seed: int) -> dict[str, np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    capacities = np.array([port.daily_capacity for port in settings.ports], dtype=float)
    return {
        "port": rng.choice(len(settings.ports), size=count, p=capacities / capacities.sum()),
        "size": rng.integers(1, 9, size=count),
        "registered": rng.uniform(0, 365 * 86400, size=count),
        "arrival": rng.uniform(0, 12 * 3600, size=count),
    }


def bench_core(
    data: dict[str, np.ndarray[Any, Any]], settings: SandboxSettings, seed: int
) -> dict[str, Any]:
    started = time.perf_counter()
    selected = people = 0
    for index, port in enumerate(settings.ports):
        mine = data["port"] == index
        free = port.capacity_per_time()
        ids = [f"req_{position:032x}" for position in np.flatnonzero(mine).tolist()]
        keys = draw_keys(seed.to_bytes(32, "big"), port.id, ids)
        days = (data["registered"][mine] // 86400).astype(np.int64)
        result = allocate_port(data["size"][mine], days, free, settings.longest_waiting_share, keys)
        selected += result.households_waited_longest + result.households_drawn
        people += result.people_waited_longest + result.people_drawn
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "households_selected": selected,
        "people_selected": people,
    }


def _copy_fill(settings: SandboxSettings, data: dict[str, np.ndarray[Any, Any]]) -> None:
    """PostgreSQL: the same rows as `fill`, with COPY (set-up only; a tenth of the time)."""
    epoch = ALLOCATED_AT - timedelta(days=366)
    window_opens = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    dsn = settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    ports = [port.id for port in settings.ports]
    with psycopg.connect(dsn) as connection:
        if settings.database_schema:
            connection.execute(f'SET search_path TO "{settings.database_schema}"')
        registrations = io.StringIO()
        requests = io.StringIO()
        for index in range(len(data["size"])):
            registered_at = (epoch + timedelta(seconds=float(data["registered"][index])))
            asked = window_opens + timedelta(seconds=float(data["arrival"][index]))
            port = ports[int(data["port"][index])]
            size = int(data["size"][index])
            stamp = registered_at.replace(tzinfo=None).isoformat()
            registrations.write(
                f"reg_{index:032x}\tc{index}\t{port}\t{{}}\t{size}\t{stamp}\t{stamp}\t{stamp}\n"
            )
            at = asked.replace(tzinfo=None).isoformat()
            requests.write(
                f"req_{(index * 2654435761) % 2**64:032x}\treg_{index:032x}\t{port}\t"
                f"{REQUEST_DAY}\t{at}\t{at}\tpending\t{size}\t{stamp}\n"
            )
        with connection.cursor() as cursor:
            with cursor.copy("COPY registrations (id, contact_ref, port, household, "
                             "household_size, created_at, updated_at, registered_at) "
                             "FROM STDIN") as copy:
                copy.write(registrations.getvalue())
            with cursor.copy("COPY slot_requests (id, registration_id, port, request_date, "
                             "requested_at, received_at, status, household_size, "
                             "registered_at) FROM STDIN") as copy:
                copy.write(requests.getvalue())
        connection.commit()


def fill(settings: SandboxSettings, data: dict[str, np.ndarray[Any, Any]]) -> float:
    context = build_context(settings)
    started = time.perf_counter()
    if context.engine.dialect.name == "postgresql":
        _copy_fill(settings, data)
        with context.factory() as db:
            db.execute(text("ANALYZE"))
            db.commit()
        context.engine.dispose()
        return round(time.perf_counter() - started, 1)
    count = len(data["size"])
    epoch = ALLOCATED_AT - timedelta(days=366)
    window_opens = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    with context.factory() as db:
        for begin in range(0, count, CHUNK):
            rows = range(begin, min(count, begin + CHUNK))
            registrations = []
            requests = []
            for index in rows:
                registered_at = epoch + timedelta(seconds=float(data["registered"][index]))
                asked = window_opens + timedelta(seconds=float(data["arrival"][index]))
                registrations.append(
                    {
                        "id": f"reg_{index:032x}",
                        "contact_ref": f"c{index}",
                        "port": settings.ports[int(data["port"][index])].id,
                        "household": {},
                        "household_size": int(data["size"][index]),
                        "created_at": registered_at,
                        "updated_at": registered_at,
                    }
                )
                requests.append(
                    {
                        "id": f"req_{(index * 2654435761) % 2**64:032x}",
                        "registration_id": f"reg_{index:032x}",
                        "port": settings.ports[int(data["port"][index])].id,
                        "request_date": REQUEST_DAY,
                        "requested_at": asked,
                        "received_at": asked,
                        "status": "pending",
                        "household_size": int(data["size"][index]),
                        "registered_at": registered_at,
                    }
                )
            db.execute(insert(Registration), registrations)
            db.execute(insert(SlotRequest), requests)
        db.commit()
        if context.engine.dialect.name == "postgresql":
            db.execute(text("ANALYZE"))
            db.commit()
    context.engine.dispose()
    return round(time.perf_counter() - started, 1)


def undo(settings: SandboxSettings) -> None:
    """Take the day's run back (so the next one decides again): set-up, not timed."""
    context = build_context(settings)
    with context.factory() as db:
        db.execute(delete(Event))
        db.execute(delete(Appointment))
        db.execute(delete(AllocationRun))
        db.execute(update(SlotRequest).where(SlotRequest.status == "selected")
                   .values(status="pending", reason=None))
        db.commit()
    context.engine.dispose()


def decisions(settings: SandboxSettings) -> list[tuple[Any, ...]]:
    context = build_context(settings)
    with context.factory() as db:
        rows = sorted(tuple(row) for row in db.execute(select(
            Appointment.request_id, Appointment.appointment_date, Appointment.appointment_time,
            Appointment.people, Appointment.reason)))
    context.engine.dispose()
    return rows


def bench_database(settings: SandboxSettings, seed: int, version: str) -> dict[str, Any]:
    """One whole run; ``version`` "reference" swaps in the loading and rule first written."""
    names = ("load_columns", "allocate_port")
    saved = {name: vars(allocator)[name] for name in names}
    if version == "reference":
        vars(allocator).update(load_columns=load_rows, allocate_port=_reference_rule())
    context = build_context(settings)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        summaries = allocator.allocate(context.factory, settings, REQUEST_DAY, ALLOCATED_AT,
                                       seed=seed)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    finally:
        vars(allocator).update(saved)
        context.engine.dispose()
    assert not any(s.already_done for s in summaries)
    return {
        "version": version,
        "seconds": round(seconds, 2),
        "cpu_seconds (this process)": round(cpu_seconds, 2),
        "seconds_load": round(sum(s.seconds_load for s in summaries), 2),
        "seconds_decide": round(sum(s.seconds_decide for s in summaries), 3),
        "seconds_write": round(sum(s.seconds_write for s in summaries), 2),
        "households_requested": sum(s.households_requested for s in summaries),
        "households_selected": sum(
            s.households_waited_longest + s.households_drawn for s in summaries
        ),
        "people_selected": sum(s.people_waited_longest + s.people_drawn for s in summaries),
        "load_average": round(os.getloadavg()[0], 2),
    }


def compare(settings: SandboxSettings, seed: int, repeat: int) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    if repeat == 0:  # fill only (e.g. to profile a run afterwards)
        return {"runs": runs}
    outcome: dict[str, list[tuple[Any, ...]]] = {}
    for _ in range(repeat):
        for version in ("reference", "sandbox"):
            runs.append(bench_database(settings, seed, version))
            outcome.setdefault(version, decisions(settings))
            undo(settings)
    assert outcome["reference"] == outcome["sandbox"], "the two versions decided differently"
    median = {
        version: {
            key: statistics.median(run[key] for run in runs if run["version"] == version)
            for key in ("seconds", "cpu_seconds (this process)", "seconds_load",
                        "seconds_decide", "seconds_write")
        }
        for version in ("reference", "sandbox")
    }
    return {"runs": runs, "median": median, "same_decisions": True}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file in a temporary directory"
    )
    parser.add_argument("--database-schema", default=None)
    parser.add_argument("--core-only", action="store_true")
    args = parser.parse_args()

    own_schema = None
    if args.database_url and args.database_url.startswith("postgresql") \
            and not args.database_schema:
        own_schema = args.database_schema = f"bench_alloc_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_dsn(args.database_url), autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{own_schema}"')
    try:
        with tempfile.TemporaryDirectory() as scratch:
            url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
            settings = SandboxSettings(
                database_url=url, database_schema=args.database_schema,
                scheduler_enabled=False,
            )
            data = simulate(args.requests, settings, args.seed)
            report: dict[str, Any] = {
                "requests": args.requests,
                "load_average_before": [round(x, 2) for x in os.getloadavg()],
                "core": bench_core(data, settings, args.seed),
            }
            if not args.core_only:
                report["database_url"] = url.split("@")[-1]
                report["fill_seconds (set-up, not timed)"] = fill(settings, data)
                report["database"] = compare(settings, args.seed, args.repeat)
            report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
            print(json.dumps(report, indent=2, default=str))
    finally:
        if own_schema:
            with psycopg.connect(_dsn(args.database_url), autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "{own_schema}" CASCADE')


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


if __name__ == "__main__":
    main()
