""""Delete my data", carried out to the end and retried until it is.

The person's conversation (answers, phone number) is erased at once. What cannot be done at
that moment (the booking API is down, the staff database does not answer) waits in the erasure
outbox: one sealed `Erasure` record per contact (`Store.save_erasure`, indexed by
`Store.erasures`) that holds only what the remaining work needs: the booking reference and
registration ids, which parts are left, and the message to send when it is done (then the
phone number too, since the person was told "I will write to you here"). `replay_outbox_once`
(bot/replay.py) resumes every record until it is dropped; `frontdoor privacy audit`
(bot/privacy.py) shows a pending one as a trace.

Parts, each done once and then marked done in the record:
- ledger: opt-out and daily reminder sets, message and send records (bot/jobs/ledger.py),
  and the contact's jobs still waiting in the queue;
- staff: handoffs, households of this number, staff link (`StaffHub.forget`); the booking
  registrations of those households join the booking part (when the staff database did not
  answer at the request, the action could not know them);
- booking: every registration by id and under the contact's references (bot/booking/erase.py);
- events: the contact's records still in the booking-events log are blanked (on every pass,
  after the booking part, so an event stored meanwhile goes too).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from bot.booking.client import BookingClient, BookingError
from bot.booking.erase import BOOKING_PENDING_SLOT, erase_contact
from bot.booking.events import EVENTS_STREAM
from bot.contacts import ContactKey
from bot.engine.session import Session
from bot.jobs.ledger import Ledger
from bot.jobs.queue import JobQueue
from bot.messages import ChannelKind
from bot.outbound import OutboundMessage, Sender
from bot.store.base import Store

if TYPE_CHECKING:
    from bot.staff.chat import StaffHub

log = logging.getLogger(__name__)


class Erasure(BaseModel):
    """What is left of one contact's "delete my data"."""

    contact_ref: str
    #: Other references the booking API may hold this contact under (the contact key, when
    #: the conversation took a registration staff made: `contact_ref` is then its `hh-...`).
    other_refs: list[str] = Field(default_factory=list)
    registration_ids: list[str] = Field(default_factory=list)
    #: Idempotency key of the deletion (the booking API calls derive theirs from it).
    key: str
    requested_at: datetime
    booking: bool = True
    staff: bool = True
    ledger: bool = True
    events: bool = True
    attempts: int = 0
    #: Sent when everything is done (only when the person was told to wait for it).
    notices: list[str] = Field(default_factory=list)
    phone: str | None = None
    channel: ChannelKind = ChannelKind.SMS

    @property
    def done(self) -> bool:
        return not (self.booking or self.staff or self.ledger or self.events)


def erasure_of(session: Session, key: ContactKey, idempotency_key: str, now: datetime) -> Erasure:
    """The record for a session whose data is being deleted (`session.erase`)."""
    pending = session.slots.get(BOOKING_PENDING_SLOT)
    waits = isinstance(pending, list)
    ids: list[str] = []
    if isinstance(pending, list):
        ids = [str(r) for r in pending]
    elif session.registration_id:
        ids = [session.registration_id]
    contact_ref = session.contact_ref or key.digest
    return Erasure(
        contact_ref=contact_ref,
        other_refs=[key.digest] if key.digest != contact_ref else [],
        registration_ids=ids,
        key=idempotency_key,
        requested_at=now,
        booking=waits,
        notices=list(session.notices) if waits else [],
        phone=session.phone if waits and session.notices else None,
        channel=session.channel,
    )


@dataclass
class Eraser:
    store: Store
    booking: BookingClient
    sender: Sender
    ledger: Ledger | None = None
    staff: StaffHub | None = None
    jobs: JobQueue | None = None

    async def start(self, key: ContactKey, erasure: Erasure) -> bool:
        """Erase the conversation now, then every other part that can be; True when done."""
        await self.store.save_erasure(key, _encode(erasure))  # the record first: it may wait
        await self.store.delete(key)
        log.info("contact %s: conversation deleted on request", key)
        return await self._continue(key, erasure)

    async def resume(self, key: ContactKey) -> bool:
        """Carry on a waiting erasure; True when nothing (more) waits."""
        raw = await self.store.load_erasure(key)
        if raw is None:
            return True
        return await self._continue(key, Erasure.model_validate_json(raw))

    async def pending(self, key: ContactKey) -> bool:
        return await self.store.load_erasure(key) is not None

    async def _continue(self, key: ContactKey, erasure: Erasure) -> bool:
        erasure.attempts += 1
        if erasure.ledger:
            if self.ledger is not None:
                await self.ledger.forget(key.digest)
            if self.jobs is not None:
                await self.jobs.forget(key.digest)  # notifications not sent yet
            erasure.ledger = False
        if erasure.staff:
            erasure.staff = not await self._forget_staff(key, erasure)
        refs = [erasure.contact_ref, *erasure.other_refs]
        if erasure.booking:
            try:
                await erase_contact(self.booking, refs, erasure.registration_ids, erasure.key)
                erasure.booking = False
            except BookingError as exc:
                log.info("contact %s: booking API part of the deletion waits: %s", key, exc)
        # Every pass, and last: an event the booking API sent before it erased the household
        # may have been stored since the previous pass.
        ids, about = set(erasure.registration_ids), set(refs)
        blanked = 0
        for stream in self.store.log_shards(EVENTS_STREAM):
            blanked += await self.store.log_purge(
                stream, lambda record: _about(record, about, ids)
            )
        if blanked:
            log.info("contact %s: %d booking events purged", key, blanked)
        erasure.events = erasure.booking
        if not erasure.done:
            await self.store.save_erasure(key, _encode(erasure))
            return False
        for body in erasure.notices:
            if erasure.phone:
                await self.sender.send(
                    OutboundMessage(key.digest, erasure.phone, erasure.channel, body)
                )
        await self.store.drop_erasure(key)
        log.info("contact %s: data deleted everywhere (%d attempts)", key, erasure.attempts)
        return True

    async def _forget_staff(self, key: ContactKey, erasure: Erasure) -> bool:
        """The staff tables' part. The booking registrations of the households it erased
        (staff registered them for this phone) join the booking part: the action could not
        read them when the staff database did not answer."""
        if self.staff is None:
            return True
        try:
            # Kept in the record before the rows go, so a crash in between loses none.
            if self._take(erasure, await self.staff.registrations_of(key.digest)):
                await self.store.save_erasure(key, _encode(erasure))
            self._take(erasure, await self.staff.forget(key))
        except Exception as exc:  # a database that does not answer: try again later
            log.warning("contact %s: staff database part of the deletion waits: %s", key, exc)
            return False
        return True

    @staticmethod
    def _take(erasure: Erasure, registrations: list[str]) -> bool:
        """Add registrations to the booking part; True when one was new."""
        new = [r for r in registrations if r not in erasure.registration_ids]
        if new:
            erasure.registration_ids += new
            erasure.booking = True
        return bool(new)


def _encode(erasure: Erasure) -> bytes:
    return erasure.model_dump_json().encode()


def _about(record: bytes, contact_refs: set[str], registration_ids: set[str]) -> bool:
    """Whether a booking-events record is about the contact being erased."""
    try:
        event = json.loads(record)
    except ValueError:
        return False
    if not isinstance(event, dict):
        return False
    ref, registration = event.get("contact_ref"), event.get("registration_id")
    return (isinstance(ref, str) and ref in contact_refs) or (
        isinstance(registration, str) and registration in registration_ids
    )
