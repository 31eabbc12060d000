"""Everything the bot sends on SMS goes through one renderer (bot/channels/render.py), staff
texts too: a staff reply, the notice that someone waits, a shelter's notice to a family it
registered and a portal sign-in code are transliterated to GSM-7 and cost what the same words
cost in a reply. On WhatsApp a staff reply keeps its accents."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import Phone, link_staff, random_phone
from fastapi.testclient import TestClient
from support.app import Clock

from bot.messages import ChannelKind
from bot.outbound import RecordingSender
from bot.services import Services
from bot.sms import encoding, segment_count, transliterate_for_sms
from bot.staff.repository import PersonView

#: 125 characters of Spanish with letters GSM-7 lacks (í á ó ú), and ¿ ñ that it has.
REPLY = (
    "Sí, venga mañana a las 9 a la oficina con pasaporte. ¿Tiene el acta de su niña? "
    "Tráigala también, por favor, y la constancia."
)


def _sent(services: Services, phone: str) -> list[str]:
    sender = services.sender
    assert isinstance(sender, RecordingSender)
    return [message.body for message in sender.take(phone)]


async def _waiting_person(services: Services, clock: Clock, channel: ChannelKind) -> Phone:
    """A Spanish speaker who asks for a person at the consent question (before any data)."""
    person = Phone(services, random_phone(), clock, channel)
    await person.send("hola")
    assert "persona" in (await person.send("PERSONA")).lower()
    return person


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        # SMS: GSM-7, one segment (as UCS-2 the same words would be three).
        (ChannelKind.SMS, transliterate_for_sms(f"Casa del Migrante: {REPLY}")),
        # WhatsApp: full Unicode, untouched.
        (ChannelKind.WHATSAPP, f"Casa del Migrante: {REPLY}"),
    ],
    ids=["sms", "whatsapp"],
)
async def test_a_staff_reply_with_accents_is_one_gsm7_segment_on_sms(
    services: Services, clock: Clock, channel: ChannelKind, expected: str
) -> None:
    assert len(REPLY) == 125
    assert encoding(f"Casa del Migrante: {REPLY}") == "UCS-2"
    assert segment_count(f"Casa del Migrante: {REPLY}") == 3  # what it cost before
    staff = link_staff(services, "Casa del Migrante", random_phone(), lang="es")
    person = await _waiting_person(services, clock, channel)
    assert services.staff is not None
    digest = services.conversations.key_for(person.number).digest
    handoff = await services.staff.db(services.staff.repo.open_handoff_of, digest)
    assert handoff is not None
    _sent(services, staff.phone)  # (the staff phone was told someone waits)
    assert await services.staff.reply(staff, handoff, REPLY)
    [body] = _sent(services, person.number)
    assert body == expected
    if channel is ChannelKind.SMS:
        assert encoding(body) == "GSM-7" and segment_count(body) == 1, body
        assert "mañana" in body and "¿Tiene" in body and "Si, venga" in body


@pytest.mark.parametrize("lang", ["es", "pt", "ht", "en"])
async def test_staff_told_someone_waits_in_gsm7(
    services: Services, clock: Clock, lang: str
) -> None:
    staff = link_staff(services, "Casa del Migrante", random_phone(), lang=lang)
    await _waiting_person(services, clock, ChannelKind.SMS)
    [body] = _sent(services, staff.phone)
    assert encoding(body) == "GSM-7" and segment_count(body) == 1, body


async def test_a_shelters_notice_to_the_family_it_registered_is_gsm7(
    services: Services, clock: Clock
) -> None:
    staff = link_staff(services, "Albergue Señor de la Misericórdia", random_phone(), lang="pt")
    family = random_phone()
    assert services.staff is not None
    household, outcome = await services.staff.register_household(
        staff,
        primary=PersonView("José Álvarez Núñez", "1990-01-02", "HN"),
        members=[],
        port="brownsville",
        lang="pt",
        applicant_phone=family,
        consented=True,
    )
    assert outcome == "ok" and household is not None
    [body] = _sent(services, family)
    assert encoding(body) == "GSM-7", body
    assert "José Alvarez Nuñez" in body and "Misericordia" in body, body


def test_a_portal_sign_in_code_is_gsm7(running_app: Callable[..., Any]) -> None:
    with running_app(portal_secure_cookies=False) as client:
        client_: TestClient = client
        services: Services = client_.app.state.services  # type: ignore[attr-defined]
        staff = link_staff(services, "Casa del Migrante", random_phone(), lang="es")
        page = client_.get("/staff/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        sent = client_.post("/staff/signin", data={"phone": staff.phone, "csrf": csrf.group(1)})
        assert sent.status_code == 200
        [body] = _sent(services, staff.phone)
    assert re.search(r"\b\d{6}\b", body), body
    assert "código" not in body and "codigo" in body, body
    assert encoding(body) == "GSM-7" and segment_count(body) == 1, body
