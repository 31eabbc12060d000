"""Benchmark: the daily allocation over 1,000,000 requests across the eight ports.

Two figures, reported separately and honestly:

1. ``core``: the allocation rule alone (``booking_sandbox.allocation.allocate_port``), in
   memory with numpy: the same arrays the database run feeds it.
2. ``database``: the whole ``booking_sandbox.allocator.allocate`` run against a real database
   that already holds the requests: load every request (one query per port), decide, write
   every decision (appointments, request statuses, one event per household, audit rows) and
   commit. Filling the database first is set-up and is timed apart.

Households have 1-8 members (uniform); registration times are spread over a year; ports get
requests in proportion to their capacity. Target: under 10 s on the 2-core CI machine.

    .venv/bin/python benchmarks/bench_allocation.py                    # SQLite in a temp dir
    .venv/bin/python benchmarks/bench_allocation.py --database-url postgresql+psycopg://...
    .venv/bin/python benchmarks/bench_allocation.py --core-only
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, text

from booking_sandbox.allocation import allocate_port
from booking_sandbox.allocator import allocate
from booking_sandbox.app import build_context
from booking_sandbox.draw import draw_keys
from booking_sandbox.models import Registration, SlotRequest
from booking_sandbox.settings import SandboxSettings

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


def fill(settings: SandboxSettings, data: dict[str, np.ndarray[Any, Any]]) -> float:
    context = build_context(settings)
    started = time.perf_counter()
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


def bench_database(settings: SandboxSettings, seed: int) -> dict[str, Any]:
    context = build_context(settings)
    started = time.perf_counter()
    summaries = allocate(context.factory, settings, REQUEST_DAY, ALLOCATED_AT, seed=seed)
    seconds = time.perf_counter() - started
    context.engine.dispose()
    return {
        "seconds": round(seconds, 2),
        "seconds_load": round(sum(s.seconds_load for s in summaries), 2),
        "seconds_decide": round(sum(s.seconds_decide for s in summaries), 3),
        "seconds_write": round(sum(s.seconds_write for s in summaries), 2),
        "households_requested": sum(s.households_requested for s in summaries),
        "households_selected": sum(
            s.households_waited_longest + s.households_drawn for s in summaries
        ),
        "people_selected": sum(s.people_waited_longest + s.people_drawn for s in summaries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", default=None, help="default: a fresh SQLite file in a temporary directory"
    )
    parser.add_argument("--database-schema", default=None)
    parser.add_argument("--core-only", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        settings = SandboxSettings(
            database_url=url, database_schema=args.database_schema, scheduler_enabled=False
        )
        data = simulate(args.requests, settings, args.seed)
        report: dict[str, Any] = {
            "requests": args.requests,
            "core": bench_core(data, settings, args.seed),
        }
        if not args.core_only:
            report["database_url"] = url.split("@")[-1]
            report["fill_seconds (set-up, not timed)"] = fill(settings, data)
            report["database"] = bench_database(settings, args.seed)
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
