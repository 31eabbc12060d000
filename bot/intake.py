"""What the webhook does with one inbound message before and around `Conversations.handle`:
limits, replay protection, and the spool when the message cannot be handled now.

1. Flood control: a token bucket per contact in this process (no I/O: most of a flood stops
   here), then the store's (`Store.flood`, all processes together); the first message over
   the limit is answered once ("you sent many messages..."), the rest are dropped without an
   answer until the bucket refills. Other contacts are not affected: a message dropped here
   is answered only once this process holds no other sender's message (`Deference`, at most
   a second later), so a flood delivered as fast as the server answers gets only the gaps
   between others' messages instead of the event loop.
2. In line: the messages of one contact wait for each other in arrival order from here on
   (the store calls below would otherwise let a later one overtake an earlier one); a
   contact with messages in the spool has this one kept behind them.
3. Replay protection: the session remembers the last `RECENT_TURNS` message ids it handled
   (as short hashes, written with the state they led to: bot/engine/session.py); a message
   already handled is answered with the replies it got while the store keeps them (a few
   minutes, for Twilio's retries), else with nothing.
4. `Conversations.handle`. If the store does not answer, or the contact's lock stays taken
   longer than Twilio waits, the message goes to the spool (bot/spool.py) and the person is
   told "received, I will answer shortly" (in their language when this process knows it).
5. `replay_spool_forever`: once the store answers, spooled messages are handled in arrival
   order, once each (the claim), and their replies go out through the outbound queue (a
   send job named after the message: a replay after a crash sends it once).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from bot.channels.render import render_bodies
from bot.contacts import ContactKey
from bot.conversation import Conversations, Handled
from bot.i18n import Catalogs
from bot.jobs.ledger import Ledger
from bot.jobs.models import Parcel, Part, SendJob
from bot.jobs.sending import seal_parcel
from bot.messages import ChannelKind, Inbound, Reply
from bot.spool import Spool, Spooled
from bot.store.base import Flood, Flooded, LockTimeout, StoreUnavailable
from bot.store.codec import SessionCodec
from bot.store.flood import TokenBuckets
from bot.store.locks import LocalLocks, LockWaitTimeout

log = logging.getLogger(__name__)

#: Contacts whose language this process remembers (for answers given without the store).
LANGUAGES_REMEMBERED = 10_000
#: A spooled message that fails this often for another reason than an outage is set aside.
MAX_REPLAY_FAILURES = 3


@dataclass
class Deference:
    """Work that may wait (the answer to a dropped flood message) waits until no other
    work is in hand, or `patience` seconds at most."""

    patience: float = 1.0
    _busy: int = 0
    _idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._idle.set()

    @contextmanager
    def working(self) -> Iterator[None]:
        self._busy += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    async def wait_turn(self) -> None:
        if self._busy:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.patience)


@dataclass
class Intake:
    conversations: Conversations
    catalogs: Catalogs
    #: Engine messages (flows/messages.yaml): key -> English msgid.
    messages: dict[str, str]
    spool: Spool | None
    #: Kicks a send job on the outbound queue (replies to spooled messages).
    send: Callable[[SendJob], Awaitable[None]]
    codec: SessionCodec
    flood_burst: int = 12
    flood_per_second: float = 0.5
    #: Where sent parts are recorded (to keep one contact's replies in order); None: no wait.
    ledger: Ledger | None = None
    #: How long a replayed reply waits for the same contact's previous one to be sent.
    order_wait: float = 30.0
    _order: LocalLocks = field(default_factory=LocalLocks)
    _local_flood: TokenBuckets = field(default_factory=TokenBuckets)
    _deference: Deference = field(default_factory=Deference)
    _languages: OrderedDict[str, str] = field(default_factory=OrderedDict)
    _failures: dict[int, int] = field(default_factory=dict)
    #: The last part queued for each contact by the replay (its next reply waits for it).
    _last_part: dict[str, str] = field(default_factory=dict)

    def _sid_hash(self, message_id: str) -> str:
        secret = self.conversations.settings.secret_key.get_secret_value().encode()
        return hmac.new(secret, b"inbound-sid:" + message_id.encode(), "sha256").hexdigest()[:40]

    def spooled(self) -> int:
        return 0 if self.spool is None else len(self.spool)

    def language(self, contact: str) -> str:
        return self._languages.get(contact) or self.conversations.settings.default_language

    def _remember_language(self, contact: str, lang: str | None) -> None:
        if lang is None:
            return
        self._languages[contact] = lang
        self._languages.move_to_end(contact)
        while len(self._languages) > LANGUAGES_REMEMBERED:
            self._languages.popitem(last=False)

    def _say(self, contact: str, key: str) -> Handled:
        lang = self.language(contact)
        return Handled([Reply(text=self.catalogs.gettext(lang, self.messages[key]))], lang)

    async def receive(self, inbound: Inbound) -> Handled:
        """Answer one webhook message (raises `SpoolFull` when it can be neither handled nor
        kept: the webhook answers 503 then)."""
        conv = self.conversations
        key = conv.key_for(inbound.sender)
        verdict = self._local_flood.take(key.digest, self.flood_burst, self.flood_per_second)
        if verdict is not Flood.OK:  # most of a flood stops here, before any I/O
            await self._deference.wait_turn()  # others' messages first
            return self._flooded(key.digest, verdict)
        with self._deference.working():
            try:
                # In line from the first await: the store calls below would otherwise let a
                # later message of this contact overtake an earlier one before the lock.
                async with self._order.hold(key.digest, conv.settings.lock_timeout_seconds):
                    return await self._in_line(key, inbound)
            except LockWaitTimeout:  # the messages ahead took longer than Twilio waits
                return await self._kept(key.digest, inbound, "in line too long")

    async def _in_line(self, key: ContactKey, inbound: Inbound) -> Handled:
        if self.spool is not None and self.spool.holds(key.digest):
            return await self._keep(key.digest, inbound)  # behind the kept ones
        try:
            return await self._handle(key.digest, inbound, flood=True)
        except Flooded as flooded:
            return self._flooded(key.digest, flooded.verdict)
        except (StoreUnavailable, LockTimeout) as exc:  # kept still in line: order holds
            return await self._kept(key.digest, inbound, type(exc).__name__)

    async def _kept(self, contact: str, inbound: Inbound, why: str) -> Handled:
        if self.spool is None:
            raise StoreUnavailable(f"no spool to keep a message in ({why})")
        log.warning("contact %s: message kept in the spool (%s)", contact, why)
        return await self._keep(contact, inbound)

    def _flooded(self, contact: str, verdict: Flood) -> Handled:
        if verdict is Flood.WARN:
            log.warning("contact %s: flood control: told once, the rest dropped", contact)
            return self._say(contact, "flooding")
        return Handled([], None)

    async def _keep(self, contact: str, inbound: Inbound) -> Handled:
        assert self.spool is not None
        await self.spool.append(contact, inbound)
        return self._say(contact, "received_later")

    async def _handle(self, contact: str, inbound: Inbound, *, flood: bool = False) -> Handled:
        """`Conversations.handle`: the session remembers the ids of the messages it handled
        (in the same write as the state they led to), so a retry or replay is not handled
        again; the store's flood bucket is taken in the same round trip as the lock. The
        store's bucket counts all processes together; one more token than the local one, so
        in a single process the person is told once (by the local one)."""
        limit = (self.flood_burst + 1, self.flood_per_second) if flood else None
        handled = await self.conversations.handle(inbound, flood=limit)
        self._remember_language(contact, handled.lang)
        return handled

    # -- the spool's replay ---------------------------------------------------------------

    async def replay_spool_once(self) -> int:
        """Handle spooled messages in order until the spool is empty or the store fails;
        returns how many are still waiting."""
        spool = self.spool
        if spool is None or not len(spool):
            self._last_part.clear()
            return 0
        await self.conversations.store.ping()
        for item in spool.pending():
            try:
                await self._replay(item)
            except (StoreUnavailable, LockTimeout, LockWaitTimeout):
                raise
            except Exception:
                failures = self._failures.get(item.end, 0) + 1
                self._failures[item.end] = failures
                if failures < MAX_REPLAY_FAILURES:
                    raise
                log.exception(
                    "spool: a message of contact %s failed %d times: set aside",
                    item.contact,
                    failures,
                )
            self._failures.pop(item.end, None)
            await spool.done(item)
        return len(spool)

    async def _replay(self, item: Spooled) -> None:
        inbound = item.inbound
        wait = self.conversations.settings.lock_timeout_seconds
        async with self._order.hold(item.contact, wait):  # in line like a new message
            handled = await self._handle(item.contact, inbound)
        if not handled.replies:
            return
        # A key pressed in a call that was kept is answered by SMS: the call is long over.
        channel = ChannelKind.SMS if inbound.channel is ChannelKind.VOICE else inbound.channel
        bodies = render_bodies(handled.replies, channel, handled.lang)
        parcel = Parcel(phone=inbound.sender, parts=[Part(body=body) for body in bodies])
        job = SendJob(
            job_id=f"spool-{self._sid_hash(inbound.message_id)[:24]}",
            contact=item.contact,
            channel=channel,
            sealed=seal_parcel(self.codec, parcel),
            proactive=False,  # the answer to what the person wrote
            lang=handled.lang or "",
        )
        await self._after_previous(item.contact)
        await self.send(job)
        self._last_part[item.contact] = f"{job.job_id}#{len(bodies) - 1}"
        log.info("spool: contact %s answered (%d parts queued)", item.contact, len(bodies))

    async def _after_previous(self, contact: str) -> None:
        """Jobs run concurrently in the worker: a contact's next reply is queued only once
        the previous one went out (or `order_wait` passed: late is better than never)."""
        part = self._last_part.pop(contact, None)
        if part is None or self.ledger is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.order_wait
        while loop.time() < deadline:
            state = await self.ledger.send_state(part)
            if state is not None and state.state != "attempting":
                return
            await asyncio.sleep(0.05)
        log.warning("spool: contact %s: previous reply not sent yet; queueing the next", contact)

    async def replay_spool_forever(self, interval: float) -> None:
        """The background task of `frontdoor serve`; logs once per change of state."""
        down = False
        delay = interval
        while True:
            try:
                waiting = await self.replay_spool_once()
                if down:
                    log.info("spool: the store answers again; replayed, %d waiting", waiting)
                down, delay = False, interval
            except (StoreUnavailable, LockTimeout, LockWaitTimeout) as exc:
                if not down:
                    log.warning("spool: replay waits for the store (%s)", exc)
                down, delay = True, min(delay * 2, 5.0)
            except Exception:
                log.exception("spool: replay failed; will try again")
            await asyncio.sleep(delay)
