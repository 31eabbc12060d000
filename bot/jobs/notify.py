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

A household registered by shelter staff is known to the booking API as `hh-...`, not by a
contact key. Its results go to the family's own phone when staff gave one (their conversation
takes the registration, so "1" confirms as for anyone), else to the staff phone that registered
it (another of the shelter's staff if that one has gone), in the staff's language and naming
the family, and into the shelter's inbox (the portal). A staff phone that cannot be reached now
has it held for its next message, as a family's notice would be.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.booking.events import BookingEvent
from bot.booking.explanation import not_selected_step, why_values
from bot.channels.render import render_bodies
from bot.channels.twilio.content import registry_for
from bot.channels.twilio.derive import template_key
from bot.channels.twilio.window import in_window
from bot.contacts import ContactKey
from bot.conversation import Conversations
from bot.engine.session import Session
from bot.held import held_jobs, hold_notice
from bot.held import part_id as held_part
from bot.jobs.ledger import Ledger, SendState
from bot.jobs.models import NotifyJob, Parcel, Part, SendJob
from bot.jobs.sending import seal_parcel
from bot.messages import ChannelKind, Reply
from bot.ports import local_moment
from bot.settings import Settings
from bot.staff.adopt import HOUSEHOLD_REF_PREFIX, adopt
from bot.staff.repository import HouseholdView, ResultTarget
from bot.store.base import StoreError
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
        # In the port's time zone (bot/ports.py), whatever offset the booking API used.
        port = str(appointment.get("port") or "")
        moment = local_moment(datetime.fromisoformat(str(starts).replace("Z", "+00:00")), port)
        values["appointment_at"] = moment.isoformat()
        if appointment.get("confirm_by"):
            # The deadline in the port's time, as the appointment is.
            local = moment.tzinfo
            deadline = datetime.fromisoformat(str(appointment["confirm_by"]).replace("Z", "+00:00"))
            values["confirm_by"] = deadline.astimezone(local).isoformat()
    if request.get("request_date"):
        values["request_date"] = str(request["request_date"])
    if request.get("port"):
        values["request_port"] = str(request["port"])
    # A not-selected household is told why (the figures of its port's draw).
    values.update(why_values(data.get("explanation")))
    return values


def notice_step(job: NotifyJob) -> str:
    """The step of flows/notices.yaml that says this job: its purpose, or for "not
    selected" the wording that fits the figures the job carries."""
    return not_selected_step(job.values) if job.purpose == "not_selected" else job.purpose


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
        household: HouseholdView | None = None
        if job.contact.startswith(HOUSEHOLD_REF_PREFIX):
            target = await conv.staff.result_target(job.contact) if conv.staff else None
            if target is None:
                log.warning("notify %s: household %s is not known here", job.job_id, job.contact)
                return
            if not target.to_family:
                await self._tell_staff(job, target)
                return
            household = target.household
            assert household.applicant_phone and household.applicant_digest
            key = ContactKey(household.applicant_digest)
        else:
            key = ContactKey(job.contact)
        async with conv.store.lock(key):
            session = await conv.store.load(key)
            if household is not None and (
                session is None or session.registration_id != household.registration_id
            ):
                # The family has not written yet (or not since): their conversation takes
                # the registration staff made, so their answer to the notice is understood.
                session = session or Session(
                    phone=household.applicant_phone or "", channel=ChannelKind.SMS
                )
                adopt(session, household)
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
            before = (session.flow, session.step)
            replies = conv.engine.notice(session, notice_step(job), ctx, move=first)
            moved = (session.flow, session.step) != before
            if first:
                session.notified = [*session.notified, job.job_id][-RECENT_NOTICES:]
            template = await self._approved_template(job, session.lang)

            def template_values() -> list[str]:
                names = template[1] if template else TEMPLATE_VARIABLES.get(job.purpose, ())
                return conv.engine.display(session, names, ctx)

            send_job = self.plan(
                job, session.phone, session.channel, session.lang, session.slots,
                session.last_inbound_at, replies, template_values, ctx.now,
                contact=key.digest, template=template[0] if template else None,
            )
            held = False
            if send_job is None and (first or job.job_id in held_jobs(session)):
                # Neither free text, nor a template, nor SMS: it waits for their next
                # message, and is the first thing they read then (bot/held.py).
                held = hold_notice(session, job.job_id, replies, moved=moved and first)
            if first or held:
                await conv.save(key, session)
        if send_job is None:
            log.warning("notify %s: contact %s cannot be reached now: held for their next "
                        "message", job.job_id, key)
            state = SendState(state="held", at=ctx.now, channel=ChannelKind.WHATSAPP)
            await self.ledger.finish_part(held_part(job.job_id), state, None, None)
            return
        await self.send(send_job)

    async def _approved_template(
        self, job: NotifyJob, lang: str | None
    ) -> tuple[str, tuple[str, ...]] | None:
        """The notice's approved template in this language (`frontdoor whatsapp sync`): its
        SID and the slot each variable shows."""
        code = lang or self.settings.default_language
        try:
            record = await registry_for(self.conversations.store).get(
                template_key(notice_step(job)), code
            )
        except StoreError as exc:
            log.warning("notify %s: templates not readable now (%s)", job.job_id, exc)
            return None
        if record is None or record.state != "approved":
            return None
        return record.sid, tuple(record.names)

    async def _tell_staff(self, job: NotifyJob, target: ResultTarget) -> None:
        """A household without a phone: the shelter's inbox, and the staff phone that
        registered it (their own conversation does not move: the notice names the family).
        A staff phone that cannot be reached now (WhatsApp, window closed, no template) has
        it held for their next message, as a family's would be (bot/held.py)."""
        conv = self.conversations
        staff = target.staff
        assert conv.staff is not None
        ports = await conv.ports.names()
        body = await conv.staff.service.tell_staff_result(
            target, job.job_id, job.purpose, job.values, ports
        )
        if staff is None or body is None:
            log.warning("notify %s: the shelter of household %s has no staff phone (inbox "
                        "only)", job.job_id, target.household.id)
            return
        key = ContactKey(staff.contact_digest)
        replies = [Reply(text=body)]
        async with conv.store.lock(key):
            session = await conv.store.load(key)
            channel = ChannelKind(staff.channel)
            send_job = self.plan(
                job, staff.phone, channel, staff.lang,
                session.slots if session else {}, session.last_inbound_at if session else None,
                replies, list, conv.clock(),
                contact=key.digest, purpose=f"staff_{job.purpose}",
            )
            if (
                send_job is None
                and session is not None
                and hold_notice(session, job.job_id, replies, moved=False)
            ):
                await conv.save(key, session)
        if send_job is None:
            log.warning("notify %s: staff %s cannot be reached now: held for their next "
                        "message (and in the inbox)", job.job_id, staff.id)
            state = SendState(state="held", at=conv.clock(), channel=ChannelKind.WHATSAPP)
            await self.ledger.finish_part(held_part(job.job_id), state, None, None)
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
        *,
        contact: str | None = None,
        purpose: str | None = None,
        template: str | None = None,
    ) -> SendJob | None:
        """The message for one contact (`contact`: its digest, by default the job's) and
        purpose (for WhatsApp templates; by default the job's)."""
        contact = contact or job.contact
        purpose = purpose or job.purpose
        if channel is ChannelKind.SMS:
            sms_bodies = render_bodies(replies, ChannelKind.SMS, lang)
            parcel = Parcel(phone=phone, parts=_parts(sms_bodies))
            return self._job(job, contact, ChannelKind.SMS, parcel, lang)
        sms_ok = slots.get("sms_fallback") is True
        sms_bodies = render_bodies(replies, ChannelKind.SMS, lang) if sms_ok else []
        fallback = sms_bodies if sms_ok else None
        window = timedelta(hours=self.settings.whatsapp_window_hours)
        if in_window(last_inbound_at, now, window):
            bodies = render_bodies(replies, ChannelKind.WHATSAPP, lang)
            parcel = Parcel(phone=phone, parts=_parts(bodies), sms_fallback=fallback)
            return self._job(job, contact, ChannelKind.WHATSAPP, parcel, lang)
        # An approved template from `frontdoor whatsapp sync`, else one configured by hand.
        template = template or self.settings.whatsapp_templates.get(purpose, {}).get(lang or "")
        if template:
            variables = {str(i): v for i, v in enumerate(template_values(), start=1)}
            part = Part(content_sid=template, content_variables=variables)
            parcel = Parcel(phone=phone, parts=[part], sms_fallback=fallback)
            return self._job(job, contact, ChannelKind.WHATSAPP, parcel, lang)
        if sms_ok:
            parcel = Parcel(phone=phone, parts=_parts(sms_bodies))
            return self._job(job, contact, ChannelKind.SMS, parcel, lang)
        return None

    def _job(
        self, job: NotifyJob, contact: str, channel: ChannelKind, parcel: Parcel, lang: str | None
    ) -> SendJob:
        return SendJob(
            job_id=job.job_id,
            contact=contact,
            channel=channel,
            sealed=seal_parcel(self.codec, parcel),
            lang=lang or "",
        )


def _parts(bodies: list[str]) -> list[Part]:
    return [Part(body=body) for body in bodies]
