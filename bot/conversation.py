"""One inbound message, end to end: lock, load, dedupe, run the flow, save, then side effects.

The order is the point. The session (with any pending booking action and its idempotency key)
is saved before the booking API is called, and saved again with the outcome before the reply
is returned, so a crash at any moment loses nothing and repeats nothing.

When the booking API is down, a write (registration, request, deletion...) is not an error:
it moves to the session's outbox (`session.queued`, indexed in the store's outbox set) with
the time the person asked, the person is told it is saved, and `replay` sends it later with
the same idempotency key and original time, then tells the person the result. A write made
while earlier ones still wait (today's request behind a queued registration) is queued behind
them without being tried, so they reach the booking API in the order the person made them; a
registration carries the time the person registered (`registered_at`: their waiting time).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from bot import household, metrics
from bot.booking.client import BookingClient, BookingError
from bot.channels.render import render_bodies
from bot.contacts import ContactKey, contact_key
from bot.engine.actions import EFFECT_ACTIONS, QUEUED, UNAVAILABLE, EffectContext, Outcome
from bot.engine.actions.local import RETURNING_SLOT, VOICE_SLOT
from bot.engine.runner import Engine, TurnContext
from bot.engine.session import PendingAction, Session
from bot.erasure import Eraser, erasure_of
from bot.held import part_id as held_part
from bot.held import take_held_notices
from bot.jobs.ledger import Ledger, SendState
from bot.jobs.queue import JobQueue
from bot.messages import ChannelKind, Inbound, Reply
from bot.optout import is_opt_in, is_opt_out
from bot.outbound import OutboundMessage, Sender
from bot.ports import PortDirectory
from bot.settings import Settings
from bot.store.base import Held, Store

if TYPE_CHECKING:
    from bot.staff.chat import StaffHub

log = logging.getLogger(__name__)

#: Longer messages are not answers to any question we ask (names are < 100 characters).
MAX_TEXT_LENGTH = 1000
#: The idempotency key of the "delete my data" being carried out (the erasure keeps it).
ERASURE_KEY_SLOT = "_erasure_key"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _writes_on(inbound: Inbound) -> ChannelKind:
    """Where texts to this person go: a caller's phone takes SMS."""
    return ChannelKind.SMS if inbound.channel is ChannelKind.VOICE else inbound.channel


@dataclass(frozen=True, slots=True)
class Handled:
    """The replies to one inbound message, and the language to render them in."""

    replies: list[Reply]
    lang: str | None
    #: Voice mode (flows/voice.yaml): the channel adds a voice note of the replies.
    voice: bool = False


@dataclass
class Conversations:
    settings: Settings
    store: Store
    engine: Engine
    booking: BookingClient
    ports: PortDirectory
    sender: Sender
    clock: Callable[[], datetime] = utcnow
    #: Mirrors opt-outs and daily-reminder opt-ins for the outbound worker (bot/jobs).
    ledger: Ledger | None = None
    #: Staff mode, invite codes and handoffs (bot/staff/chat.py); None: not wired.
    staff: StaffHub | None = None

    #: The outbound job queue ("delete my data" drops the contact's waiting jobs).
    jobs: JobQueue | None = None

    def __post_init__(self) -> None:
        self.eraser = Eraser(
            self.store, self.booking, self.sender, self.ledger, self.staff, self.jobs
        )

    def key_for(self, phone_e164: str) -> ContactKey:
        return contact_key(self.settings.secret_key.get_secret_value(), phone_e164)

    async def handle(self, inbound: Inbound, *, flood: tuple[int, float] | None = None) -> Handled:
        """Handle one message under the contact's lock. `flood`: the store's bucket (burst,
        per second), taken in the same round trip as the lock (`Flooded` when over it)."""
        key = self.key_for(inbound.sender)
        async with self.store.hold(key, message=inbound.message_id, flood=flood) as held:
            return await self._handle(key, inbound, held)

    async def _handle(self, key: ContactKey, inbound: Inbound, held: Held) -> Handled:
        session = held.session
        if session is None:
            session = Session(
                phone=inbound.sender, channel=_writes_on(inbound), contact_ref=key.digest
            )
            await self._recognise(key, session)
        ctx = await self._context()
        if session.handled(inbound.message_id):
            log.info("contact %s: message %s already handled", key, inbound.message_id)
            # The replies are kept a few minutes for a retry of the last message; an older
            # one (a replay) gets none.
            cached = _replies(held.kept_replies)
            if session.pending is None:
                return Handled(cached, session.lang, bool(session.slots.get(VOICE_SLOT)))
            # A crash left the booking call undone: finish it now, same key.
            replies: list[Reply] = cached + await self._carry_out(key, session, ctx, held)
            await self._commit(key, session, held, replies)
            return Handled(replies, session.lang)

        if inbound.channel is not ChannelKind.VOICE:  # a call opens no WhatsApp window
            session.channel = inbound.channel
            session.last_inbound_at = ctx.now
        sms = inbound.channel is ChannelKind.SMS
        if is_opt_out(inbound.text, sms) and not inbound.button_payload:
            return await self._opt_out(key, session, inbound, ctx, held)
        opted_back_in = session.opted_out_at is not None  # writing again is enough
        session.opted_out_at = None
        daily_before = session.slots.get("daily_reminder") is True
        replies = []
        opting_in = is_opt_in(inbound.text) and not inbound.button_payload
        if opted_back_in and not opting_in:  # never silently: they are told
            replies.append(Reply(text=self.engine.message(session, "opted_in", ctx)))
        if session.pending is not None:
            replies += await self._carry_out(key, session, ctx, held)
        if session.queued:
            # The person is here: a good moment to try saved calls (cheap if still down).
            replies += await self._replay_queued(key, session, ctx)
        held_notices, answered, held_jobs = take_held_notices(session)
        replies += held_notices  # a notice that could not be sent: delivered first, now
        staff_replies: list[Reply] | None = [] if answered else None
        if answered:
            pass  # the notice asked its question: this message did not answer it
        elif opting_in:
            staff_replies = self.engine.reask(session, "opted_in", ctx)
        elif self.staff is not None and await self.staff.recognise(key, session):
            # Registered by shelter staff: their registration, the usual menu.
            staff_replies = self.engine.reask(session, "recognised", ctx)
        elif self.staff is not None:  # staff mode, an invite code, or a paused handoff
            staff_replies = await self.staff.intercept(key, session, inbound, ctx)
        if staff_replies is None:
            staff_replies = self._turn(session, inbound, ctx)
        replies += staff_replies
        session.remember(inbound.message_id)
        mirror = self._mirroring(session, opted_back_in, daily_before)
        quiet = not mirror and not held_jobs and not self._opens_handoff(session)
        if session.pending is None and quiet:
            # Nothing happens after this write: it goes with the lock's release.
            await self._commit(key, session, held, replies, last=True)
            return Handled(replies, session.lang, voice=bool(session.slots.get(VOICE_SLOT)))
        await self._commit(key, session, held, replies)  # commit first ...
        await self._delivered_held(held_jobs, session.channel, ctx.now)
        if self.staff is not None and await self.staff.after_commit(key, session, ctx):
            await self._commit(key, session, held, replies)  # a handoff was opened: now paused
        if session.pending is not None:  # ... then side effects
            replies += await self._carry_out(key, session, ctx, held)
            await self._commit(key, session, held, replies)
        await self._mirror(key, session, opted_back_in, daily_before)
        return Handled(replies, session.lang, voice=bool(session.slots.get(VOICE_SLOT)))

    def _opens_handoff(self, session: Session) -> bool:
        """`StaffHub.after_commit` has a handoff to open (after a write of its own)."""
        if self.staff is None:
            return False
        from bot.staff.chat import HANDOFF_REQUESTED, HANDOFF_SLOT

        return session.slots.get(HANDOFF_SLOT) == HANDOFF_REQUESTED

    def _mirroring(self, session: Session, opted_back_in: bool, daily_before: bool) -> bool:
        """`_mirror` has something to write to the ledger (after the session's write)."""
        if self.ledger is None or session.erase:
            return False
        if opted_back_in or session.opted_out_at is not None:  # (an opt-out chosen in the turn)
            return True
        return (session.slots.get("daily_reminder") is True) != daily_before

    async def _recognise(self, key: ContactKey, session: Session) -> None:
        """No conversation for this contact: if the booking API knows them (the store lost
        their conversation), restore their registration so they are welcomed back instead of
        registering a second time. One quick attempt: someone waits for a first answer."""
        if await self.eraser.pending(key):
            return  # their "delete my data" waits: never bring the registration back
        try:
            found = await self.booking.find_registration(key.digest, retry=False)
        except BookingError as exc:
            log.info("contact %s: booking API not asked whether it knows them: %s", key, exc)
            return
        if found is None or found.household is None:
            return
        session.registration_id = found.id
        session.slots.update(household.slots_of(found.household))
        if found.port:
            session.slots["port"] = found.port
        session.slots[RETURNING_SLOT] = True
        # They agreed to the privacy notice before they registered.
        session.consented_at = found.created_at or self.clock()
        log.info("contact %s: conversation restored from the booking API", key)

    async def _opt_out(
        self, key: ContactKey, session: Session, inbound: Inbound, ctx: TurnContext, held: Held
    ) -> Handled:
        """STOP and its equivalents: no proactive message any more; the conversation stays
        where it was, so writing again continues it."""
        session.opted_out_at = ctx.now
        metrics.opt_out(inbound.channel.value, "out")
        replies = [Reply(text=self.engine.message(session, "opted_out", ctx))]
        session.remember(inbound.message_id)
        await self._commit(key, session, held, replies)
        if self.ledger is not None:
            await self.ledger.set_opted_out(key.digest, True)
        log.info("contact %s opted out of proactive messages", key)
        return Handled(replies, session.lang)

    async def _mirror(
        self, key: ContactKey, session: Session, opted_back_in: bool, daily_before: bool
    ) -> None:
        """Keep the worker's view (opt-outs, daily reminder list) in step with the session."""
        if not self._mirroring(session, opted_back_in, daily_before):
            return  # (after an erasure: the eraser forgot the contact in the ledger too)
        assert self.ledger is not None
        if session.opted_out_at is not None:  # chosen in the turn (flows/cancel.yaml)
            await self.ledger.set_opted_out(key.digest, True)
            metrics.opt_out(session.channel.value, "out")
            log.info("contact %s opted out of proactive messages", key)
        elif opted_back_in:
            await self.ledger.set_opted_out(key.digest, False)
            metrics.opt_out(session.channel.value, "in")
            log.info("contact %s receives proactive messages again", key)
        daily = session.slots.get("daily_reminder") is True
        if daily != daily_before:
            await self.ledger.set_daily_reminder(key.digest, daily)

    async def turn_context(self) -> TurnContext:
        return await self._context()

    async def save(self, key: ContactKey, session: Session) -> None:
        await self._save(key, session)

    async def replay(self, key: ContactKey) -> bool:
        """Try one contact's saved calls; send what happened. True when nothing is left."""
        async with self.store.lock(key):
            session = await self.store.load(key)
            if session is None or not session.queued:
                await self.store.outbox_remove(key)
                return True
            ctx = await self._context()
            replies = await self._replay_queued(key, session, ctx)
            if replies:
                session.notices += render_bodies(replies, session.channel, session.lang)
            await self._commit(key, session)  # the results are known before anyone is told
            await self._send_notices(key, session)
            return not session.queued

    async def finish_erasure(self, key: ContactKey) -> bool:
        """Carry on a "delete my data" that had to wait; True when nothing of it is left."""
        async with self.store.lock(key):
            return await self.eraser.resume(key)

    async def _send_notices(self, key: ContactKey, session: Session) -> None:
        while session.notices:
            body = session.notices[0]
            message = OutboundMessage(
                key.digest, session.phone, session.channel, body, lang=session.lang or ""
            )
            await self.sender.send(message)
            session.notices.pop(0)
            if not session.erase:
                await self._save(key, session)

    async def _delivered_held(
        self, jobs: list[str], channel: ChannelKind, now: datetime
    ) -> None:
        """Held notices go out with this reply: the ledger says so (no longer "held")."""
        if self.ledger is None:
            return
        for job in jobs:
            state = SendState(state="sent", at=now, sid="in-reply", channel=channel)
            await self.ledger.finish_part(held_part(job), state, None, None)

    def _turn(self, session: Session, inbound: Inbound, ctx: TurnContext) -> list[Reply]:
        text = inbound.text.strip()
        if not text and inbound.num_media and not inbound.button_payload:
            return self.engine.reask(session, "media_only", ctx)
        if len(text) > MAX_TEXT_LENGTH:
            return self.engine.reask(session, "too_long", ctx)
        return self.engine.handle(session, text, inbound.button_payload, ctx)

    async def _run(
        self, key: ContactKey, session: Session, pending: PendingAction, ctx: TurnContext
    ) -> Outcome:
        pending.attempts += 1
        action = EFFECT_ACTIONS[pending.name]
        effect = EffectContext(
            booking=self.booking,
            now=ctx.now,
            requested_at=pending.created_at,
            contact=key.digest,
            staff=self.staff,
            ports=ctx.ports,
            default_language=ctx.default_language,
            values=pending.values,
        )
        outcome = await action.run(session, effect, pending.idempotency_key)
        log.info("contact %s: action %s -> %s", key, pending.name, outcome.key)
        return outcome

    async def _carry_out(
        self, key: ContactKey, session: Session, ctx: TurnContext, held: Held | None = None
    ) -> list[Reply]:
        replies: list[Reply] = []
        while session.pending is not None:
            pending = session.pending
            if session.queued and EFFECT_ACTIONS[pending.name].queue_when_unavailable:
                # Earlier calls still wait (the registration, say): this one goes behind
                # them, in order, with its own time; never ahead of what it depends on.
                outcome = Outcome(UNAVAILABLE)
            else:
                outcome = await self._run(key, session, pending, ctx)
            if session.erase:
                session.slots[ERASURE_KEY_SLOT] = pending.idempotency_key
                if outcome.key == QUEUED:
                    # The booking part waits: what to say when it is done, in their language.
                    done = self.engine.describe_outcome(session, pending, Outcome("ok"), ctx)
                    session.notices = render_bodies(done, session.channel, session.lang)
            if outcome.key == UNAVAILABLE and EFFECT_ACTIONS[pending.name].queue_when_unavailable:
                await self.store.outbox_add(key)  # the index first: it may point to nothing
                session.queued.append(pending)
                outcome = Outcome(QUEUED)
            replies += self.engine.after_action(session, outcome, ctx)
            if session.pending is not None:
                await self._commit(key, session, held)
        return replies

    async def _replay_queued(
        self, key: ContactKey, session: Session, ctx: TurnContext
    ) -> list[Reply]:
        replies: list[Reply] = []
        while session.queued:
            pending = session.queued[0]
            outcome = await self._run(key, session, pending, ctx)
            if outcome.key == UNAVAILABLE:
                break
            session.queued.pop(0)
            replies += self.engine.describe_outcome(session, pending, outcome, ctx)
        if not session.queued:
            await self.store.outbox_remove(key)
        if replies:
            replies.insert(0, Reply(text=self.engine.message(session, "replayed", ctx)))
        return replies

    async def _context(self) -> TurnContext:
        now = self.clock()
        return TurnContext(
            now=now,
            today=now.date(),
            ports=await self.ports.names(),
            default_language=self.settings.default_language,
            max_household_size=self.settings.max_household_size,
            adult_age=self.settings.adult_age,
        )

    async def _commit(
        self,
        key: ContactKey,
        session: Session,
        held: Held | None = None,
        replies: list[Reply] | None = None,
        *,
        last: bool = False,
    ) -> None:
        """Save, or erase everything if the person's data was just deleted (what cannot be
        erased now waits in the erasure outbox: bot/erasure.py). Under `held` the write is
        fenced (`LockLost` if the lock went on) and keeps `replies` for a retry; `last`: it
        goes with the release of the lock, in the same round trip."""
        if session.erase:
            idempotency_key = str(session.slots.get(ERASURE_KEY_SLOT) or uuid.uuid4())
            erasure = erasure_of(session, key, idempotency_key, self.clock())
            await self.eraser.start(key, erasure)
        elif held is None:
            await self._save(key, session)
        else:
            session.updated_at = self.clock()
            kept = None if replies is None else _REPLIES.dump_json(replies)
            if last:
                held.stage(session, self.settings.session_ttl, kept)
            else:
                await held.save(session, self.settings.session_ttl, kept)

    async def _save(self, key: ContactKey, session: Session) -> None:
        session.updated_at = self.clock()
        await self.store.save(key, session, self.settings.session_ttl)


_REPLIES = TypeAdapter(list[Reply])


def _replies(kept: bytes | None) -> list[Reply]:
    return [] if kept is None else _REPLIES.validate_json(kept)
