"""Staff mode's actions (flows/staff/): local ones keep the draft of a registration in the
staff member's session; effect ones reach the staff side through `EffectContext.staff`
(bot/staff/actions.py carries them out), after the session is saved, like the applicant's.

Every staff slot starts with `staff_` (a staff member may also be an applicant: their own
answers are never touched), lists shown or offered start with `_staff_`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.actions.base import QUEUED, EffectContext, LocalContext, Outcome
from bot.engine.session import Session

#: The draft of a registration and the lists staff mode showed: dropped at its menu.
DRAFT_PREFIXES = ("staff_", "_staff_")
MEMBERS_SLOT = "staff_members"
#: Member answers -> the member's fields (as the applicant's household flow keeps them).
MEMBER_FIELDS = {
    "staff_member_name": "full_name",
    "staff_member_birth_date": "birth_date",
    "staff_member_relationship": "relationship",
    "staff_member_nationality": "nationality",
}


class StaffForgetDraft:
    """Back at the staff menu: nothing of the last registration or list stays."""

    name = "staff_forget_draft"
    outcomes = frozenset({"ok"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        for slot in [s for s in session.slots if s.startswith(DRAFT_PREFIXES)]:
            del session.slots[slot]
        session.slots[MEMBERS_SLOT] = []
        return Outcome("ok")


class StaffSaveMember:
    """The family member just answered joins the draft; `full` once the household has the
    most people the booking API takes (the primary applicant included)."""

    name = "staff_save_member"
    outcomes = frozenset({"ok", "full"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        slots = session.slots
        member = {field: slots.pop(slot, None) for slot, field in MEMBER_FIELDS.items()}
        members = [*slots.get(MEMBERS_SLOT, []), member]
        slots[MEMBERS_SLOT] = members
        return Outcome("full" if 1 + len(members) >= ctx.max_household_size else "ok")


@dataclass
class StaffAction:
    """An effect action of staff mode; what it does lives on the staff side."""

    name: str
    outcomes: frozenset[str]
    #: The outcome when no staff side is wired (a bot without the staff database).
    fallback: str
    queue_when_unavailable: bool = False

    async def run(self, session: Session, ctx: EffectContext, key: str) -> Outcome:
        if ctx.staff is None:
            return Outcome(self.fallback)
        return await ctx.staff.act(self.name, session, ctx, key)


_LISTED = frozenset({"ok", "none"})
STAFF_EFFECTS = (
    StaffAction("staff_households", _LISTED, "none"),
    StaffAction("staff_request", frozenset({"ok"}), "ok"),
    StaffAction("staff_statuses", _LISTED, "none"),
    StaffAction("staff_inbox", _LISTED, "none"),
    StaffAction("staff_reply", frozenset({"sent", "failed"}), "failed"),
    StaffAction("staff_appointments", _LISTED, "none"),
    # Kept in the outbox while the booking API is down (their household kept with them).
    StaffAction(
        "staff_confirm",
        frozenset({"ok", "too_late", "no_appointment", "not_registered", QUEUED}),
        "no_appointment",
        queue_when_unavailable=True,
    ),
    StaffAction(
        "staff_give_up",
        frozenset({"ok", "no_appointment", "not_registered", QUEUED}),
        "no_appointment",
        queue_when_unavailable=True,
    ),
    StaffAction(
        "staff_register",
        frozenset(
            {
                "registered",
                "registered_no_phone",
                "no_consent",
                "too_young",
                "too_large",
                "rejected",
                QUEUED,
            }
        ),
        "rejected",
        # Kept in the staff database and the outbox while the booking API is down.
        queue_when_unavailable=True,
    ),
    StaffAction("staff_mode_off", frozenset({"ok"}), "ok"),
)
