"""The one place the sandbox asks what time it is.

Every rule here (request window, confirm deadline, 14-21 day lead) depends on "now"; tests and
demos inject their own clock instead of patching ``datetime``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Aware UTC now: storage and comparisons are always in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC; naive ones are rejected because they are ambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must carry a time zone offset")
    return moment.astimezone(UTC)
