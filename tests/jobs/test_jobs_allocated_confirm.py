"""Must-show: a household allocated in the sandbox receives its appointment message in its
language, confirms by replying, and the booking API shows the appointment confirmed.

All real, over HTTP: the bot (embedded worker, in-memory queue) and the booking sandbox each
serve on a loopback port; the sandbox's scheduler allocates the day and posts its signed event
to the bot; the worker sends the notice through Twilio's API (Prism, behind the counting
proxy); the person's replies arrive as signed Twilio webhooks.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from jobs_support import twilio_settings
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

PHONE = "+50937000077"
EVENTS_SECRET = "events-secret-for-the-must-show"
REGISTER_AND_REQUEST = (
    "Bonjou", "1", "wi", "1", "Jean Baptiste Pierre-Louis", "12 mas 1988", "Ayiti", "5", "2",
    "wi", "non", "2", "5", "1",  # "non": no SMS when WhatsApp cannot reach them
)


class WhatsAppPhone:
    def __init__(self, bot_url: str) -> None:
        self.url = f"{bot_url}/twilio/messages"
        self.n = 0

    def say(self, text: str) -> str:
        self.n += 1
        form = {
            "MessageSid": f"SM{self.n:032d}", "AccountSid": "AC" + "0" * 32,
            "From": f"whatsapp:{PHONE}", "To": "whatsapp:+15005550002", "Body": text,
            "NumMedia": "0", "ProfileName": "Jean", "WaId": PHONE[1:],
        }
        signature = RequestValidator(AUTH_TOKEN).compute_signature(self.url, form)
        response = httpx.post(self.url, data=form, headers={"X-Twilio-Signature": signature},
                              timeout=30)
        assert response.status_code == 200, response.text
        return " ".join(re.findall(r"<Message>(.*?)</Message>", response.text, re.S))


def test_allocated_household_is_told_in_kreyol_and_confirms_by_replying(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock
) -> None:
    counter, twilio_url = twilio
    sandbox_apps: list[FastAPI] = []
    bot_holder: list[RestartableServer] = []

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

    sandbox = RestartableServer(make_sandbox)

    def make_bot() -> FastAPI:
        settings = make_settings(
            **twilio_settings(twilio_url),
            booking_api_url=sandbox.url,
            booking_events_secret=EVENTS_SECRET,
            events_poll_seconds=0.1,
        )
        return create_app(settings, clock=clock, data_dir=tmp_path / "bot")

    bot = RestartableServer(make_bot)
    bot_holder.append(bot)
    sandbox.start()
    bot.start()
    try:
        phone = WhatsAppPhone(bot.url)
        for text in REGISTER_AND_REQUEST:
            reply = phone.say(text)
        assert reply.startswith("Demann jodi a pou Jean Baptiste Pierre-Louis rive"), reply

        # The next day after noon (US Eastern) the sandbox allocates yesterday's requests and
        # posts the events to the bot; the worker turns them into the notice.
        clock.now = datetime(2026, 3, 15, 17, 5, tzinfo=UTC)
        context: SandboxContext = sandbox_apps[0].state.sandbox
        with httpx.Client(timeout=10) as client:
            report = tick(context, client)
        assert report.delivery.delivered == 1, report
        deadline = datetime.now(UTC).timestamp() + 20
        while counter.count() == 0 and datetime.now(UTC).timestamp() < deadline:
            import time

            time.sleep(0.05)
        [notice] = counter.sent
        assert notice.to == f"whatsapp:{PHONE}"
        body = notice.body
        assert body.startswith("Bon nouvèl: ou gen yon randevou nan El Paso – Paso del Norte")
        assert "Jean Baptiste Pierre-Louis" in body
        assert "Pote yon pyès idantite pou chak moun" in body  # what to bring
        assert re.search(r"Konfime anvan \w+ \d+ mas 2026", body), body  # by when
        assert "1. Konfime" in body  # how: reply 1 (or the word)

        reply = phone.say("1")
        assert reply.startswith("Konfime: El Paso – Paso del Norte"), reply
    finally:
        bot.stop()
        sandbox.stop()

    with context.factory() as db:
        [appointment] = db.scalars(select(Appointment)).all()
    assert appointment.status == "confirmed"
    assert counter.refused == []
