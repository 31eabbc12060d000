"""The staff portal over HTTP (TestClient, the app's real lifespan): sign-in with a code sent to
the staff phone, CSRF on every form, rate-limited code attempts, sessions that expire, one
shelter never seeing another's households or handoffs, and the roster as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import link_staff, random_phone
from fastapi.testclient import TestClient
from support.app import Clock

from bot.outbound import RecordingSender
from bot.services import Services
from bot.staff.repository import PersonView, StaffView

Start = Callable[..., Any]


@pytest.fixture
def portal(running_app: Start) -> Iterator[TestClient]:
    with running_app(portal_secure_cookies=False) as client:
        yield client


def _services(client: TestClient) -> Services:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _code_sent_to(client: TestClient, phone: str) -> str:
    sender = _services(client).sender
    assert isinstance(sender, RecordingSender)
    bodies = [m.body for m in sender.take(phone)]
    assert bodies, "no code was sent"
    found = re.search(r"\b(\d{6})\b", bodies[-1])
    assert found
    return found.group(1)


def sign_in(client: TestClient, phone: str) -> str:
    """Sign in through the real forms; returns the session's CSRF token."""
    page = client.get("/staff/signin")
    sent = client.post("/staff/signin", data={"phone": phone, "csrf": _csrf(page.text)})
    assert sent.status_code == 200
    code = _code_sent_to(client, phone)
    done = client.post(
        "/staff/signin/code",
        data={"phone": phone, "code": code, "csrf": _csrf(sent.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/"
    return _csrf(client.get("/staff/").text)


@contextmanager
def other_browser(client: TestClient) -> Iterator[TestClient]:
    with TestClient(client.app, base_url="http://testserver") as other:
        yield other


def _household(client: TestClient, staff: StaffView, name: str, phone: str | None) -> None:
    services = _services(client)
    assert services.staff is not None
    services.staff.repo.add_household(
        shelter_id=staff.shelter_id,
        staff_id=staff.id,
        primary=PersonView(name, "1990-01-02", "HN"),
        members=[PersonView("Luis " + name.split()[-1], "2016-03-04", "HN", "child")],
        port="brownsville",
        lang="es",
        applicant_phone=phone,
        applicant_digest=services.staff.digest(phone) if phone else None,
        now=services.staff.clock(),
    )


def test_sign_in_with_a_code_sent_to_the_staff_phone_is_audited(portal: TestClient) -> None:
    phone = random_phone()
    link_staff(_services(portal), "Casa del Migrante", phone)
    sign_in(portal, phone)
    page = portal.get("/staff/")
    assert page.status_code == 200 and "Casa del Migrante" in page.text
    services = _services(portal)
    assert services.staff is not None
    actions = [e.action for e in services.staff.repo.audit_entries()]
    assert "signin_code_sent" in actions and "signin" in actions
    assert "Set-Cookie" not in page.headers or "fd_staff" not in page.headers["Set-Cookie"]


def test_unknown_numbers_get_the_same_answer_and_no_code(portal: TestClient) -> None:
    page = portal.get("/staff/signin")
    stranger = random_phone()
    answer = portal.post("/staff/signin", data={"phone": stranger, "csrf": _csrf(page.text)})
    assert answer.status_code == 200 and "se le envió un código" in answer.text
    sender = _services(portal).sender
    assert isinstance(sender, RecordingSender) and sender.take(stranger) == []


def test_every_form_needs_its_csrf_token(portal: TestClient) -> None:
    phone = random_phone()
    link_staff(_services(portal), "Casa del Migrante", phone)
    portal.get("/staff/signin")
    assert portal.post("/staff/signin", data={"phone": phone, "csrf": "x"}).status_code == 403
    csrf = sign_in(portal, phone)
    for path, data in (
        ("/staff/requests", {"household": "h"}),
        ("/staff/households/new", {"name": "Ana"}),
        ("/staff/lang", {"lang": "en"}),
        ("/staff/signout", {}),
        ("/staff/inbox/abc/reply", {"text": "hola"}),
        ("/staff/appointments/abc/confirm", {}),
        ("/staff/appointments/abc/give_up", {}),
    ):
        assert portal.post(path, data={**data, "csrf": "forged"}).status_code == 403, path
        assert portal.post(path, data=data).status_code == 403, path
    assert portal.post("/staff/lang", data={"lang": "en", "csrf": csrf}).status_code == 200
    away = {"lang": "en", "csrf": csrf, "next": "https://evil.example/staff/"}
    answer = portal.post("/staff/lang", data=away, follow_redirects=False)
    assert answer.headers["location"] == "/staff/"  # never a redirect off the portal


def test_code_attempts_are_limited_and_codes_per_hour_too(portal: TestClient) -> None:
    phone = random_phone()
    services = _services(portal)
    link_staff(services, "Casa del Migrante", phone)
    page = portal.get("/staff/signin")
    sent = portal.post("/staff/signin", data={"phone": phone, "csrf": _csrf(page.text)})
    code = _code_sent_to(portal, phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.settings.signin_max_attempts - 1):
        answer = portal.post(
            "/staff/signin/code", data={"phone": phone, "code": wrong, "csrf": _csrf(sent.text)}
        )
        assert "no es correcto" in answer.text
    answer = portal.post(
        "/staff/signin/code", data={"phone": phone, "code": wrong, "csrf": _csrf(sent.text)}
    )
    assert "Demasiados intentos" in answer.text
    answer = portal.post(
        "/staff/signin/code", data={"phone": phone, "code": code, "csrf": _csrf(sent.text)}
    )
    assert "venció o ya se usó" in answer.text  # the right code no longer works
    for _ in range(services.settings.signin_codes_per_hour):
        portal.post("/staff/signin", data={"phone": phone, "csrf": _csrf(page.text)})
    answer = portal.post("/staff/signin", data={"phone": phone, "csrf": _csrf(page.text)})
    assert "Se pidieron demasiados códigos" in answer.text


def test_sessions_expire(portal: TestClient, clock: Clock) -> None:
    phone = random_phone()
    services = _services(portal)
    link_staff(services, "Casa del Migrante", phone)
    sign_in(portal, phone)
    clock.now += timedelta(hours=services.settings.portal_session_hours, minutes=1)
    answer = portal.get("/staff/", follow_redirects=False)
    assert answer.status_code == 303 and "expired=1" in answer.headers["location"]
    assert "Su sesión terminó" in portal.get("/staff/").text


def test_staff_see_only_their_own_shelter(portal: TestClient) -> None:
    services = _services(portal)
    phone_a, phone_b = random_phone(), random_phone()
    staff_a = link_staff(services, "Casa del Migrante", phone_a)
    link_staff(services, "Albergue Juan Diego", phone_b)
    _household(portal, staff_a, "Ana Morales", None)
    sign_in(portal, phone_a)
    assert "Ana Morales" in portal.get("/staff/").text
    with other_browser(portal) as other:
        sign_in(other, phone_b)
        assert "Ana Morales" not in other.get("/staff/").text
        assert "Ana Morales" not in other.get("/staff/export.csv").text


def test_the_roster_exports_as_csv_with_members(portal: TestClient) -> None:
    services = _services(portal)
    phone = random_phone()
    staff = link_staff(services, "Casa del Migrante", phone)
    _household(portal, staff, "=Ana Morales", "+5215511112222")
    _household(portal, staff, "Pedro Soto", None)
    sign_in(portal, phone)
    answer = portal.get("/staff/export.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["role"], r["full_name"]) for r in rows] == [
        ("primary", "'=Ana Morales"),  # never a spreadsheet formula
        ("member", "Luis Morales"),
        ("primary", "Pedro Soto"),
        ("member", "Luis Soto"),
    ]
    assert rows[0]["applicant_phone"] == "+5215511112222" and rows[2]["applicant_phone"] == ""


def test_the_inbox_shows_machine_translation_beside_the_original_when_available(
    portal: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = _services(portal)
    assert services.staff is not None
    phone = random_phone()
    link_staff(services, "Casa del Migrante", phone)
    person = random_phone("+50937")
    repo, now = services.staff.repo, services.staff.clock()
    handoff, _ = repo.open_handoff(
        contact_digest=services.staff.digest(person),
        phone=person,
        channel="whatsapp",
        lang="ht",
        interpreter_needed=False,
        now=now,
    )
    repo.add_handoff_message(handoff.id, "in", "Mwen bezwen èd", now)
    sign_in(portal, phone)
    import bot.staff.portal as portal_module

    monkeypatch.setattr(portal_module, "machine_translator", lambda: None)  # no model installed
    without = portal.get(f"/staff/inbox/{handoff.id}").text
    assert "Mwen bezwen èd" in without and "Traducción automática" not in without

    calls: list[tuple[str, str, str]] = []

    async def translate(text: str, source: str, target: str) -> str | None:
        calls.append((text, source, target))
        return "Necesito ayuda"

    monkeypatch.setattr(portal_module, "machine_translator", lambda: translate)
    page = portal.get(f"/staff/inbox/{handoff.id}").text
    assert calls == [("Mwen bezwen èd", "ht", "es")]
    assert "Mwen bezwen èd" in page  # the original stays beside it
    assert "Traducción automática, puede tener errores: Necesito ayuda" in page

    # A reply can be machine-translated into the person's language, checked, then sent.
    csrf = _csrf(page)
    draft = portal.post(
        f"/staff/inbox/{handoff.id}/reply",
        data={"csrf": csrf, "text": "Venga mañana a las 10", "action": "translate"},
    )
    assert ("Venga mañana a las 10", "es", "ht") in calls
    assert ">Necesito ayuda</textarea>" in draft.text and "Original:" in draft.text
    sender = services.sender
    assert isinstance(sender, RecordingSender) and sender.take(person) == []  # nothing sent yet
    sent = portal.post(
        f"/staff/inbox/{handoff.id}/reply",
        data={"csrf": csrf, "text": "Vini demen a 10è", "action": "send"},
    )
    assert sent.status_code == 200 and "Su respuesta fue enviada" in sent.text
    assert [m.body for m in sender.take(person)] == ["Casa del Migrante: Vini demen a 10è"]


def test_registering_needs_consent_and_readable_answers(portal: TestClient) -> None:
    services = _services(portal)
    assert services.staff is not None
    phone = random_phone()
    staff = link_staff(services, "Casa del Migrante", phone)
    csrf = sign_in(portal, phone)
    form = {
        "csrf": csrf,
        "name": "Rosa Elena Martínez",
        "birth_date": "14/02/1992",
        "nationality": "Honduras",
        "port": "brownsville",
        "language": "es",
        "phone": "",
    }
    unread = portal.post(
        "/staff/households/new", data={**form, "birth_date": "no sé", "consent": "yes"}
    )
    assert unread.status_code == 422 and "no se pudieron leer" in unread.text
    assert 'value="Rosa Elena Martínez"' in unread.text  # nothing typed is lost
    refused = portal.post("/staff/households/new", data=form)
    assert refused.status_code == 422 and "Sin el consentimiento" in refused.text
    assert services.staff.repo.households(staff.shelter_id) == []
    done = portal.post("/staff/households/new", data={**form, "consent": "yes"})
    assert done.status_code == 200 and "Registrado: Rosa Elena Martínez" in done.text
    assert len(services.staff.repo.households(staff.shelter_id)) == 1


def test_family_members_keep_their_own_nationality_and_appointments_can_be_given_up(
    portal: TestClient, clock: Clock, tmp_path: Path
) -> None:
    """A member's nationality typed in the form is theirs (blank: the primary's); after the
    draw the appointment shows unconfirmed with its deadline, and giving it up frees it."""
    from datetime import UTC, date, datetime

    from booking_sandbox.allocator import allocate
    from booking_sandbox.app import build_context
    from bot.embedded_sandbox import embedded_sandbox_settings

    services = _services(portal)
    assert services.staff is not None
    phone = random_phone()
    staff = link_staff(services, "Casa del Migrante", phone)
    csrf = sign_in(portal, phone)
    form = {
        "csrf": csrf, "name": "Rosa Elena Martínez", "birth_date": "14/02/1992",
        "nationality": "Honduras", "port": "brownsville", "language": "es", "phone": "",
        "consent": "yes",
        "m0_name": "Daniel Martínez", "m0_birth_date": "03/06/2017",
        "m0_relationship": "child", "m0_nationality": "Guatemala",
        "m1_name": "Lucía Martínez", "m1_birth_date": "05/05/2019", "m1_relationship": "child",
    }
    done = portal.post("/staff/households/new", data=form)
    assert done.status_code == 200, done.text
    [household] = services.staff.repo.households(staff.shelter_id)
    assert [m.nationality for m in household.members] == ["GT", "HN"]
    requested = portal.post("/staff/requests", data={"csrf": csrf, "household": household.id})
    assert "enviada" in requested.text

    clock.now = datetime(2026, 3, 15, 17, 30, tzinfo=UTC)
    sandbox = build_context(embedded_sandbox_settings(tmp_path / "data"), clock)
    try:
        allocate(sandbox.factory, sandbox.settings, date(2026, 3, 14), sandbox.now(), seed=7)
    finally:
        sandbox.engine.dispose()
    csrf = sign_in(portal, phone)  # a day later: the session ended
    page = portal.get("/staff/appointments").text
    assert "todavía sin confirmar: confirme antes de" in page
    assert f'action="/staff/appointments/{household.id}/give_up"' in page
    given_up = portal.post(f"/staff/appointments/{household.id}/give_up", data={"csrf": csrf})
    assert "Cita dejada: Rosa Elena Martínez" in given_up.text
    assert household.registration_id is not None
    actions = [e.action for e in services.staff.repo.audit_entries()]
    assert "appointment_given_up" in actions
    page = portal.get("/staff/appointments").text
    assert "give_up" not in page  # nothing left to give up
