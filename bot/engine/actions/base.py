"""Actions: what a step does besides talking. Two kinds, on purpose.

* Local actions only read or change the session (e.g. record consent). The runner calls them
  inline.
* Effect actions talk to the booking API. The runner never calls them: it records a
  `PendingAction` (with a fixed idempotency key) in the session and stops. The conversation
  service saves the session first and only then carries the action out, so a crash never
  leaves a person told something the store does not know, and a retry never books twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.engine.session import Session

if TYPE_CHECKING:
    from bot.booking.client import BookingClient


#: Outcome of a write the booking API could not take now and the bot keeps to replay.
QUEUED = "queued"
#: What an effect action answers when the booking API did not answer usefully.
UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The branch key an action produced, and values its messages may show."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


class StaffPort(Protocol):
    """What effect actions may ask of the staff side (bot/staff/chat.py StaffHub, which hands
    staff flows' actions to bot/staff/actions.py)."""

    async def registrations_of(self, digest: str) -> list[str]: ...

    async def act(self, action: str, session: Session, ctx: EffectContext, key: str) -> Outcome:
        """Carry out a staff flow's effect action (bot/engine/actions/staff.py) for the staff
        member whose phone this conversation is."""
        ...


@dataclass(frozen=True, slots=True)
class EffectContext:
    booking: BookingClient
    now: datetime
    #: When the person asked (differs from `now` when a saved call is replayed).
    requested_at: datetime
    #: The contact key digest of the person whose conversation this is.
    contact: str = ""
    #: The staff side, when wired (registrations staff made for this person, staff mode).
    staff: StaffPort | None = None
    #: Port id -> display name, and the language of a conversation that has none yet.
    ports: Mapping[str, str] = field(default_factory=dict)
    default_language: str = "es"
    #: The answers kept with the action (`PendingAction.values`, its step's `inputs`).
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LocalContext:
    """What a local action may know besides the session: the time and the booking limits."""

    now: datetime
    today: date
    #: People per household the booking API accepts (primary applicant included).
    max_household_size: int = 10
    #: Minimum age of the primary applicant.
    adult_age: int = 18


class LocalAction(Protocol):
    """Every local action has this one signature: the session and the turn's context."""

    name: str
    outcomes: frozenset[str]

    def run(self, session: Session, ctx: LocalContext) -> Outcome: ...


class EffectAction(Protocol):
    name: str
    outcomes: frozenset[str]
    #: A write the bot keeps and replays when the booking API is down (outcome "queued"),
    #: instead of telling the person to try again.
    queue_when_unavailable: bool

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome: ...
