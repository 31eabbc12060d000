"""Send one `SendJob`: exactly once per part, in order, within the sender's rate.

Each part has a state in the ledger (`<job id>#<part>`): "attempting" is written before the
request to Twilio, "sent" with the message id after it. A job run again (its worker died, or a
duplicate) skips sent parts; a part left "attempting" is the one case where nobody knows
whether Twilio got it, so the worker asks Twilio (the Messages list, filtered by sender,
recipient and time) before sending it again.

Errors: transient ones (network, 5xx, 429, 30001, 63018) are retried with exponential backoff
and full jitter; permanent ones (21610 STOP, 30003-30008, 21211...) are recorded and never
retried; 21610 also stops every proactive message to that person. WhatsApp refusing free text
(63016...) sends the SMS version, when the person agreed to SMS.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.jobs.ledger import Delivery, Ledger, SendState, SendStateName
from bot.jobs.models import Parcel, Part, SendJob
from bot.messages import ChannelKind
from bot.outbound import (
    ContentRefused,
    OutboundMessage,
    RecipientOptedOut,
    Sender,
    SendRefused,
    SendUnavailable,
    WindowClosed,
)
from bot.store.codec import SessionCodec

log = logging.getLogger(__name__)

SEALED_LABEL = "outbound"
MAX_BACKOFF = 30.0
#: How late a worker may use its rate slot (see `_take_slot`).
LATE_SLOT = 0.02
#: Twilio's clock and ours may differ a little: look a bit earlier for an unanswered send.
CLOCK_SKEW = timedelta(seconds=30)


def seal_parcel(codec: SessionCodec, parcel: Parcel) -> str:
    return codec.seal(SEALED_LABEL, parcel.model_dump_json().encode()).decode("latin-1")


def unseal_parcel(codec: SessionCodec, sealed: str) -> Parcel:
    return Parcel.model_validate_json(codec.unseal(SEALED_LABEL, sealed.encode("latin-1")))


@dataclass
class SendHandler:
    ledger: Ledger
    sender: Sender
    codec: SessionCodec
    rates: dict[ChannelKind, float]
    #: Kicks another send job (the SMS fallback).
    requeue: Callable[[SendJob], Awaitable[None]]
    clock: Callable[[], datetime]
    max_attempts: int = 5
    backoff: float = 1.0
    status_callback: str | None = None
    #: How long a part's lease lasts if its worker dies (the queue's reclaim delay).
    lease: timedelta = timedelta(minutes=5)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def __call__(self, job: SendJob) -> None:
        parcel = unseal_parcel(self.codec, job.sealed)
        for index in range(len(parcel.parts)):
            part_id = f"{job.job_id}#{index}"
            # One worker at a time per part (a job may run twice at once: a duplicate, or a
            # job reclaimed while a slow worker still has it); a dead worker's lease expires.
            while True:
                state, opted_out, leased = await self.ledger.begin_part(
                    part_id, job.contact, self.lease
                )
                done = state is not None and state.state != "attempting"
                if done or leased:
                    break
                await self.sleep(0.5)
            if state is not None and state.state != "attempting":
                if state.state == "sent":
                    continue
                return  # failed or suppressed: the rest of the message goes with it
            if job.proactive and opted_out:
                log.info("job %s: contact %s opted out, not sent", job.job_id, job.contact)
                await self._finish(part_id, job, "suppressed")
                return
            outcome: str | None = None
            try:
                outcome = await self._send_part(job, parcel, index, part_id, state)
            finally:
                if outcome is None:
                    await self.ledger.release(part_id)  # interrupted: let another worker try
            if outcome != "sent":
                return

    async def _send_part(
        self, job: SendJob, parcel: Parcel, index: int, part_id: str, state: SendState | None
    ) -> str | None:
        """Send one part: "sent" or "failed" once recorded (its lease released then)."""
        channel = ChannelKind(job.channel)
        message = _message(job, parcel, parcel.parts[index], self.status_callback)
        if state is not None:  # "attempting": a worker died waiting for Twilio's answer
            sid = await self._find(message, state.at - CLOCK_SKEW)
            if sid is not None:
                log.info("job %s: part %d was sent before (%s)", job.job_id, index, sid)
                await self._sent(job, parcel, index, part_id, sid)
                return "sent"
        interval = 1.0 / self.rates[channel]
        sender = self.sender.sender_id(channel)
        text_fallback = parcel.parts[index].text_fallback
        for attempt in range(1, self.max_attempts + 1):
            await self._take_slot(sender, interval, part_id, job)
            try:
                sid = await self.sender.send(message)
            except WindowClosed as exc:
                await self._finish(part_id, job, "failed", f"{exc.code}")
                await self._fall_back(job, parcel)
                return "failed"
            except ContentRefused as exc:
                if message.content_sid is None or not text_fallback:
                    await self._finish(part_id, job, "failed", f"{exc.code or exc.status}")
                    log.warning("job %s refused: %s", job.job_id, exc)
                    return "failed"
                # Buttons, a list or a template refused for what they are: the same words
                # as numbered text, once (the text has no content to be refused for).
                log.warning("job %s: content refused (%s), sending it as text", job.job_id, exc)
                message = replace(message, body=text_fallback, content_sid=None,
                                  content_variables={})
                continue
            except SendRefused as exc:
                await self._finish(part_id, job, "failed", f"{exc.code or exc.status}")
                log.warning("job %s refused: %s", job.job_id, exc)
                if isinstance(exc, RecipientOptedOut):
                    await self.ledger.set_opted_out(job.contact, True)
                return "failed"
            except SendUnavailable as exc:
                if attempt == self.max_attempts:
                    await self._finish(part_id, job, "failed", "unavailable")
                    log.error("job %s: gave up after %d tries: %s", job.job_id, attempt, exc)
                    return "failed"
                delay = random.uniform(0, min(MAX_BACKOFF, self.backoff * 2 ** (attempt - 1)))  # noqa: S311
                log.warning("job %s: %s; again in %.1f s", job.job_id, exc, delay)
                await self.sleep(delay)
                continue
            await self._sent(job, parcel, index, part_id, sid)
            return "sent"
        return None

    async def _take_slot(self, sender: str, interval: float, part_id: str, job: SendJob) -> None:
        """Wait for this sender's next free slot (and mark the part "attempting").

        A slot is only used on time: a worker that wakes up late (its process was busy) would
        send together with the next slots' messages, a burst above the sender's rate, so it
        books another slot instead."""
        late_after = max(LATE_SLOT, interval)
        while True:
            attempting = SendState(state="attempting", at=self.clock(), channel=job.channel)
            wait = await self.ledger.reserve_attempt(sender, interval, part_id, attempting)
            slot = time.monotonic() + wait
            if wait > 0:
                await self.sleep(wait)
            if time.monotonic() - slot <= late_after:
                return

    async def _find(self, message: OutboundMessage, since: datetime) -> str | None:
        for attempt in range(1, self.max_attempts + 1):
            try:
                return await self.sender.find_sent(message, since)
            except SendUnavailable:
                if attempt == self.max_attempts:
                    raise
                await self.sleep(min(MAX_BACKOFF, self.backoff * 2 ** (attempt - 1)))
        return None

    async def _sent(self, job: SendJob, parcel: Parcel, index: int, part_id: str, sid: str) -> None:
        fallback = None
        if index == 0 and parcel.sms_fallback and job.channel == ChannelKind.WHATSAPP:
            fallback = job.sealed  # the whole parcel: its sms_fallback is used on 63016
        delivery = Delivery(
            job_id=job.job_id, contact=job.contact, channel=job.channel, fallback=fallback
        )
        state = SendState(state="sent", at=self.clock(), sid=sid, channel=job.channel)
        await self.ledger.finish_part(part_id, state, sid, delivery)

    async def _finish(
        self, part_id: str, job: SendJob, outcome: SendStateName, error: str | None = None
    ) -> None:
        state = SendState(state=outcome, at=self.clock(), error=error, channel=job.channel)
        await self.ledger.finish_part(part_id, state, None, None)

    async def _fall_back(self, job: SendJob, parcel: Parcel) -> None:
        sms = fallback_job(self.codec, job, parcel)
        if sms is None:
            log.warning("job %s: WhatsApp refused and no SMS agreed: not delivered", job.job_id)
            return
        log.info("job %s: WhatsApp refused, sending by SMS", job.job_id)
        await self.requeue(sms)


def fallback_job(codec: SessionCodec, job: SendJob, parcel: Parcel) -> SendJob | None:
    if not parcel.sms_fallback or job.channel != ChannelKind.WHATSAPP:
        return None
    sms = Parcel(phone=parcel.phone, parts=[Part(body=b) for b in parcel.sms_fallback])
    return SendJob(
        job_id=f"{job.job_id}.sms",
        contact=job.contact,
        lang=job.lang,
        channel=ChannelKind.SMS,
        sealed=seal_parcel(codec, sms),
        proactive=job.proactive,
    )


def _message(
    job: SendJob, parcel: Parcel, part: Part, status_callback: str | None
) -> OutboundMessage:
    return OutboundMessage(
        contact=job.contact,
        phone=parcel.phone,
        channel=ChannelKind(job.channel),
        body=part.body,
        content_sid=part.content_sid,
        content_variables=part.content_variables,
        status_callback=status_callback,
        lang=job.lang,
    )
