"""Local actions: decisions and bookkeeping on the session alone."""

from __future__ import annotations

from bot.engine.actions.base import LocalContext, Outcome
from bot.engine.session import Session
from bot.messages import ChannelKind


class IsRegistered:
    name = "is_registered"
    outcomes = frozenset({"yes", "no", "waiting"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        if session.registration_id:
            return Outcome("yes")
        if any(action.name == "register" for action in session.queued):
            return Outcome("waiting")  # registered in the outbox, not yet in the booking API
        return Outcome("no")


#: Set when the booking API recognised a contact whose conversation was lost (a Redis loss):
#: the registration was restored from it, and the welcome flow says "welcome back".
RETURNING_SLOT = "_returning"


class IsReturning:
    name = "is_returning"
    outcomes = frozenset({"yes", "no"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        returning = session.slots.pop(RETURNING_SLOT, None) is True
        return Outcome("yes" if returning and session.registration_id else "no")


class HasConsented:
    name = "has_consented"
    outcomes = frozenset({"yes", "no"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        return Outcome("yes" if session.consented_at else "no")


class RecordConsent:
    name = "record_consent"
    outcomes = frozenset({"ok"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        session.consented_at = ctx.now
        return Outcome("ok")


class OpenHandoff:
    """Talk to a person: mark the conversation for a handoff. The staff hub opens it in the
    staff database after the session is saved, then pauses the conversation until the person
    writes a command word such as MENU (bot/staff/chat.py)."""

    name = "open_handoff"
    #: "urgent" when the person wrote of danger (the runner's `_urgent` slot).
    outcomes = frozenset({"ok", "urgent"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        session.slots["_handoff"] = "requested"
        return Outcome("urgent" if session.slots.get("_urgent") else "ok")


class ForgetAnswers:
    """Declined consent: keep nothing but the chosen language."""

    name = "forget_answers"
    outcomes = frozenset({"ok"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        session.slots.clear()
        session.history.clear()
        session.consented_at = None
        return Outcome("ok")


class SmsFallbackUnasked:
    """Whether to ask for SMS when WhatsApp cannot reach the person: on WhatsApp, not asked
    yet. Asked at registration, so a notice whose 24-hour window has closed (and has no
    approved template) can still go by SMS (bot/jobs/notify.py)."""

    name = "sms_fallback_unasked"
    outcomes = frozenset({"yes", "no"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        unasked = session.channel is ChannelKind.WHATSAPP and "sms_fallback" not in session.slots
        return Outcome("yes" if unasked else "no")


class RemindersOffered:
    """Whether the person already answered the daily reminder question (asked once, after
    their first request; STOP turns every proactive message off)."""

    name = "reminders_offered"
    outcomes = frozenset({"yes", "no"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        return Outcome("yes" if "daily_reminder" in session.slots else "no")


#: Session slot of voice mode (each reply also as a voice note on WhatsApp: bot/speech/).
VOICE_SLOT = "_voice"


class ToggleVoice:
    """Voice notes on, or off when they were on; only WhatsApp carries them."""

    name = "toggle_voice"
    outcomes = frozenset({"on", "off", "not_here"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        if session.channel is not ChannelKind.WHATSAPP:
            return Outcome("not_here")
        on = not session.slots.get(VOICE_SLOT)
        session.slots[VOICE_SLOT] = on
        return Outcome("on" if on else "off")


class StopNotices:
    """No reminders or notices any more, chosen from the cancel menu (the same as writing
    ALTO: bot/conversation.py mirrors it to the worker's ledger after the save)."""

    name = "stop_notices"
    outcomes = frozenset({"ok"})

    def run(self, session: Session, ctx: LocalContext) -> Outcome:
        session.opted_out_at = ctx.now
        return Outcome("ok")
