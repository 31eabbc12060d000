"""The inbox as conversations, the today page and the family page over HTTP (TestClient, the
app's real lifespan, the embedded booking sandbox over HTTP, people writing through the real
webhook). Issue 19's must-show 1 (a handoff is a thread with the person's name and message
preview; staff reply, assign and close; the person receives the reply) and 2 (the today page
lists an allocated, unconfirmed appointment; staff confirm it there; the booking API shows it
confirmed)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import link_staff, random_phone
from fastapi.testclient import TestClient
from support.app import Clock
from test_portal import _csrf, _services, sign_in

from bot.outbound import RecordingSender
from bot.staff.portal_views import persona_number


@pytest.fixture
def portal(running_app: Any) -> Iterator[TestClient]:
    with running_app(portal_secure_cookies=False) as client:
        yield client


def write(client: TestClient, phone: str, text: str) -> None:
    """A WhatsApp message through the webhook (no Twilio token here: no signature)."""
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": f"whatsapp:{phone}",
        "To": "whatsapp:+16195550100",
        "Body": text,
        "NumMedia": "0",
    }
    assert client.post("/twilio/messages", data=form).status_code == 200


def register(client: TestClient, csrf: str, shelter_id: int, name: str, phone: str = "") -> str:
    form = {
        "csrf": csrf, "name": name, "birth_date": "14/02/1992", "nationality": "Honduras",
        "port": "brownsville", "language": "es", "phone": phone, "consent": "yes",
        "m0_name": "Daniel Martínez", "m0_birth_date": "03/06/2017", "m0_relationship": "child",
    }  # fmt: skip
    done = client.post("/staff/households/new", data=form)
    assert done.status_code == 200 and "Registrado" in done.text, done.text
    services = _services(client)
    assert services.staff is not None
    [household] = [
        h for h in services.staff.repo.households(shelter_id) if h.primary.full_name == name
    ]
    return household.id


def thread_item(html: str, handoff_id: str) -> str:
    found = re.search(rf'<li data-handoff="{handoff_id}".*?</li>', html, re.S)
    assert found, html
    return found.group(0)


def handoff_of(client: TestClient, phone: str) -> str:
    services = _services(client)
    assert services.staff is not None
    found = services.staff.repo.open_handoff_of(services.staff.digest(phone))
    assert found is not None
    return found


def test_a_handoff_is_a_thread_staff_reply_assign_and_close_and_the_person_gets_the_reply(
    portal: TestClient,
) -> None:
    services = _services(portal)
    sender = services.sender
    assert isinstance(sender, RecordingSender) and services.staff is not None
    staff_phone = random_phone()
    staff = link_staff(services, "Casa del Migrante", staff_phone)
    csrf = sign_in(portal, staff_phone)
    rosa = random_phone()
    register(portal, csrf, staff.shelter_id, "Rosa Elena Martínez", rosa)
    # Rosa writes from her own phone (recognised as registered), asks for a person.
    for text in ("hola", "PERSONA", "Necesito cambiar la fecha de mi cita, por favor"):
        write(portal, rosa, text)
    handoff = handoff_of(portal, rosa)
    # Someone no shelter registered, in Kreyòl: a walk-in with no name yet.
    walk_in = random_phone("+50937")
    for text in ("0", "2", "1", "MOUN", "Mwen bezwen èd ak papye yo"):
        write(portal, walk_in, text)
    other = handoff_of(portal, walk_in)
    sender.take(rosa)

    inbox = portal.get("/staff/inbox").text
    item = thread_item(inbox, handoff)
    assert "Rosa Elena Martínez" in item and "Necesito cambiar la fecha de mi cita" in item
    assert 'aria-label="1 sin leer"' in item and "Espera desde hace" in item
    assert "WhatsApp" in item and "Español" in item
    assert "hora local del albergue (America/Chicago)" in inbox  # Brownsville's clock
    walk_in_item = thread_item(inbox, other)
    digest = services.staff.digest(walk_in)
    assert f"Persona {persona_number(digest)}" in walk_in_item
    assert "Intérprete" not in walk_in_item or "Kreyòl" in walk_in_item
    assert "Mwen bezwen èd ak papye yo" in walk_in_item

    page = portal.get(f"/staff/inbox/{handoff}").text  # read: the badge goes
    assert "Necesito cambiar la fecha de mi cita" in page
    assert "sin leer" not in thread_item(portal.get("/staff/inbox").text, handoff)

    # A canned reply in the person's language fills the box; staff edit and send it.
    canned = portal.post(
        f"/staff/inbox/{handoff}/reply", data={"csrf": csrf, "action": "canned_soon"}
    )
    assert ">Gracias por escribir. Una persona del albergue le responderá aquí pronto.<" in (
        canned.text
    )
    assert sender.take(rosa) == []  # nothing sent yet
    sent = portal.post(
        f"/staff/inbox/{handoff}/reply",
        data={"csrf": csrf, "action": "send", "text": "Venga mañana a las 10, Rosa."},
    )
    assert sent.status_code == 200 and "Su respuesta fue enviada" in sent.text
    assert [m.body for m in sender.take(rosa)] == [
        "Casa del Migrante: Venga mañana a las 10, Rosa."
    ]
    waiting = portal.get("/staff/inbox?view=waiting").text
    assert f'data-handoff="{handoff}"' not in waiting  # staff wrote last
    assert f'data-handoff="{other}"' in waiting

    portal.post(f"/staff/inbox/{handoff}/assign", data={"csrf": csrf, "to": "me"})
    mine = portal.get("/staff/inbox?view=mine").text
    assert "Asignada a usted" in thread_item(mine, handoff)
    assert f'data-handoff="{other}"' not in mine

    write(portal, rosa, "Gracias, ahí estaré")  # she answers: waiting again, unread again
    again = thread_item(portal.get("/staff/inbox?view=waiting").text, handoff)
    assert "Gracias, ahí estaré" in again and 'aria-label="1 sin leer"' in again

    closed = portal.post(
        f"/staff/inbox/{handoff}/close",
        data={"csrf": csrf, "note": "Cita cambiada por teléfono"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert f'data-handoff="{handoff}"' not in portal.get("/staff/inbox").text
    closed_list = portal.get("/staff/inbox?view=closed").text
    assert "Nota: Cita cambiada por teléfono" in thread_item(closed_list, handoff)
    # What she writes next goes to the bot again (the main menu), not into the closed thread.
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": f"whatsapp:{rosa}",
            "To": "whatsapp:+16195550100", "Body": "3", "NumMedia": "0"}  # fmt: skip
    answer = portal.post("/twilio/messages", data=form)  # 3: my status, at the main menu
    assert "<Message>" in answer.text, answer.text  # the bot answers (no silence)
    thread = services.staff.repo.handoff(staff.shelter_id, handoff)
    assert thread is not None and thread.messages[-1].body != "3"
    assert services.staff.repo.open_handoff_of(services.staff.digest(rosa)) is None
    actions = [e.action for e in services.staff.repo.audit_entries()]
    for action in ("handoff_replied", "handoff_assigned", "handoff_closed"):
        assert action in actions
    # Forms need the session's token.
    refused = portal.post(f"/staff/inbox/{other}/close", data={"csrf": "x"})
    assert refused.status_code == 403
    # "Delete my data" takes the thread with its read marks and note.
    services.staff.repo.forget_contact(services.staff.digest(rosa))
    assert services.staff.repo.handoff(staff.shelter_id, handoff) is None
    assert f'data-handoff="{handoff}"' not in portal.get("/staff/inbox?view=closed").text


def test_today_lists_an_unconfirmed_appointment_staff_confirm_it_and_the_booking_api_agrees(
    portal: TestClient, clock: Clock, tmp_path: Path
) -> None:
    from booking_sandbox.allocator import allocate
    from booking_sandbox.app import build_context
    from bot.embedded_sandbox import embedded_sandbox_settings

    services = _services(portal)
    assert services.staff is not None
    staff_phone = random_phone()
    staff = link_staff(services, "Casa del Migrante", staff_phone)
    csrf = sign_in(portal, staff_phone)
    rosa = random_phone()  # her own phone: she hears what staff do with her appointment
    household_id = register(portal, csrf, staff.shelter_id, "Rosa Elena Martínez", rosa)
    today = portal.get("/staff/today").text
    assert "Solicitudes por hacer hoy" in today
    assert f'<li data-household="{household_id}">' in today  # still to request
    requested = portal.post("/staff/requests", data={"csrf": csrf, "household": household_id})
    assert "enviada" in requested.text
    assert f'<li data-household="{household_id}">' not in portal.get("/staff/today").text

    clock.now = datetime(2026, 3, 15, 17, 30, tzinfo=UTC)
    sandbox = build_context(embedded_sandbox_settings(tmp_path / "data"), clock)
    try:
        allocate(sandbox.factory, sandbox.settings, date(2026, 3, 14), sandbox.now(), seed=7)
    finally:
        sandbox.engine.dispose()
    csrf = sign_in(portal, staff_phone)  # a day later: the session ended
    today = portal.get("/staff/today").text
    section = today.split('id="confirm"', 1)[1].split("</section>", 1)[0]
    assert "Rosa Elena Martínez" in section and "todavía sin confirmar" in section
    assert "para confirmar" in section  # the time left before the deadline
    assert f'action="/staff/today/confirm/{household_id}"' in section
    # A result the family could not receive (no phone of their own) is there to pass on (as
    # the notify job records it: tests/jobs/).
    [household] = services.staff.repo.households(staff.shelter_id)
    services.staff.repo.add_notice(
        household, "evt-test", "not_selected", {"request_date": "2026-03-13"}, clock.now
    )
    undelivered = portal.get("/staff/today").text.split('id="undelivered"', 1)[1]
    assert "Rosa Elena Martínez" in undelivered and "no fue elegida" in undelivered

    # The public report of yesterday's draw, linked from the page, opens through the bot.
    assert 'href="/reports/2026-03-14"' in today
    report = portal.get("/reports/2026-03-14")
    assert report.status_code == 200 and "Allocation report for requests of 2026-03-14" in (
        report.text
    )
    assert "Rosa" not in report.text  # no personal data
    assert portal.get("/reports/not-a-date").status_code == 404

    sender = services.sender
    assert isinstance(sender, RecordingSender)
    sender.take(rosa)
    done = portal.post(f"/staff/today/confirm/{household_id}", data={"csrf": csrf})
    assert done.status_code == 200 and "Confirmada: Rosa Elena Martínez." in done.text
    [told] = [m.body for m in sender.take(rosa)]
    assert told == (
        "Casa del Migrante confirmo la cita del domingo, 5 de abril de 2026, 8:00 a.m. para "
        "Rosa Elena Martinez y Daniel Martinez. Lleven un documento de identidad por persona."
    ), told  # in her language, on the port's clock, GSM-7 on SMS
    assert "Ninguna cita espera confirmación." in done.text
    [household] = services.staff.repo.households(staff.shelter_id)
    assert household.registration_id is not None
    shown = httpx.get(f"{services.booking_url}/v1/registrations/{household.registration_id}")
    assert shown.status_code == 200
    assert shown.json()["appointment"]["status"] == "confirmed", shown.json()

    family = portal.get(f"/staff/family/{household_id}").text
    assert "Daniel Martínez" in family and household.registration_id in family
    assert "confirmada" in family
    # Corrected with the same reading as the flows, in the booking API first.
    edit = portal.get(f"/staff/family/{household_id}/edit").text
    assert 'value="Daniel Martínez"' in edit and 'value="14/02/1992"' in edit
    assert 'value="Honduras"' in edit
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', edit))
    assert form["m0_birth_date"] == "03/06/2017"
    form.update(csrf=csrf, m0_name="daniel alejandro martínez", m0_relationship="child",
                port="brownsville")  # fmt: skip
    unread = portal.post(
        f"/staff/family/{household_id}/edit", data={**form, "m0_birth_date": "31/02/2017"}
    )
    assert unread.status_code == 422 and "no se pudieron leer" in unread.text
    minor = portal.post(
        f"/staff/family/{household_id}/edit", data={**form, "birth_date": "01/01/2015"}
    )
    assert minor.status_code == 422 and "18 años o más. No se cambió nada" in minor.text
    saved = portal.post(f"/staff/family/{household_id}/edit", data=form)
    assert "Los cambios se guardaron" in saved.text and "Daniel Alejandro Martínez" in saved.text
    registration = httpx.get(
        f"{services.booking_url}/v1/registrations/{household.registration_id}"
    ).json()
    assert [m["full_name"] for m in registration["household"]["members"]] == [
        "Daniel Alejandro Martínez"
    ], registration
    gave_up = portal.post(f"/staff/family/{household_id}/give_up", data={"csrf": csrf}).text
    assert "dejada" in gave_up.lower() or "nueva" in gave_up
    [told] = [m.body for m in sender.take(rosa)]
    assert told.startswith("Casa del Migrante dejo la cita del domingo, 5 de abril"), told
    # Deleting needs the family's request said, then goes to the booking API first.
    unasked = portal.post(f"/staff/family/{household_id}/delete", data={"csrf": csrf})
    assert "marque la casilla" in unasked.text
    deleted = portal.post(
        f"/staff/family/{household_id}/delete", data={"csrf": csrf, "asked": "yes"}
    )
    assert "Se borraron los datos de Rosa Elena Martínez" in deleted.text
    assert services.staff.repo.households(staff.shelter_id) == []
    gone = httpx.get(f"{services.booking_url}/v1/registrations/{household.registration_id}")
    assert gone.status_code == 404


def test_every_page_answers_in_every_language(portal: TestClient) -> None:
    services = _services(portal)
    staff_phone = random_phone()
    staff = link_staff(services, "Casa del Migrante", staff_phone)
    csrf = sign_in(portal, staff_phone)
    household_id = register(portal, csrf, staff.shelter_id, "Rosa Elena Martínez")
    headings = {"es": "Lo que hay que hacer hoy", "ht": "Sa pou fè jodi a",
                "pt": "O que fazer hoje", "en": "What needs doing today"}  # fmt: skip
    for lang, heading in headings.items():
        portal.post("/staff/lang", data={"csrf": csrf, "lang": lang, "next": "/staff/today"})
        today = portal.get("/staff/today")
        assert today.status_code == 200 and heading in today.text and f'lang="{lang}"' in today.text
        assert portal.get("/staff/inbox").status_code == 200
        family = portal.get(f"/staff/family/{household_id}")
        assert family.status_code == 200 and "Daniel Martínez" in family.text
    assert portal.get("/staff/family/not-a-household").status_code == 404
    assert portal.get("/staff/inbox/not-a-handoff").status_code == 404
    _csrf(portal.get("/staff/today").text)
