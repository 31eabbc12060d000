"""One inbound message, end to end: lock, load, dedupe, run the flow, save, then side effects.

The order is the point. The session (with any pending booking action and its idempotency key)
is saved before the booking API is called, and saved again with the outcome before the reply
is returned, so a crash at any moment loses nothing and repeats nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.booking.client import BookingClient
from bot.contacts import ContactKey, contact_key
from bot.engine.actions import EFFECT_ACTIONS, EffectContext
from bot.engine.runner import Engine, TurnContext
from bot.engine.session import Session
from bot.messages import Inbound, Reply
from bot.ports import PortDirectory
from bot.settings import Settings
from bot.store.base import Store

log = logging.getLogger(__name__)

#: Longer messages are not answers to any question we ask (names are < 100 characters).
MAX_TEXT_LENGTH = 1000


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Handled:
    """The replies to one inbound message, and the language to render them in."""

    replies: list[Reply]
    lang: str | None


@dataclass
class Conversations:
    settings: Settings
    store: Store
    engine: Engine
    booking: BookingClient
    ports: PortDirectory
    clock: Callable[[], datetime] = utcnow

    def key_for(self, phone_e164: str) -> ContactKey:
        return contact_key(self.settings.secret_key.get_secret_value(), phone_e164)

    async def handle(self, inbound: Inbound) -> Handled:
        key = self.key_for(inbound.sender)
        async with self.store.lock(key):
            session = await self.store.load(key)
            if session is None:
                session = Session(
                    phone=inbound.sender, channel=inbound.channel, contact_ref=key.digest
                )
            ctx = await self._context()
            cached = session.replies_for(inbound.message_id)
            if cached is not None:
                log.info("contact %s: message %s already handled", key, inbound.message_id)
                if session.pending is None:
                    return Handled(cached, session.lang)
                # A crash left the booking call undone: finish it now, same key.
                replies: list[Reply] = cached + await self._carry_out(key, session, ctx)
                session.remember(inbound.message_id, replies)
                await self._save(key, session)
                return Handled(replies, session.lang)

            session.channel = inbound.channel
            session.last_inbound_at = ctx.now
            replies = []
            if session.pending is not None:
                replies += await self._carry_out(key, session, ctx)
            replies += self._turn(session, inbound, ctx)
            session.remember(inbound.message_id, replies)
            await self._save(key, session)  # commit first ...
            if session.pending is not None:  # ... then side effects
                replies += await self._carry_out(key, session, ctx)
                session.remember(inbound.message_id, replies)
                await self._save(key, session)
            return Handled(replies, session.lang)

    def _turn(self, session: Session, inbound: Inbound, ctx: TurnContext) -> list[Reply]:
        text = inbound.text.strip()
        if not text and inbound.num_media and not inbound.button_payload:
            return self.engine.reask(session, "media_only", ctx)
        if len(text) > MAX_TEXT_LENGTH:
            return self.engine.reask(session, "too_long", ctx)
        return self.engine.handle(session, text, inbound.button_payload, ctx)

    async def _carry_out(self, key: ContactKey, session: Session, ctx: TurnContext) -> list[Reply]:
        replies: list[Reply] = []
        while session.pending is not None:
            pending = session.pending
            pending.attempts += 1
            action = EFFECT_ACTIONS[pending.name]
            outcome = await action.run(
                session, EffectContext(booking=self.booking, now=ctx.now), pending.idempotency_key
            )
            log.info("contact %s: action %s -> %s", key, pending.name, outcome.key)
            replies += self.engine.after_action(session, outcome, ctx)
            if session.pending is not None:
                await self._save(key, session)
        return replies

    async def _context(self) -> TurnContext:
        now = self.clock()
        return TurnContext(
            now=now,
            today=now.date(),
            ports=await self.ports.names(),
            default_language=self.settings.default_language,
        )

    async def _save(self, key: ContactKey, session: Session) -> None:
        session.updated_at = self.clock()
        await self.store.save(key, session, self.settings.session_ttl)
