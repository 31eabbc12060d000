"""Must-show (issue 12): results reach households registered by shelter staff.

All real, over HTTP: the bot (embedded worker) and the booking sandbox each serve on a loopback
port; staff register three households by SMS (one with the family's own phone, two without),
the sandbox allocates and posts its signed events, the worker sends through Twilio's API
(Prism). The family with a phone gets the notice on it and confirms by replying (their
conversation knows the registration); the notices of the two others go to the staff phone,
naming the family, and into the portal's inbox; staff confirm one in staff mode and the other
in the portal; the booking API shows all three appointments confirmed.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from jobs_support import APPOINTMENT, twilio_settings
from sqlalchemy import select
from support.app import Clock, make_settings
from support.live import RestartableServer
from support.prism import AUTH_TOKEN, CountingTwilio
from twilio.request_validator import RequestValidator

from booking_sandbox.app import create_app as create_sandbox
from booking_sandbox.context import SandboxContext
from booking_sandbox.models import Appointment
from booking_sandbox.scheduler import tick
from booking_sandbox.settings import SandboxSettings
from bot.app import create_app
from bot.jobs.models import NotifyJob
from bot.messages import ChannelKind, Inbound
from bot.services import Services, open_services
from bot.settings import Settings
from bot.staff.cli import invite, open_repository
from bot.staff.repository import PersonView, StaffView

STAFF = "+5215550006666"
FAMILY = "+50937006677"
EVENTS_SECRET = "events-secret-for-staff-results"


class SmsPhone:
    def __init__(self, bot_url: str, number: str) -> None:
        self.url, self.number, self.n = f"{bot_url}/twilio/messages", number, 0

    def say(self, text: str) -> str:
        self.n += 1
        form = {
            "MessageSid": f"SM{self.number[1:]}{self.n:012d}", "AccountSid": "AC" + "0" * 32,
            "From": self.number, "To": "+15005550006", "Body": text, "NumMedia": "0",
        }
        signature = RequestValidator(AUTH_TOKEN).compute_signature(self.url, form)
        response = httpx.post(self.url, data=form, headers={"X-Twilio-Signature": signature},
                              timeout=30)
        assert response.status_code == 200, response.text
        return "\n".join(re.findall(r"<Message>(.*?)</Message>", response.text, re.S))


def _wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_staff_registered_households_hear_their_results_and_are_confirmed(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock
) -> None:
    counter, twilio_url = twilio
    sandbox_apps: list[FastAPI] = []
    bot_holder: list[RestartableServer] = []
    settings_holder: list[Settings] = []

    def make_sandbox() -> FastAPI:
        settings = SandboxSettings(
            database_url=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
            window_opens="00:00", window_closes="23:59", scheduler_enabled=False,
            events_webhook_url=f"{bot_holder[0].url}/booking/events",
            events_secret=EVENTS_SECRET,
        )
        app = create_sandbox(settings, clock=clock)
        sandbox_apps.append(app)
        return app

    def make_bot() -> FastAPI:
        settings = make_settings(
            **twilio_settings(twilio_url),
            booking_api_url=sandbox.url,
            booking_events_secret=EVENTS_SECRET,
            events_poll_seconds=0.1,
            portal_secure_cookies=False,
        )
        settings_holder.append(settings)
        return create_app(settings, clock=clock, data_dir=tmp_path / "bot")

    sandbox = RestartableServer(make_sandbox)
    bot = RestartableServer(make_bot)
    bot_holder.append(bot)
    sandbox.start()
    bot.start()
    try:
        repo = open_repository(settings_holder[0], tmp_path / "bot")
        code, _ = invite(repo, settings_holder[0], "Casa del Migrante", STAFF, clock())
        repo.engine.dispose()
        staff = SmsPhone(bot.url, STAFF)
        assert "Casa del Migrante" in staff.say(code)
        households = (
            ("Marie Joseph", "02/05/1991", "Haiti", "2", FAMILY),  # her own phone, Kreyol
            ("Pedro Ramirez Soto", "10/10/1985", "Honduras", "1", "0"),
            ("Rosa Elena Martinez", "14/02/1992", "Honduras", "1", "0"),
        )
        for name, born, country, lang, phone in households:
            for text in ("1", name, born, country, "1", lang, phone, "2", "1"):
                staff.say(text)
            assert f"Registrado: {name}" in staff.say("1")
        staff.say("3")
        assert staff.say("0").count("enviada") == 3

        # The next day after noon (US Eastern) the sandbox allocates and posts its events.
        before = len(counter.sent)
        clock.now = datetime(2026, 3, 15, 17, 5, tzinfo=UTC)
        context: SandboxContext = sandbox_apps[0].state.sandbox
        with httpx.Client(timeout=10) as client:
            report = tick(context, client)
        assert report.delivery.delivered == 3, report
        _wait_for(lambda: len(counter.sent) - before >= 3)
        notices = counter.sent[before:]
        [to_family] = [m.body for m in notices if m.to == FAMILY]
        to_staff = [m.body for m in notices if m.to == STAFF]
        assert to_family.startswith("Bon nouvèl: ou gen yon randevou nan Brownsville"), to_family
        assert "Marie Joseph" in to_family and "1. Konfime" in to_family
        assert len(to_staff) == 2
        for name in ("Pedro Ramirez Soto", "Rosa Elena Martinez"):
            [body] = [b for b in to_staff if name in b]
            assert body.startswith(f"Cita para {name}: Brownsville"), body
            assert "Todavia sin confirmar: confirme antes de" in body

        # The family confirms from their own phone: their conversation knows the registration.
        family = SmsPhone(bot.url, FAMILY)
        assert family.say("1").startswith("Konfime: Brownsville")
        # Later they write again: the usual menu, not a second registration.
        assert "1. Enskri" in family.say("Bonjou")
        assert family.say("3").startswith("Randevou pou Marie Joseph: Brownsville")

        # Staff confirm Pedro's in staff mode.
        staff.say("EQUIPO")
        listing = staff.say("6")
        assert "todavia sin confirmar: confirme antes de" in listing
        pedro = re.search(r"(\d)\. Pedro Ramirez Soto", listing)
        assert pedro, listing
        staff.say(pedro.group(1))
        assert "Confirmada" in staff.say("1")
        statuses = staff.say("4")
        assert re.search(r"Pedro Ramirez Soto: cita .*, Brownsville, confirmada", statuses)
        unconfirmed = r"Rosa Elena Martinez: cita .*todavia sin confirmar: confirme antes de"
        assert re.search(unconfirmed, statuses)

        # ... and Rosa's in the portal, where the inbox shows both results.
        with httpx.Client(base_url=f"{bot.url}/staff", timeout=30, follow_redirects=True) as web:
            page = web.get("/signin")
            sent_before = len(counter.sent)
            page = web.post("/signin", data={"phone": STAFF, "csrf": _csrf(page.text)})
            _wait_for(lambda: len(counter.sent) > sent_before)
            found = re.search(r"\b(\d{6})\b", counter.sent[-1].body)
            assert found
            done = web.post(
                "/signin/code",
                data={"phone": STAFF, "code": found.group(1), "csrf": _csrf(page.text)},
            )
            assert done.status_code == 200, done.text
            inbox = web.get("/inbox").text
            assert "Cita para Rosa Elena Martínez" in inbox or "Rosa Elena Martinez" in inbox
            assert "Pedro Ramirez Soto" in inbox
            appointments = web.get("/appointments").text
            assert "confirmada" in appointments and "todavía sin confirmar" in appointments
            action = re.search(
                r'data-household="([^"]+)"><td>Rosa Elena Martinez.*?'
                r'action="(/staff/appointments/[^"]+/confirm)"',
                appointments,
                re.S,
            )
            assert action, appointments
            confirmed = web.post(
                action.group(2).removeprefix("/staff"), data={"csrf": _csrf(appointments)}
            )
            assert "Confirmada: Rosa Elena Martinez" in confirmed.text
    finally:
        bot.stop()
        sandbox.stop()

    with context.factory() as db:
        final = sorted(a.status for a in db.scalars(select(Appointment)))
    assert final == ["confirmed", "confirmed", "confirmed"]
    assert counter.refused == []


async def test_a_staff_phone_out_of_reach_or_unlinked_still_hears_the_result(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock
) -> None:
    """A household without a phone whose staff member is on WhatsApp with the window closed
    (no template, no SMS): the result is in the shelter's inbox and held for that staff
    member's next message, the first thing they read. Once that staff member has gone
    (deleted their data), the next result goes to another of the shelter's staff."""
    counter, url = twilio
    settings = make_settings(**twilio_settings(url))
    async with open_services(settings, clock=clock, data_dir=tmp_path, background=False) as (
        services
    ):
        staff_service, worker = services.staff, services.worker
        assert staff_service is not None and worker is not None
        repo = staff_service.repo
        whatsapp_staff, sms_staff = "+5215550007777", "+5215550008888"
        first = _link(services, "Casa del Migrante", whatsapp_staff, "whatsapp", clock)
        _link(services, "Casa del Migrante", sms_staff, "sms", clock)
        household = repo.add_household(
            shelter_id=first.shelter_id, staff_id=first.id,
            primary=PersonView("Pedro Ramirez Soto", "1985-10-10", "HN"), members=[],
            port="laredo", lang="es", applicant_phone=None, applicant_digest=None, now=clock(),
        )
        # The staff member wrote on WhatsApp 30 hours ago: the window is closed.
        staff_on_whatsapp = WhatsAppPhone(services, whatsapp_staff, clock)
        await staff_on_whatsapp.say("hola")
        clock.now += timedelta(hours=30)

        await worker.notify(NotifyJob(
            job_id="evt-staff-1", contact=household.contact_ref, purpose="allocated",
            values=APPOINTMENT,
        ))
        await services.outbound.queue.wait_idle()
        assert counter.sent == []  # nothing can go out now ...
        [notice] = repo.notices(first.shelter_id)  # ... but the inbox has it
        assert notice.household.id == household.id and notice.purpose == "allocated"
        reply = await staff_on_whatsapp.say("hola")  # ... and it is the first thing they read
        assert reply.startswith("Cita para Pedro Ramirez Soto: Laredo"), reply
        assert "Todavía sin confirmar" in reply

        await staff_service.forget_contact(staff_service.digest(whatsapp_staff))
        await worker.notify(NotifyJob(
            job_id="evt-staff-2", contact=household.contact_ref, purpose="confirm_reminder",
            values=APPOINTMENT,
        ))
        await services.outbound.queue.wait_idle()
        [sent] = counter.sent
        assert sent.to == sms_staff and "Pedro Ramirez Soto" in sent.body
        assert len(repo.notices(first.shelter_id)) == 2
    assert counter.refused == []


def _link(services: Services, shelter: str, phone: str, channel: str, clock: Clock) -> StaffView:
    """A staff member linked the way a phone links (the operator's invite, then the code)."""
    staff_service = services.staff
    assert staff_service is not None
    repo = staff_service.repo
    code, _ = invite(repo, services.settings, shelter, phone, clock())
    hashed = staff_service.cipher.code_digest("invite", code)
    digest = staff_service.digest(phone)
    staff = repo.redeem_invite(hashed, digest, phone, channel, "es", clock())
    assert staff is not None
    return staff


class WhatsAppPhone:
    def __init__(self, services: Services, number: str, clock: Clock) -> None:
        self.services, self.number, self.clock = services, number, clock

    async def say(self, text: str) -> str:
        inbound = Inbound(
            message_id=f"SM{uuid.uuid4().hex}", sender=self.number,
            channel=ChannelKind.WHATSAPP, text=text, received_at=self.clock(),
        )
        handled = await self.services.conversations.handle(inbound)
        return "\n".join(reply.text for reply in handled.replies)
