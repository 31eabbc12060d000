"""What staff mode's effect actions do (flows/staff/, bot/engine/actions/staff.py): one
handler per action, for the staff member whose phone the conversation is, carried out after
the session is saved (bot/conversation.py), through `StaffService` like the portal.

Lists and results are written in the staff member's language here (one line per household or
person, the words of flows/staff.messages.yaml); the flows show them (`lines:`) or offer them
(`options_from: households | handoffs | appointments`)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.engine.actions import EffectContext, Outcome
from bot.engine.actions.staff import MEMBERS_SLOT
from bot.engine.options import APPOINTMENTS_SLOT, HANDOFFS_SLOT, HOUSEHOLDS_SLOT
from bot.engine.session import Session
from bot.languages import BY_CODE
from bot.staff.repository import HouseholdView, PersonView, StaffView
from bot.staff.service import StaffService
from bot.staff.status import describe_status

#: The lines a step shows under its text (`lines: _staff_lines`).
LINES_SLOT = "_staff_lines"


class Turn:
    """One staff action's inputs: the staff member, their language and answers."""

    def __init__(
        self, service: StaffService, staff: StaffView, session: Session, ctx: EffectContext
    ) -> None:
        self.service, self.staff, self.ctx = service, staff, ctx
        self.slots = session.slots
        self.lang = session.lang or ctx.default_language

    def value(self, slot: str) -> Any:
        """An answer the action reads: as kept with it (a replay), else the session's."""
        return self.ctx.values.get(slot, self.slots.get(slot))

    def t(self, key: str, **values: Any) -> str:
        return self.service.texts(self.lang, key, **values)

    @property
    def ports(self) -> Mapping[str, str]:
        return self.ctx.ports


Handler = Callable[[Turn, str], Awaitable[Outcome]]


def who(household: HouseholdView, no_phone: str = "") -> str:
    """A household as staff lists show it: "Marie Joseph +1", "(no phone)" when asked."""
    extra = f" +{len(household.members)}" if household.members else ""
    phone = "" if household.applicant_phone or not no_phone else f" {no_phone}"
    return f"{household.primary.full_name}{extra}{phone}"


async def households(turn: Turn, key: str) -> Outcome:
    service, staff = turn.service, turn.staff
    found = await service.households(staff)
    requested = await service.requests_today(staff)
    await service.audit("households_listed", staff, detail=f"{len(found)} households")
    if not found:
        return Outcome("none")
    listed = [
        [
            h.id,
            f"{who(h, turn.t('no_phone_mark'))} - {turn.ports.get(h.port, h.port)}"
            + (" *" if h.id in requested else ""),
        ]
        for h in found
    ]
    lines = [f"{i}. {title}" for i, (_, title) in enumerate(listed, start=1)]
    return Outcome("ok", {HOUSEHOLDS_SLOT: listed, LINES_SLOT: lines})


async def request(turn: Turn, key: str) -> Outcome:
    picked = [str(i) for i in turn.slots.get("staff_picks") or []]
    results = await turn.service.request_today(turn.staff, picked)
    lines = [f"{who(r.household)}: {turn.t('req_' + r.outcome)}" for r in results]
    return Outcome("ok", {LINES_SLOT: lines})


async def statuses(turn: Turn, key: str) -> Outcome:
    rows = await turn.service.statuses(turn.staff)
    if not rows:
        return Outcome("none")
    t, lang = turn.service.texts, turn.lang
    lines = [f"{who(r.household)}: {describe_status(t, lang, r.status, turn.ports)}" for r in rows]
    return Outcome("ok", {LINES_SLOT: lines})


async def inbox(turn: Turn, key: str) -> Outcome:
    handoffs = await turn.service.inbox(turn.staff)
    await turn.service.audit("inbox_viewed", turn.staff, detail=f"{len(handoffs)} waiting")
    if not handoffs:
        return Outcome("none")
    listed = []
    for h in handoffs:
        last = next((m.body for m in reversed(h.messages) if m.direction == "in"), "")
        name = BY_CODE[h.lang].own_name if h.lang in BY_CODE else h.lang
        flag = f" ({turn.t('interpreter_needed')})" if h.interpreter_needed else ""
        urgent = f"{turn.t('urgent')} " if h.urgent else ""
        listed.append([h.id, f"{urgent}{name}{flag}: {last[:60]}"])
    return Outcome("ok", {HANDOFFS_SLOT: listed})


async def reply(turn: Turn, key: str) -> Outcome:
    handoff, text = str(turn.slots.get("staff_handoff")), str(turn.slots.get("staff_reply"))
    sent = await turn.service.reply(turn.staff, handoff, text)
    return Outcome("sent" if sent else "failed")


async def appointments(turn: Turn, key: str) -> Outcome:
    rows = [r for r in await turn.service.statuses(turn.staff) if r.appointment is not None]
    if not rows:
        return Outcome("none")
    listed = [
        [
            row.household.id,
            f"{who(row.household)}: "
            + describe_status(turn.service.texts, turn.lang, row.status, turn.ports),
        ]
        for row in rows
    ]
    return Outcome("ok", {APPOINTMENTS_SLOT: listed})


async def confirm(turn: Turn, key: str) -> Outcome:
    """Confirm a family's appointment (h12a's `StaffService.confirm_for`)."""
    return Outcome(await turn.service.confirm_for(turn.staff, str(turn.value("staff_household"))))


async def give_up(turn: Turn, key: str) -> Outcome:
    return Outcome(await turn.service.give_up_for(turn.staff, str(turn.value("staff_household"))))


def _person(data: Mapping[str, Any], relationship: str | None = None) -> PersonView:
    return PersonView(
        str(data["full_name"]), str(data["birth_date"]), str(data["nationality"]), relationship
    )


async def register(turn: Turn, key: str) -> Outcome:
    slots = turn.slots
    primary = {
        "full_name": slots.get("staff_full_name"),
        "birth_date": slots.get("staff_birth_date"),
        "nationality": slots.get("staff_nationality"),
    }
    household, outcome = await turn.service.register_household(
        turn.staff,
        primary=_person(primary),
        # Each family member's own nationality, as the applicant's household flow keeps it.
        members=[_person(m, m.get("relationship")) for m in slots.get(MEMBERS_SLOT) or []],
        port=str(slots.get("staff_port")),
        lang=str(slots.get("staff_language")),
        applicant_phone=slots.get("staff_phone"),
        consented=slots.get("staff_consent") is True,
        # Fixed by the action's idempotency key: a retry or a replay is the same household;
        # in an outage it waits in the staff database and the outbox (`queued`).
        name=hashlib.sha256(key.encode()).hexdigest()[:12],
        keep_when_unavailable=True,
    )
    if household is None:
        return Outcome(outcome)
    done = "registered" if household.applicant_phone else "registered_no_phone"
    said = turn.t(
        done, name=household.primary.full_name, registration_id=household.registration_id or ""
    )
    return Outcome(done, {LINES_SLOT: [said]})


async def mode_off(turn: Turn, key: str) -> Outcome:
    await turn.service.audit("staff_mode_off", turn.staff)
    return Outcome("ok")


HANDLERS: dict[str, Handler] = {
    "staff_households": households,
    "staff_request": request,
    "staff_statuses": statuses,
    "staff_inbox": inbox,
    "staff_reply": reply,
    "staff_appointments": appointments,
    "staff_confirm": confirm,
    "staff_give_up": give_up,
    "staff_register": register,
    "staff_mode_off": mode_off,
}


async def act(
    service: StaffService, action: str, session: Session, ctx: EffectContext, key: str
) -> Outcome:
    """Carry out `action` for the staff member of this conversation's phone; a phone no
    longer linked gets the action's fallback outcome (nothing done)."""
    from bot.engine.actions import EFFECT_ACTIONS
    from bot.engine.actions.staff import StaffAction

    staff = await service.db(service.repo.staff_by_digest, ctx.contact)
    spec = EFFECT_ACTIONS[action]
    if staff is None:
        assert isinstance(spec, StaffAction)
        return Outcome(spec.fallback)
    return await HANDLERS[action](Turn(service, staff, session, ctx), key)
