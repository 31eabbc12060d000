"""Staff mode over WhatsApp/SMS, handoff pauses, and invite codes: the part of a conversation
that happens before (or instead of) the flow engine.

Why a small dedicated module and not flows: flows move one person's conversation through one
session's slots and one registration, and their effect actions see only that session and the
booking client. Staff mode works on many households in the staff database (pick "1,3" from a
list, request for each, show each one's status) and on other people's handoffs; expressing
that in flows would need list-valued answers, loops and database actions the engine does not
have. Its messages still live in YAML (`flows/staff.messages.yaml`) and the reviewed catalogs.

`StaffHub` is called by `Conversations.handle` (under the contact's lock, with its session):
* `intercept` answers the message itself (returns replies) or lets the engine have it (None);
* `after_commit` opens a handoff the flow asked for (the `open_handoff` local action);
* `forget` erases the contact from the staff tables ("delete my data").
The staff mode's position lives in the staff member's own session (`slots["_staff"]`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.contacts import ContactKey, InvalidSender, normalize_phone
from bot.engine.actions import LOCAL_ACTIONS, LocalContext
from bot.engine.answers import ANSWER_TYPES, Accepted, AnswerContext, AnswerResult
from bot.engine.commands import Command, match_command
from bot.engine.models import Collect
from bot.engine.runner import FIRST_LINE_SLOT, URGENT_SLOT, Engine, TurnContext
from bot.engine.session import Session
from bot.i18n import country_name, format_day, format_moment
from bot.languages import BY_CODE, LANGUAGES, REQUIRED_LANGUAGES
from bot.messages import Inbound, Option, Reply
from bot.ports import local_moment
from bot.staff.repository import HouseholdView, PersonView, ResultTarget, StaffView
from bot.staff.service import StaffService
from nlu.danger import danger

STAFF_SLOT = "_staff"
HANDOFF_SLOT = "_handoff"
#: Set by the `open_handoff` local action; replaced by the handoff id once it exists.
HANDOFF_REQUESTED = "requested"
INTERPRETER_SLOT = "_interpreter"

#: Words that open staff mode (on a linked number only). None is a carrier keyword.
#: An invite code as printed by `frontdoor staff invite` (dash or space optional).
INVITE_CODE = re.compile(r"^[A-Za-z2-9]{4}[- ]?[A-Za-z2-9]{4}$")
_NUMBERS = re.compile(r"\d+")

MENU_OPTIONS = ("register", "list", "request", "status", "inbox", "confirm", "leave")
#: The booking API's contact_ref of a household registered by staff (never a phone digest).
HOUSEHOLD_REF_PREFIX = "hh-"

log = logging.getLogger(__name__)


@dataclass
class StaffHub:
    service: StaffService
    #: The applicant's flows: staff mode gives their answers for the same input.
    engine: Engine

    # ---- entry points --------------------------------------------------------------------

    async def intercept(
        self, key: ContactKey, session: Session, inbound: Inbound, ctx: TurnContext
    ) -> list[Reply] | None:
        text = inbound.text.strip()
        handoff = session.slots.get(HANDOFF_SLOT)
        if handoff and handoff != HANDOFF_REQUESTED:
            if match_command(text) not in (None, Command.HUMAN):
                # Back to the bot at any time: the engine answers the command.
                session.slots.pop(HANDOFF_SLOT, None)
                await self.service.leave_handoff(str(handoff))
                return None
            if not text:
                return []
            waits = await self.service.handoff_message(str(handoff), text)
            if danger(text) is not None:
                await self.service.mark_urgent(str(handoff))
            # A person answers, not the bot; but the first message of each wait is
            # acknowledged, so no one writes into silence.
            if not waits:
                return []
            return [Reply(text=self.engine.message(session, "handoff_received", ctx))]
        if _looks_like_invite(text):
            return await self._redeem(key, session, inbound, text, ctx)
        state = session.slots.get(STAFF_SLOT)
        if isinstance(state, dict) and state.get("on"):
            staff = await self.service.db(self.service.repo.staff_by_digest, key.digest)
            if staff is None:  # unlinked meanwhile
                session.slots.pop(STAFF_SLOT, None)
                return None
            return await self._turn(staff, session, state, inbound, ctx)
        if match_command(text) is Command.STAFF:  # the packs' `commands: staff` words
            staff = await self.service.db(self.service.repo.staff_by_digest, key.digest)
            if staff is not None:
                new_state: dict[str, Any] = {"on": True}
                session.slots[STAFF_SLOT] = new_state
                await self.service.audit("staff_mode_on", staff)
                return self._menu(staff, session, new_state, ctx)
        return None

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

    # ---- people registered by staff ------------------------------------------------------

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

    # ---- invite codes ------------------------------------------------------------------------

    async def _redeem(
        self, key: ContactKey, session: Session, inbound: Inbound, code: str, ctx: TurnContext
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        staff = await self.service.redeem_invite(code, inbound.sender, inbound.channel, lang)
        t = self.service.texts
        if staff is None:
            return [Reply(text=t(lang, "invite_invalid"))]
        state: dict[str, Any] = {"on": True}
        session.slots[STAFF_SLOT] = state
        if session.lang is None:
            session.lang = lang
        replies = [Reply(text=t(lang, "linked", shelter=staff.shelter_name))]
        return replies + self._menu(staff, session, state, ctx)

    # ---- staff mode ----------------------------------------------------------------------------

    def _lang(self, session: Session, ctx: TurnContext) -> str:
        return session.lang or ctx.default_language

    def _menu(
        self, staff: StaffView, session: Session, state: dict[str, Any], ctx: TurnContext
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        state.clear()
        state.update({"on": True, "at": "menu"})
        options = tuple(Option(id=o, title=t(lang, f"menu_{o}")) for o in MENU_OPTIONS)
        text = t(lang, "menu", shelter=staff.shelter_name) + "\n" + _numbered(options)
        return [Reply(text=text, options=options)]

    async def _turn(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        inbound: Inbound,
        ctx: TurnContext,
    ) -> list[Reply]:
        text = inbound.text.strip()
        button = inbound.button_payload
        command = None if button else match_command(text)
        if command in (Command.MENU, Command.BACK):
            return self._menu(staff, session, state, ctx)
        at = state.get("at", "menu")
        handler = getattr(self, f"_at_{at}", None)
        if handler is None:
            return self._menu(staff, session, state, ctx)
        replies: list[Reply] = await handler(staff, session, state, text, button, ctx)
        return replies

    async def _at_menu(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        options = tuple(Option(id=o, title=t(lang, f"menu_{o}")) for o in MENU_OPTIONS)
        choice = self._parse("choice", text, button, lang, ctx, options)
        if choice is None:
            return [
                Reply(text=t(lang, "invalid_choice") + "\n" + _numbered(options), options=options)
            ]
        if choice == "register":
            state.update({"at": "reg_name", "draft": {}})
            return [Reply(text=t(lang, "ask_name"))]
        if choice == "list":
            return await self._list(staff, session, state, ctx)
        if choice == "request":
            listing = await self._list(staff, session, state, ctx)
            if state.get("ids"):
                state["at"] = "req_pick"
                listing.append(Reply(text=t(lang, "pick_request")))
            return listing
        if choice == "status":
            return await self._statuses(staff, session, state, ctx)
        if choice == "inbox":
            return await self._inbox(staff, session, state, ctx)
        if choice == "confirm":
            return await self._appointments(staff, session, state, ctx)
        session.slots.pop(STAFF_SLOT, None)
        await self.service.audit("staff_mode_off", staff)
        return [Reply(text=t(lang, "left_staff_mode"))]

    # registration, one question at a time

    async def _at_reg_name(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        return self._collect(
            session,
            state,
            "name",
            "full_name",
            text,
            button,
            ctx,
            next_at="reg_birth",
            next_key="ask_birth",
            retry="invalid_name",
        )

    async def _at_reg_birth(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        replies = self._collect(
            session,
            state,
            "date",
            "birth_date",
            text,
            button,
            ctx,
            next_at="reg_nat",
            next_key="ask_nationality",
            retry="invalid_date",
        )
        if state["at"] == "reg_nat" and not self._adult(state["draft"]["birth_date"], ctx):
            # As the applicant's own flow says it (flows/register.yaml), with the same check.
            said = self.engine.say(session, "register", "child_alone", ctx)
            return [Reply(text=said), *self._menu(staff, session, state, ctx)]
        return replies

    def _adult(self, birth_date: str, ctx: TurnContext) -> bool:
        check = LOCAL_ACTIONS["primary_is_adult"]
        scratch = Session(phone="-", slots={"birth_date": birth_date})
        limits = LocalContext(ctx.now, ctx.today, ctx.max_household_size, ctx.adult_age)
        return check.run(scratch, limits).key == "yes"

    async def _at_reg_nat(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        replies = self._collect(
            session,
            state,
            "country",
            "nationality",
            text,
            button,
            ctx,
            next_at="reg_port",
            next_key="ask_port",
            retry="invalid_country",
        )
        if state["at"] == "reg_port":
            options = _port_options(ctx)
            replies = [Reply(text=replies[0].text + "\n" + _numbered(options), options=options)]
        return replies

    async def _at_reg_port(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        options = _port_options(ctx)
        port = self._parse("choice", text, button, lang, ctx, options)
        if port is None:
            return [
                Reply(text=t(lang, "invalid_choice") + "\n" + _numbered(options), options=options)
            ]
        state["draft"]["port"] = port
        state["at"] = "reg_lang"
        options = _language_options()
        return [Reply(text=t(lang, "ask_language") + "\n" + _numbered(options), options=options)]

    async def _at_reg_lang(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        options = _language_options()
        chosen = self._parse("choice", text, button, lang, ctx, options)
        if chosen is None:
            return [
                Reply(text=t(lang, "invalid_choice") + "\n" + _numbered(options), options=options)
            ]
        state["draft"]["lang"] = chosen
        state["at"] = "reg_phone"
        return [Reply(text=t(lang, "ask_phone"))]

    async def _at_reg_phone(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        value = text.strip()
        phone: str | None = None
        if value not in {"0", "-"}:
            if value.startswith("00"):
                value = "+" + value[2:]
            try:
                phone = normalize_phone(value) if value.startswith("+") else None
            except InvalidSender:
                phone = None
            if phone is None:
                return [Reply(text=t(lang, "invalid_phone"))]
        state["draft"]["phone"] = phone
        state["draft"]["members"] = []
        state["at"] = "reg_more"
        return self._yes_no_question(lang, "ask_member")

    # family members who travel with the person: one at a time, up to the booking API's limit

    async def _at_reg_more(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        answer = self._yes_no(text, button, lang, ctx)
        if answer is None:
            return self._yes_no_question(lang, "ask_member")
        if answer:
            state["at"] = "mem_name"
            return [Reply(text=self.service.texts(lang, "ask_member_name"))]
        state["at"] = "reg_consent"
        return self._yes_no_question(lang, "ask_consent")

    async def _at_mem_name(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        value = self._parse("name", text, button, lang, ctx)
        if value is None:
            return [Reply(text=self.service.texts(lang, "invalid_name"))]
        state["member"] = {"full_name": value}
        state["at"] = "mem_birth"
        return [Reply(text=self.service.texts(lang, "ask_birth"))]

    async def _at_mem_birth(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        value = self._parse("date", text, button, lang, ctx, past=True)
        if value is None:
            return [Reply(text=self.service.texts(lang, "invalid_date"))]
        state["member"]["birth_date"] = value
        state["at"] = "mem_rel"
        options = self._relationship_options(lang)
        text_out = self.service.texts(lang, "ask_member_relationship")
        return [Reply(text=text_out + "\n" + _numbered(options), options=options)]

    async def _at_mem_rel(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        options = self._relationship_options(lang)
        chosen = self._parse("relationship", text, button, lang, ctx, options)
        if chosen is None:
            return [
                Reply(text=t(lang, "invalid_choice") + "\n" + _numbered(options), options=options)
            ]
        state["member"]["relationship"] = chosen
        state["at"] = "mem_nat"
        return [Reply(text=t(lang, "ask_nationality"))]

    async def _at_mem_nat(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        """Each family member's own nationality (a family may mix them), as the applicant's
        household flow asks it."""
        lang = self._lang(session, ctx)
        t = self.service.texts
        value = self._parse("country", text, button, lang, ctx)
        if value is None:
            return [Reply(text=t(lang, "invalid_country"))]
        draft = state["draft"]
        draft["members"].append({**state.pop("member"), "nationality": value})
        if 1 + len(draft["members"]) >= self.service.settings.max_household_size:
            state["at"] = "reg_consent"
            return [
                Reply(text=t(lang, "household_full")),
                *self._yes_no_question(lang, "ask_consent"),
            ]
        state["at"] = "reg_more"
        return self._yes_no_question(lang, "ask_member")

    def _relationship_options(self, lang: str) -> tuple[Option, ...]:
        return tuple(
            Option(id=r.id, title=self.engine.catalogs.gettext(lang, r.label))
            for r in self.engine.flowset.relationships
        )

    async def _at_reg_consent(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        answer = self._yes_no(text, button, lang, ctx)
        if answer is None:
            return self._yes_no_question(lang, "ask_consent")
        if not answer:
            await self.service.audit("register_refused_no_consent", staff)
            replies = [Reply(text=t(lang, "no_consent"))]
            return replies + self._menu(staff, session, state, ctx)
        state["draft"]["consent"] = True
        state["at"] = "reg_confirm"
        draft = state["draft"]
        summary = t(
            lang,
            "summary",
            name=draft["full_name"],
            birth_date=format_day(lang, _date(draft["birth_date"])),
            nationality=country_name(draft["nationality"], lang),
            port=ctx.ports.get(draft["port"], draft["port"]),
            phone=draft["phone"] or t(lang, "no_phone"),
            family=", ".join(m["full_name"] for m in draft.get("members", [])) or "-",
        )
        options = self._yes_no_options(lang)
        return [Reply(text=summary + "\n" + _numbered(options), options=options)]

    async def _at_reg_confirm(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        answer = self._yes_no(text, button, lang, ctx)
        if answer is None:
            options = self._yes_no_options(lang)
            return [
                Reply(text=t(lang, "invalid_yes_no") + "\n" + _numbered(options), options=options)
            ]
        if not answer:
            return [Reply(text=t(lang, "not_registered")), *self._menu(staff, session, state, ctx)]
        draft = state["draft"]
        household, outcome = await self.service.register_household(
            staff,
            primary=PersonView(draft["full_name"], draft["birth_date"], draft["nationality"]),
            members=[
                PersonView(
                    m["full_name"],
                    m["birth_date"],
                    m.get("nationality") or draft["nationality"],
                    m["relationship"],
                )
                for m in draft.get("members", [])
            ],
            port=draft["port"],
            lang=draft["lang"],
            applicant_phone=draft["phone"],
            consented=bool(draft.get("consent")),
        )
        if household is None:
            replies = [Reply(text=t(lang, f"register_{outcome}"))]
        else:
            key = "registered" if household.applicant_phone else "registered_no_phone"
            replies = [
                Reply(
                    text=t(
                        lang,
                        key,
                        name=household.primary.full_name,
                        registration_id=household.registration_id or "",
                    )
                )
            ]
        return replies + self._menu(staff, session, state, ctx)

    # lists, requests, statuses, inbox

    async def _list(
        self, staff: StaffView, session: Session, state: dict[str, Any], ctx: TurnContext
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        households = await self.service.households(staff)
        requested = await self.service.requests_today(staff)
        await self.service.audit("households_listed", staff, detail=f"{len(households)} households")
        state["ids"] = [h.id for h in households]
        if not households:
            return [Reply(text=t(lang, "no_households"))]
        lines = [t(lang, "households", shelter=staff.shelter_name)]
        for i, h in enumerate(households, start=1):
            mark = " *" if h.id in requested else ""
            who = _who(h, t(lang, "no_phone_mark"))
            lines.append(f"{i}. {who} - {ctx.ports.get(h.port, h.port)}{mark}")
        return [Reply(text="\n".join(lines))]

    async def _at_req_pick(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        ids: list[str] = list(state.get("ids", []))
        picked = _pick(text, len(ids))
        if picked is None:
            return [Reply(text=t(lang, "invalid_pick"))]
        results = await self.service.request_today(staff, [ids[i] for i in picked])
        lines = [t(lang, "request_results")]
        for result in results:
            lines.append(f"{_who(result.household)}: {t(lang, 'req_' + result.outcome)}")
        return [Reply(text="\n".join(lines)), *self._menu(staff, session, state, ctx)]

    async def _statuses(
        self, staff: StaffView, session: Session, state: dict[str, Any], ctx: TurnContext
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        rows = await self.service.statuses(staff)
        if not rows:
            return [Reply(text=t(lang, "no_households")), *self._menu(staff, session, state, ctx)]
        lines = [t(lang, "statuses")]
        for row in rows:
            lines.append(
                f"{_who(row.household)}: {describe_status(t, lang, row.status, ctx.ports)}"
            )
        return [Reply(text="\n".join(lines)), *self._menu(staff, session, state, ctx)]

    async def _inbox(
        self, staff: StaffView, session: Session, state: dict[str, Any], ctx: TurnContext
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        handoffs = await self.service.inbox(staff)
        await self.service.audit("inbox_viewed", staff, detail=f"{len(handoffs)} waiting")
        if not handoffs:
            return [Reply(text=t(lang, "no_handoffs")), *self._menu(staff, session, state, ctx)]
        state["handoffs"] = [h.id for h in handoffs]
        state["at"] = "inbox_pick"
        lines = [t(lang, "handoffs")]
        for i, h in enumerate(handoffs, start=1):
            last = next((m.body for m in reversed(h.messages) if m.direction == "in"), "")
            name = BY_CODE[h.lang].own_name if h.lang in BY_CODE else h.lang
            flag = f" ({t(lang, 'interpreter_needed')})" if h.interpreter_needed else ""
            urgent = f"{t(lang, 'urgent')} " if h.urgent else ""
            lines.append(f"{i}. {urgent}{name}{flag}: {last[:60]}")
        lines.append(t(lang, "pick_handoff"))
        return [Reply(text="\n".join(lines))]

    async def _at_inbox_pick(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        ids: list[str] = list(state.get("handoffs", []))
        picked = _pick(text, len(ids), allow_all=False)
        if not picked or len(picked) != 1:
            return [Reply(text=t(lang, "invalid_pick"))]
        state["handoff"] = ids[picked[0]]
        state["at"] = "inbox_reply"
        return [Reply(text=t(lang, "ask_reply"))]

    async def _at_inbox_reply(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        sent = await self.service.reply(staff, str(state.get("handoff")), text)
        replies = [Reply(text=t(lang, "reply_sent" if sent else "reply_failed"))]
        return replies + self._menu(staff, session, state, ctx)

    async def _appointments(
        self, staff: StaffView, session: Session, state: dict[str, Any], ctx: TurnContext
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        rows = [r for r in await self.service.statuses(staff) if r.appointment is not None]
        if not rows:
            return [Reply(text=t(lang, "no_appointments")), *self._menu(staff, session, state, ctx)]
        state["ids"] = [r.household.id for r in rows]
        state["at"] = "appt_pick"
        lines = [t(lang, "appointments")]
        for i, row in enumerate(rows, start=1):
            described = describe_status(t, lang, row.status, ctx.ports)
            lines.append(f"{i}. {_who(row.household)}: {described}")
        lines.append(t(lang, "pick_appointment"))
        return [Reply(text="\n".join(lines))]

    async def _at_appt_pick(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        ids: list[str] = list(state.get("ids", []))
        picked = _pick(text, len(ids), allow_all=False)
        if not picked or len(picked) != 1:
            return [Reply(text=t(lang, "invalid_pick"))]
        state["household"] = ids[picked[0]]
        state["at"] = "appt_action"
        options = self._appointment_options(lang)
        text_out = t(lang, "ask_appointment_action") + "\n" + _numbered(options)
        return [Reply(text=text_out, options=options)]

    def _appointment_options(self, lang: str) -> tuple[Option, ...]:
        t = self.service.texts
        return tuple(
            Option(id=o, title=t(lang, f"appt_{o}")) for o in ("confirm", "give_up", "back")
        )

    async def _at_appt_action(
        self,
        staff: StaffView,
        session: Session,
        state: dict[str, Any],
        text: str,
        button: str | None,
        ctx: TurnContext,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        t = self.service.texts
        options = self._appointment_options(lang)
        chosen = self._parse("choice", text, button, lang, ctx, options)
        if chosen is None:
            return [
                Reply(text=t(lang, "invalid_choice") + "\n" + _numbered(options), options=options)
            ]
        household_id = str(state.get("household"))
        if chosen == "confirm":
            outcome = await self.service.confirm_for(staff, household_id)
            replies = [Reply(text=t(lang, f"confirm_{outcome}"))]
        elif chosen == "give_up":
            outcome = await self.service.give_up_for(staff, household_id)
            replies = [Reply(text=t(lang, f"give_up_{outcome}"))]
        else:
            replies = []
        return replies + self._menu(staff, session, state, ctx)

    # ---- answer helpers ----------------------------------------------------------------------

    def _parse(
        self,
        kind: str,
        text: str,
        button: str | None,
        lang: str,
        ctx: TurnContext,
        options: tuple[Option, ...] = (),
        past: bool = False,
    ) -> Any:
        result = self._result(kind, text, button, lang, ctx, options, past)
        return result.value if isinstance(result, Accepted) else None

    def _result(
        self,
        kind: str,
        text: str,
        button: str | None,
        lang: str,
        ctx: TurnContext,
        options: tuple[Option, ...] = (),
        past: bool = False,
    ) -> AnswerResult:
        collect = Collect(slot="_staff_answer", type=kind, past=past)
        actx = AnswerContext(lang=lang, today=ctx.today, collect=collect, options=options)
        return ANSWER_TYPES[kind].parse(text, button, actx)

    def _collect(
        self,
        session: Session,
        state: dict[str, Any],
        kind: str,
        slot: str,
        text: str,
        button: str | None,
        ctx: TurnContext,
        *,
        next_at: str,
        next_key: str,
        retry: str,
    ) -> list[Reply]:
        lang = self._lang(session, ctx)
        result = self._result(kind, text, button, lang, ctx, past=kind == "date")
        t = self.service.texts
        if not isinstance(result, Accepted):
            if result.specific:  # e.g. a date that cannot exist: as the applicant is told
                return [Reply(text=self.engine.message(session, result.message, ctx))]
            return [Reply(text=t(lang, retry))]
        state["draft"][slot] = result.value
        state["at"] = next_at
        return [Reply(text=t(lang, next_key))]

    def _yes_no_options(self, lang: str) -> tuple[Option, ...]:
        t = self.service.texts
        return (Option(id="yes", title=t(lang, "yes")), Option(id="no", title=t(lang, "no")))

    def _yes_no_question(self, lang: str, key: str) -> list[Reply]:
        options = self._yes_no_options(lang)
        return [
            Reply(text=self.service.texts(lang, key) + "\n" + _numbered(options), options=options)
        ]

    def _yes_no(self, text: str, button: str | None, lang: str, ctx: TurnContext) -> bool | None:
        value = self._parse("yes_no", text, button, lang, ctx, self._yes_no_options(lang))
        return None if value is None else bool(value)


def adopt(session: Session, household: HouseholdView) -> None:
    """Give a conversation the registration staff made for this phone's person: their
    answers, consent, registration and the booking API's reference; they are at the menu."""
    primary = household.primary
    session.lang = session.lang or household.lang
    session.consented_at = session.consented_at or household.consent_at
    session.registration_id = household.registration_id
    session.contact_ref = household.contact_ref
    session.slots.update(
        {
            "language": session.lang,
            "full_name": primary.full_name,
            "birth_date": primary.birth_date,
            "nationality": primary.nationality,
            "port": household.port,
            "members": [
                {
                    "full_name": m.full_name,
                    "birth_date": m.birth_date,
                    "nationality": m.nationality,
                    "relationship": m.relationship or "other",
                }
                for m in household.members
            ],
        }
    )
    session.flow, session.step = "menu", "choose"


def describe_status(t: Any, lang: str, status: Any, ports: Any) -> str:
    """One household's state in words (shared with the portal): an appointment says whether
    it is confirmed and, if not, until when it can be."""
    if status is None:
        return str(t(lang, "status_unknown"))
    appointment = status.appointment
    if appointment is not None and appointment.status in {"allocated", "confirmed"}:
        # As the applicant is told (bot/engine/display.py): the time the booking API gives,
        # which is the port's local time; the deadline in the same time zone.
        starts = local_moment(appointment.starts_at, appointment.port)
        values = {
            "when": format_moment(lang, starts),
            "port": ports.get(appointment.port, appointment.port),
        }
        if appointment.status == "confirmed":
            return str(t(lang, "status_confirmed", **values))
        deadline = appointment.confirm_by
        local = deadline.astimezone(starts.tzinfo) if deadline else None
        by = format_moment(lang, local) if local else "-"
        return str(t(lang, "status_unconfirmed", confirm_by=by, **values))
    request = status.latest_request
    if request is None:
        return str(t(lang, "status_none"))
    if request.status == "not_selected":
        return str(t(lang, "status_not_selected", date=format_day(lang, request.request_date)))
    return str(t(lang, "status_pending", date=format_day(lang, request.request_date)))


def _looks_like_invite(text: str) -> bool:
    """An invite code has letters and digits: "1990 0512" (a date) or "5512 3456" is not."""
    return (
        INVITE_CODE.match(text) is not None
        and any(ch.isdigit() for ch in text)
        and any(ch.isalpha() for ch in text)
    )


def _who(household: HouseholdView, no_phone: str = "") -> str:
    extra = f" +{len(household.members)}" if household.members else ""
    phone = "" if household.applicant_phone or not no_phone else f" {no_phone}"
    return f"{household.primary.full_name}{extra}{phone}"


def _pick(text: str, count: int, allow_all: bool = True) -> list[int] | None:
    numbers = [int(n) for n in _NUMBERS.findall(text)]
    if not numbers:
        return None
    if allow_all and numbers == [0]:
        return list(range(count))
    if any(n < 1 or n > count for n in numbers):
        return None
    return sorted(set(n - 1 for n in numbers))


def _port_options(ctx: TurnContext) -> tuple[Option, ...]:
    return tuple(Option(id=pid, title=name) for pid, name in ctx.ports.items())


def _language_options() -> tuple[Option, ...]:
    return tuple(Option(id=lang.code, title=lang.own_name) for lang in LANGUAGES)


def _numbered(options: tuple[Option, ...]) -> str:
    return "\n".join(f"{i}. {opt.title}" for i, opt in enumerate(options, start=1))


def _date(value: str) -> Any:
    from datetime import date

    return date.fromisoformat(value)
