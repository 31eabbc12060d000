"""Times a client says something happened (the person asked, the person registered), checked
against our clock: accepted when they are no older than a grace period and no further ahead
than the allowed clock skew. A client replaying calls after an outage keeps the person's time;
without a time the call counts from when it reaches us."""

from __future__ import annotations

from datetime import datetime, timedelta

from booking_sandbox.clock import as_utc
from booking_sandbox.errors import SandboxError


def client_time(
    field: str,
    claimed: datetime | None,
    now: datetime,
    *,
    grace: timedelta,
    skew: timedelta,
) -> datetime:
    """``claimed`` in UTC, or ``now`` when the client gave none; 422 ``invalid_<field>``,
    ``<field>_in_future`` or ``<field>_too_old`` (with ``grace_minutes``) otherwise."""
    if claimed is None:
        return now
    try:
        moment = as_utc(claimed)
    except ValueError as exc:
        raise SandboxError(
            422, f"invalid_{field}", f"{field} must include a time zone offset."
        ) from exc
    if moment > now + skew:
        raise SandboxError(
            422, f"{field}_in_future", f"{field} is ahead of the booking API's clock."
        )
    if moment < now - grace:
        minutes = int(grace.total_seconds() // 60)
        raise SandboxError(
            422,
            f"{field}_too_old",
            f"{field} is more than {minutes} minutes old.",
            grace_minutes=minutes,
        )
    return moment
