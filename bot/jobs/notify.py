"""Turn a notification into messages for one person: booking events and daily reminders in,
`SendJob`s out.

Under the contact's lock the session is loaded, the notice rendered in the person's language
(flows/notices.yaml) and, the first time a job is seen, the conversation moved where the
notice leads (an allocation asks "confirm?", so a reply "1" confirms) and saved. Then the
channel is chosen:

* SMS contact: SMS (transliterated and split as every SMS reply is).
* WhatsApp, within 24 hours of the person's last message: free text.
* WhatsApp, outside it: the approved template for this purpose and language
  (`FRONTDOOR_WHATSAPP_TEMPLATES`, ContentSid + ContentVariables); with no template, SMS to the
  same number if the person agreed to SMS, else nothing can be sent (logged).
A WhatsApp message also carries its SMS version (if SMS is agreed) for when WhatsApp refuses it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.booking.events import BookingEvent
from bot.channels.render import render_bodies
from bot.contacts import ContactKey
from bot.conversation import Conversations
from bot.jobs.ledger import Ledger
from bot.jobs.models import NotifyJob, Parcel, Part, SendJob
from bot.jobs.sending import seal_parcel
from bot.messages import ChannelKind, Reply
from bot.settings import Settings
from bot.store.codec import SessionCodec

log = logging.getLogger(__name__)

#: Event types of the booking API that become notifications of the same purpose.
EVENT_PURPOSES = frozenset(
    {"allocated", "not_selected", "lapsed", "confirm_reminder", "appointment_reminder"}
)
#: ContentVariables of each template, in order ({{1}}, {{2}}...): document them to whoever
#: registers the templates with WhatsApp.
TEMPLATE_VARIABLES: dict[str, tuple[str, ...]] = {
    "allocated": ("appointment_port", "appointment_at", "household", "confirm_by"),
    "confirm_reminder": ("appointment_port", "appointment_at", "confirm_by"),
    "not_selected": ("request_date",),
    "lapsed": ("appointment_port", "appointment_at"),
    "appointment_reminder": ("appointment_port", "appointment_at", "household"),
    "daily_reminder": (),
}
#: How many applied notification ids a session remembers.
RECENT_NOTICES = 20


def job_for_event(event: BookingEvent) -> NotifyJob | None:
    """The notification a booking event calls for (None: not for a person, or unknown)."""
    if event.type not in EVENT_PURPOSES or not event.contact_ref:
        return None
    return NotifyJob(
        job_id=f"evt-{event.event_id}",
        contact=event.contact_ref,
        purpose=event.type,
        values=event_values(event.data),
    )


def event_values(data: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    appointment = data.get("appointment") or {}
    request = data.get("request") or {}
    if appointment.get("port"):
        values["appointment_port"] = str(appointment["port"])
    starts = appointment.get("starts_at")
    if starts:
        values["appointment_at"] = str(starts)
        if appointment.get("confirm_by"):
            # The deadline in the port's time, as the appointment is.
            local = datetime.fromisoformat(str(starts)).tzinfo
            deadline = datetime.fromisoformat(str(appointment["confirm_by"]).replace("Z", "+00:00"))
            values["confirm_by"] = deadline.astimezone(local).isoformat()
    if request.get("request_date"):
        values["request_date"] = str(request["request_date"])
    if request.get("port"):
        values["request_port"] = str(request["port"])
    return values


@dataclass
class NotifyHandler:
    conversations: Conversations
    codec: SessionCodec
    ledger: Ledger
    #: Sends the planned message (the send handler itself, in the same job).
    send: Callable[[SendJob], Awaitable[None]]

    @property
    def settings(self) -> Settings:
        return self.conversations.settings

    async def __call__(self, job: NotifyJob) -> None:
        conv = self.conversations
        key = ContactKey(job.contact)
        async with conv.store.lock(key):
            session = await conv.store.load(key)
            if session is None:
                log.info("notify %s: contact %s has no conversation (deleted?)", job.job_id, key)
                return
            if session.opted_out_at is not None:
                log.info("notify %s: contact %s opted out", job.job_id, key)
                return
            if job.purpose == "daily_reminder" and session.slots.get("daily_reminder") is not True:
                return
            first = job.job_id not in session.notified
            session.slots.update(job.values)
            ctx = await conv.turn_context()
            replies = conv.engine.notice(session, job.purpose, ctx, move=first)
            if first:
                session.notified = [*session.notified, job.job_id][-RECENT_NOTICES:]
                await conv.save(key, session)

        def template_values() -> list[str]:
            names = TEMPLATE_VARIABLES.get(job.purpose, ())
            return conv.engine.display(session, names, ctx)

        send_job = self.plan(job, session.phone, session.channel, session.lang, session.slots,
                             session.last_inbound_at, replies, template_values, ctx.now)
        if send_job is None:
            log.warning("notify %s: no way to reach contact %s now", job.job_id, key)
            return
        await self.send(send_job)

    def plan(
        self,
        job: NotifyJob,
        phone: str,
        channel: ChannelKind,
        lang: str | None,
        slots: Mapping[str, Any],
        last_inbound_at: datetime | None,
        replies: list[Reply],
        template_values: Callable[[], list[str]],
        now: datetime,
    ) -> SendJob | None:
        if channel is ChannelKind.SMS:
            sms_bodies = render_bodies(replies, ChannelKind.SMS, lang)
            return self._job(job, ChannelKind.SMS, Parcel(phone=phone, parts=_parts(sms_bodies)))
        sms_ok = slots.get("sms_fallback") is True
        sms_bodies = render_bodies(replies, ChannelKind.SMS, lang) if sms_ok else []
        fallback = sms_bodies if sms_ok else None
        window = timedelta(hours=self.settings.whatsapp_window_hours)
        if last_inbound_at is not None and now - last_inbound_at < window:
            bodies = render_bodies(replies, ChannelKind.WHATSAPP, lang)
            parcel = Parcel(phone=phone, parts=_parts(bodies), sms_fallback=fallback)
            return self._job(job, ChannelKind.WHATSAPP, parcel)
        template = self.settings.whatsapp_templates.get(job.purpose, {}).get(lang or "")
        if template:
            variables = {str(i): v for i, v in enumerate(template_values(), start=1)}
            part = Part(content_sid=template, content_variables=variables)
            parcel = Parcel(phone=phone, parts=[part], sms_fallback=fallback)
            return self._job(job, ChannelKind.WHATSAPP, parcel)
        if sms_ok:
            return self._job(job, ChannelKind.SMS, Parcel(phone=phone, parts=_parts(sms_bodies)))
        return None

    def _job(self, job: NotifyJob, channel: ChannelKind, parcel: Parcel) -> SendJob:
        return SendJob(
            job_id=job.job_id,
            contact=job.contact,
            channel=channel,
            sealed=seal_parcel(self.codec, parcel),
        )


def _parts(bodies: list[str]) -> list[Part]:
    return [Part(body=body) for body in bodies]
