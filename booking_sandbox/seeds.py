"""Each request day's secret seed, made once and committed to before the window closes.

The seed is made the first time anyone needs it: the commitment endpoint, a request in the
window, the scheduler while the window is open, or (when none of those happened) the run
itself; a seed made after the window closed is published as such and ``verify`` refuses it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from booking_sandbox.db import SessionFactory
from booking_sandbox.draw import commitment, new_seed
from booking_sandbox.models import AllocationSeed
from booking_sandbox.settings import SandboxSettings
from booking_sandbox.window import Window


def window_closes_at(settings: SandboxSettings, request_date: date) -> datetime:
    """The last moment a request for ``request_date`` is accepted (the close minute is
    inclusive; a window that wraps past midnight closes the next day)."""
    closes = datetime.combine(request_date, settings.closes_at, tzinfo=settings.window_zone)
    if settings.closes_at < settings.opens_at:
        closes += timedelta(days=1)
    return closes + timedelta(seconds=59)


def find(factory: SessionFactory, request_date: date) -> AllocationSeed | None:
    with factory() as db:
        return db.get(AllocationSeed, request_date)


def ensure(
    factory: SessionFactory, request_date: date, now: datetime, fixed: int | None
) -> AllocationSeed:
    """The day's seed, made now if there is none (safe when two callers race)."""
    with factory() as db:
        found = db.get(AllocationSeed, request_date)
        if found is not None:
            return found
        seed = new_seed(fixed, request_date)
        row = AllocationSeed(
            request_date=request_date,
            seed=seed.hex(),
            commitment=commitment(seed),
            committed_at=now,
        )
        db.add(row)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            existing = db.get(AllocationSeed, request_date)
            if existing is None:
                raise
            return existing
        return row


def ensure_open_day(factory: SessionFactory, settings: SandboxSettings, now: datetime) -> None:
    """Commit to the seed of the request day whose window is open now, if one is."""
    day = Window.from_settings(settings).request_day(now)
    if day is not None:
        ensure(factory, day, now, settings.seed)
