"""Household actions: the primary applicant adds, changes and removes the people who travel
with them (local: the session only), and a change after registration is sent to the booking
API (effect: `PUT /v1/registrations/{id}`, kept and replayed like every write).

Local household actions read limits from the settings (how many people the booking API takes,
the adult age) in their `LocalContext`, like every local action.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from bot import household
from bot.booking.client import BookingNotFound, BookingRejected, BookingUnavailable
from bot.engine.actions.base import QUEUED, UNAVAILABLE, EffectContext, LocalContext, Outcome
from bot.engine.session import Session

log = logging.getLogger(__name__)


class PrimaryIsAdult:
    """A child cannot be registered alone: the booking API refuses a primary applicant under
    the adult age (`primary_must_be_adult`); say so right after the date of birth instead of
    after every question."""

    outcomes = frozenset({"yes", "no"})

    def __init__(self, name: str = "primary_is_adult", slot: str = "birth_date") -> None:
        #: The same check for another slot: staff mode's draft (`staff_birth_date`).
        self.name, self.slot = name, slot

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        born = session.slots.get(self.slot)
        if not born:
            return Outcome("yes")
        adult = household.age_on(date.fromisoformat(str(born)), ctx.today) >= ctx.adult_age
        return Outcome("yes" if adult else "no")


class HouseholdHasRoom:
    """Whether one more person fits the booking API's household limit (primary included)."""

    name = "household_has_room"
    outcomes = frozenset({"yes", "full"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        session.slots.pop(household.EDITING_SLOT, None)  # from here on it is a new person
        people = 1 + len(household.members(session.slots))
        return Outcome("yes" if people < ctx.max_household_size else "full")


class SaveMember:
    """Move the member answers into `members`: a new person, or the one being changed."""

    name = "save_member"
    outcomes = frozenset({"ok"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        slots = session.slots
        member = {field: slots.pop(slot, None) for slot, field in household.MEMBER_FIELDS.items()}
        people = household.members(slots)
        index = slots.pop(household.EDITING_SLOT, None)
        if isinstance(index, int) and 0 <= index < len(people):
            people[index] = member
        else:
            people.append(member)
        slots[household.MEMBERS_SLOT] = people
        _mark_changed(session)
        return Outcome("ok")


class HasMembers:
    name = "has_members"
    outcomes = frozenset({"yes", "no"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        return Outcome("yes" if household.members(session.slots) else "no")


class EditMember:
    """The person chosen (`member_pick`, an index as text) is the one the questions change."""

    name = "edit_member"
    outcomes = frozenset({"ok"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        index = _picked(session)
        if index is not None:
            session.slots[household.EDITING_SLOT] = index
        return Outcome("ok")


class RemoveMember:
    name = "remove_member"
    outcomes = frozenset({"ok"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        index = _picked(session)
        people = household.members(session.slots)
        if index is not None and index < len(people):
            people.pop(index)
            session.slots[household.MEMBERS_SLOT] = people
            _mark_changed(session)
        return Outcome("ok")


def _picked(session: Session) -> int | None:
    value = session.slots.pop("member_pick", None)
    try:
        index = int(str(value))
    except ValueError:
        return None
    return index if 0 <= index < len(household.members(session.slots)) else None


def _mark_changed(session: Session) -> None:
    if session.registration_id:
        session.slots[household.DIRTY_SLOT] = True


async def send_household(session: Session, ctx: EffectContext, key: str) -> str:
    """PUT the household; answers an outcome key (also used before a daily request)."""
    if not session.registration_id:
        return "not_registered"
    slots = session.slots
    people = household.to_household(slots)
    # The same household under the same key; a household changed again while the call waited
    # in the outbox is a different request, so it gets a key of its own (no 409 conflict).
    digest = hashlib.sha256(people.model_dump_json().encode()).hexdigest()[:16]
    try:
        await ctx.booking.update_registration(
            session.registration_id,
            people,
            port=str(slots.get("port", "")),
            contact_ref=session.contact_ref or "",
            key=f"{key}.{digest}",
        )
    except BookingUnavailable as exc:
        log.warning("update_household: booking API unavailable: %s", exc)
        return UNAVAILABLE
    except BookingNotFound:
        session.registration_id = None
        return "not_registered"
    except BookingRejected as exc:
        log.warning("update_household: refused: %s", exc.code)
        return "too_large" if exc.code == "household_too_large" else "rejected"
    slots.pop(household.DIRTY_SLOT, None)
    return "ok"


class UpdateHousehold:
    name = "update_household"
    outcomes = frozenset({"ok", "too_large", "not_registered", "rejected", QUEUED})
    queue_when_unavailable = True

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome:
        return Outcome(await send_household(session, ctx, key))
