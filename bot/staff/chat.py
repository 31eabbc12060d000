"""The staff hub: what an inbound message is before the flows see it, and staff mode's reach
into the staff database. Staff mode itself is ordinary flows (flows/staff/).

`StaffHub` is called by `Conversations.handle` (under the contact's lock, with its session):
* `intercept` decides: a paused handoff takes the person's text, an invite code links a staff
  phone, the staff word on a linked phone opens staff mode's menu (`Engine.enter`); anything
  else (staff mode's answers included) goes to the engine (returns None);
* `act` carries out staff flows' effect actions after the save (bot/staff/actions.py);
* `after_commit` opens a handoff the flow asked for (the `open_handoff` local action);
* `recognise` gives a person registered by staff their registration; `forget` erases.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.contacts import ContactKey
from bot.engine.actions import EffectContext, Outcome
from bot.engine.commands import Command, match_command
from bot.engine.runner import FIRST_LINE_SLOT, URGENT_SLOT, Engine, TurnContext
from bot.engine.session import Session
from bot.languages import REQUIRED_LANGUAGES
from bot.messages import Inbound, Reply
from bot.staff import actions
from bot.staff.adopt import HOUSEHOLD_REF_PREFIX, adopt
from bot.staff.repository import ResultTarget
from bot.staff.service import StaffService
from nlu.danger import danger

HANDOFF_SLOT = "_handoff"
#: Set by the `open_handoff` local action; replaced by the handoff id once it exists.
HANDOFF_REQUESTED = "requested"
INTERPRETER_SLOT = "_interpreter"
#: Staff mode's menu (flows/staff/menu.yaml); every staff flow names it as its `menu`.
STAFF_MENU_FLOW = "staff_menu"
#: The shelter's name, shown by staff mode's messages ({shelter}).
SHELTER_SLOT = "shelter"
#: An invite code as printed by `frontdoor staff invite` (dash or space optional).
INVITE_CODE = re.compile(r"^[A-Za-z2-9]{4}[- ]?[A-Za-z2-9]{4}$")

__all__ = ["HOUSEHOLD_REF_PREFIX", "StaffHub", "adopt"]

log = logging.getLogger(__name__)


@dataclass
class StaffHub:
    service: StaffService
    #: The flows (staff mode's among them) and the applicant's messages.
    engine: Engine

    async def intercept(
        self, key: ContactKey, session: Session, inbound: Inbound, ctx: TurnContext
    ) -> list[Reply] | None:
        text = inbound.text.strip()
        handoff = session.slots.get(HANDOFF_SLOT)
        if handoff and handoff != HANDOFF_REQUESTED:
            return await self._paused(session, str(handoff), text, ctx)
        if _looks_like_invite(text):
            return await self._redeem(session, inbound, text, ctx)
        flow = self.engine.flowset.flows.get(session.flow or "")
        staff_flow = flow is not None and flow.menu == STAFF_MENU_FLOW
        word = not inbound.button_payload and match_command(text) is Command.STAFF
        if not staff_flow and not word:
            return None
        staff = await self.service.db(self.service.repo.staff_by_digest, key.digest)
        if staff is None:
            if staff_flow:  # unlinked meanwhile: back to their own conversation
                self.engine.resume(session, ctx)
            return None
        session.slots[SHELTER_SLOT] = staff.shelter_name
        if not word:
            return None  # an answer in staff mode: the flows take it
        await self.service.audit("staff_mode_on", staff)
        return self.engine.enter(session, STAFF_MENU_FLOW, ctx)

    async def _paused(
        self, session: Session, handoff: str, text: str, ctx: TurnContext
    ) -> list[Reply] | None:
        if match_command(text) not in (None, Command.HUMAN):
            # Back to the bot at any time: the engine answers the command.
            session.slots.pop(HANDOFF_SLOT, None)
            await self.service.leave_handoff(handoff)
            return None
        if not text:
            return []
        waits = await self.service.handoff_message(handoff, text)
        if danger(text) is not None:
            await self.service.mark_urgent(handoff)
        # A person answers, not the bot; but the first message of each wait is acknowledged,
        # so no one writes into silence.
        if not waits:
            return []
        return [Reply(text=self.engine.message(session, "handoff_received", ctx))]

    async def _redeem(
        self, session: Session, inbound: Inbound, code: str, ctx: TurnContext
    ) -> list[Reply]:
        lang = session.lang or ctx.default_language
        staff = await self.service.redeem_invite(code, inbound.sender, inbound.channel, lang)
        t = self.service.texts
        if staff is None:
            return [Reply(text=t(lang, "invite_invalid"))]
        session.lang = session.lang or lang
        session.slots[SHELTER_SLOT] = staff.shelter_name
        linked = [Reply(text=t(lang, "linked", shelter=staff.shelter_name))]
        return linked + self.engine.enter(session, STAFF_MENU_FLOW, ctx)

    async def act(self, action: str, session: Session, ctx: EffectContext, key: str) -> Outcome:
        return await actions.act(self.service, action, session, ctx, key)

    async def after_commit(self, key: ContactKey, session: Session, ctx: TurnContext) -> bool:
        """Open the handoff the flow asked for. True when the session changed (save it)."""
        if session.slots.get(HANDOFF_SLOT) != HANDOFF_REQUESTED or session.erase:
            return False
        lang = session.lang or ctx.default_language
        interpreter = lang not in REQUIRED_LANGUAGES or session.slots.get(INTERPRETER_SLOT) is True
        danger_text = session.slots.pop(URGENT_SLOT, None)
        # What they wrote that the bot could not read (the interpreter path), likewise.
        first_line = danger_text or session.slots.pop(FIRST_LINE_SLOT, None)
        handoff = await self.service.open_handoff(
            key.digest, session.phone, session.channel, lang, interpreter,
            urgent=danger_text is not None,
        )
        if first_line:  # what they wrote is the first thing staff read
            await self.service.handoff_message(handoff.id, str(first_line))
        session.slots[HANDOFF_SLOT] = handoff.id
        return True

    async def forget(self, key: ContactKey) -> list[str]:
        """Erase the contact here; the booking registrations of the households erased."""
        return await self.service.forget_contact(key.digest)

    async def recognise(self, key: ContactKey, session: Session) -> bool:
        """A person registered by staff writes from their own phone: their conversation
        takes the registration (the usual menu, never a second registration). True when the
        session was just linked."""
        if (
            session.registration_id
            or session.slots.get(HANDOFF_SLOT)
            or any(a.name == "register" for a in session.queued)
        ):
            return False
        try:
            household = await self.service.db(self.service.repo.household_of_contact, key.digest)
        except SQLAlchemyError as exc:  # the staff database does not answer: ask next time
            log.warning("contact %s: registrations by staff not readable now: %s", key, exc)
            return False
        if household is None:
            return False
        adopt(session, household)
        await self.service.audit(
            "applicant_recognised", household_id=household.id, shelter_id=household.shelter_id
        )
        return True

    async def registrations_of(self, digest: str) -> list[str]:
        return await self.service.registrations_of(digest)

    async def result_target(self, contact_ref: str) -> ResultTarget | None:
        return await self.service.db(self.service.repo.result_target, contact_ref)


def _looks_like_invite(text: str) -> bool:
    """An invite code has letters and digits: "1990 0512" (a date) or "5512 3456" is not."""
    return (
        INVITE_CODE.match(text) is not None
        and any(ch.isdigit() for ch in text)
        and any(ch.isalpha() for ch in text)
    )
