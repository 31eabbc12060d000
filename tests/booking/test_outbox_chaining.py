"""Outbox chaining with real processes: `frontdoor serve` starts while nothing listens where
the booking API should be; a person registers over SMS (every question, the port list
included), ends with "saved, will be sent", and makes that day's request, which is saved
behind the registration. Then `frontdoor sandbox` starts on that port: the registration and
the request arrive in that order, with the times the person made them (the registration's
`registered_at`, from which waiting time counts, and the request's `requested_at`), and the
person is told both results."""

from __future__ import annotations

import os
import queue
import re
import sqlite3
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from support.live import free_port

from bot.contacts import contact_key

FRONTDOOR = str(Path(sys.executable).with_name("frontdoor"))
SECRET = "outbox-chaining-secret-0123456789abcdef"
PHONE = "+5215550002222"


def _env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDOOR_", "BOOKING_"))}
    return {**keep, **extra}


class Process:
    """A command in its own process, its output read line by line in a thread."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def output(self) -> str:
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return "\n".join(self.seen)

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.output()):
                return self.output()
            assert self.process.poll() is None, self.output()
            time.sleep(0.1)
        raise AssertionError(f"no {pattern!r} in:\n{self.output()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[tuple[Process, str, int]]:
    """`frontdoor serve` with a booking API URL where nothing listens (yet)."""
    port, booking_port = free_port(), free_port()
    served = Process(
        [FRONTDOOR, "serve", "--port", str(port)],
        tmp_path,
        _env(
            FRONTDOOR_SECRET_KEY=SECRET,
            FRONTDOOR_BOOKING_API_URL=f"http://127.0.0.1:{booking_port}",
            FRONTDOOR_BOOKING_TIMEOUT_SECONDS="0.5",
            FRONTDOOR_BOOKING_RETRIES="0",
            FRONTDOOR_BOOKING_BREAKER_RESET_SECONDS="0.5",
            FRONTDOOR_REPLAY_INTERVAL_SECONDS="0.5",
            FRONTDOOR_FLOOD_BURST="100",  # a script types faster than a person
        ),
    )
    try:
        served.wait_for(r"frontdoor ready on")
        yield served, f"http://127.0.0.1:{port}", booking_port
    finally:
        served.stop()


class Phone:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.sent = 0

    def say(self, text: str) -> str:
        self.sent += 1
        answer = self.http.post(
            "/twilio/messages",
            data={
                "MessageSid": f"SM{self.sent:032d}",
                "From": PHONE,
                "To": "+15005550001",
                "Body": text,
                "NumMedia": "0",
            },
        )
        assert answer.status_code == 200, answer.text
        return "\n".join(m.text or "" for m in ET.fromstring(answer.text).iter("Message"))


def _between(moment: str, before: datetime, after: datetime) -> bool:
    at = datetime.fromisoformat(moment).astimezone(UTC)
    return before <= at <= after


def test_registration_then_request_saved_in_an_outage_arrive_in_order_with_their_times(
    bot: tuple[Process, str, int], tmp_path: Path
) -> None:
    served, url, booking_port = bot
    with httpx.Client(base_url=url, timeout=30) as http:
        phone = Phone(http)
        for text in ["hola", "1", "1", "1", "Persona Prueba", "14/02/1990"]:
            phone.say(text)
        question = phone.say("honduras")  # the port question, with the configured ports
        assert "Laredo" in question and "San Ysidro" in question, question
        assert "familia" in phone.say("Laredo")
        assert "Laredo" in phone.say("2")  # no family: the summary
        registered_from = datetime.now(UTC)
        saved = phone.say("1")
        registered_until = datetime.now(UTC)
        assert "guardado" in saved and "se enviara solo" in saved, saved

        # That day's request, while the registration still waits: saved behind it.
        phone.say("menu")
        assert "Laredo" in phone.say("2")  # the port question of today's request
        assert "Laredo" in phone.say("Laredo")  # "send today's request ... at Laredo?"
        requested_from = datetime.now(UTC)
        queued = phone.say("1")
        requested_until = datetime.now(UTC)
        assert "hora de hoy" in queued, queued
        phone.say("menu")
        mine = phone.say("3")  # "my status": the registration waits, not "not registered"
        assert "espera al sistema" in mine and "no esta registrado" not in mine, mine
        time.sleep(1.5)  # the booking API comes back clearly later than the person asked

        database = tmp_path / "sandbox.sqlite3"
        came_back = datetime.now(UTC)
        sandbox = Process(
            [FRONTDOOR, "sandbox", "--port", str(booking_port), "--log-level", "warning"],
            tmp_path,
            _env(
                BOOKING_DATABASE_URL=f"sqlite:///{database}",
                BOOKING_WINDOW_OPENS="00:00",
                BOOKING_WINDOW_CLOSES="23:59",
                BOOKING_WINDOW_TIMEZONE="UTC",
                BOOKING_SCHEDULER_ENABLED="false",
            ),
        )
        try:
            ref = contact_key(SECRET, PHONE).digest
            api = f"http://127.0.0.1:{booking_port}"
            deadline = time.monotonic() + 60
            found_status: dict[str, object] | None = None
            while time.monotonic() < deadline:
                try:
                    found = httpx.get(f"{api}/v1/registrations", params={"contact_ref": ref})
                    registrations = found.json()["registrations"]
                    if registrations:
                        found_status = httpx.get(
                            f"{api}/v1/registrations/{registrations[0]['id']}"
                        ).json()
                        if found_status.get("latest_request"):
                            break
                except httpx.TransportError:
                    pass  # not listening yet
                time.sleep(0.2)
            assert found_status and found_status.get("latest_request"), served.output()
            status = found_status
            told = served.wait_for(r"La solicitud de hoy para Persona Prueba")
        finally:
            sandbox.stop()

    # Arrived after the API came back, with the times the person made them.
    assert isinstance(status["created_at"], str) and isinstance(status["registered_at"], str)
    assert _between(status["created_at"], came_back, datetime.now(UTC)), status
    assert _between(status["registered_at"], registered_from, registered_until), status
    request = status["latest_request"]
    assert isinstance(request, dict)
    assert _between(request["requested_at"], requested_from, requested_until), request

    # In order: the registration first, then the request, which counts waiting time from
    # the person's registration (not from its replay).
    with sqlite3.connect(database) as db:
        [(created, registered)] = db.execute(
            "SELECT created_at, registered_at FROM registrations"
        ).fetchall()
        [(received, request_registered)] = db.execute(
            "SELECT received_at, registered_at FROM slot_requests"
        ).fetchall()
    assert received >= created
    assert request_registered == registered

    # The person is told both results, in one message, in order.
    notice = told[told.rindex("NOT SENT") :]
    assert notice.index("Numero: reg_") < notice.index("La solicitud de hoy"), notice
    assert PHONE not in served.output()
