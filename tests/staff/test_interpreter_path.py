"""Issue 15, must-show 3: a message in K'iche' the bot cannot read leads to the interpreter path
in one step (a handoff marked K'iche' and "interpreter needed", what they wrote as its first
line, a Spanish message that a person who speaks K'iche' will be looked for); a message staff
review in the portal is shown to the next K'iche' speaker instead of the Spanish fallback."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Phone, link_staff, make_invite, random_phone
from fastapi.testclient import TestClient
from support.app import Clock
from test_portal import _services, sign_in

from bot.i18n import po_path, read_catalog
from bot.messages import ChannelKind
from bot.services import Services
from bot.settings import PROJECT_ROOT
from bot.staff.portal_translations import message_key

KICHE_SENTENCE = "Saqarik, kinwaj jun q'ij chwe' rech ri nuk'aslemal"
LOOKED_FOR = (
    "Buscaremos a una persona que hable K'iche'. Escriba aquí lo que necesita, en K'iche' si "
    "quiere; le responderán aquí. Escriba MENU para volver."
)
PRIVACY = (
    "Privacy: we keep only your name, date of birth, nationality and phone, to request your "
    "appointment. No photos, no location. Do you agree?"
)
#: Test data standing for a reviewer's K'iche' text (not a real translation).
REVIEWED = "[quc, reviewed in the portal] Utz, ¿la kawaj? (test text)"


async def test_a_kiche_message_the_bot_cannot_read_reaches_an_interpreter_in_one_step(
    services: Services, clock: Clock
) -> None:
    staff = Phone(services, random_phone(), clock)
    await staff.send(make_invite(services, "Casa del Migrante", staff.number, clock))
    person = Phone(services, random_phone("+502"), clock, ChannelKind.WHATSAPP)
    assert await person.send(KICHE_SENTENCE) == LOOKED_FOR  # the first message, one reply
    digest = services.conversations.key_for(person.number).digest
    handoff = await _handoff(services, digest, staff.number)
    assert (handoff.lang, handoff.interpreter_needed, handoff.urgent) == ("quc", True, False)
    assert [m.body for m in handoff.messages] == [KICHE_SENTENCE]
    assert staff.received() != []  # staff are told someone waits
    # What they write next goes to the same handoff (the conversation is paused for staff).
    await person.send("utz awach")
    assert [m.body for m in (await _handoff(services, digest, staff.number)).messages][-1] == (
        "utz awach")


async def test_a_kiche_speaker_at_a_question_reaches_an_interpreter_in_one_step(
    services: Services, clock: Clock
) -> None:
    staff_phone = random_phone()
    link_staff(services, "Casa del Migrante", staff_phone)
    person = Phone(services, random_phone("+502"), clock)
    assert "K'iche'" in await person.send("Saqarik")  # a greeting: "continue in K'iche'?"
    await person.send("1")
    offer = await person.send("si")  # accepts the privacy notice (the Spanish fallback)
    assert "K'iche'" in offer
    await person.send("no")  # no interpreter for now
    said = await person.send("kinwaj kinto'b'ex")  # at the menu, words it cannot read
    assert said == LOOKED_FOR
    digest = services.conversations.key_for(person.number).digest
    handoff = await _handoff(services, digest, staff_phone)
    assert (handoff.lang, handoff.interpreter_needed) == ("quc", True)
    assert [m.body for m in handoff.messages] == ["kinwaj kinto'b'ex"]


async def test_a_kiche_sentence_at_the_name_question_is_not_taken_for_a_name(
    services: Services, clock: Clock
) -> None:
    staff_phone = random_phone()
    link_staff(services, "Casa del Migrante", staff_phone)
    person = Phone(services, random_phone("+502"), clock)
    await person.send("0")
    await person.send("1")  # Español
    await person.send("si")
    assert "nombre completo" in await person.send("1")  # register: the name question
    assert "K'iche'" not in await person.send("Juan Tol Utz")  # a name with Mayan words
    person = Phone(services, random_phone("+502"), clock)
    await person.send("0")
    await person.send("1")
    await person.send("si")
    await person.send("1")
    said = await person.send("kinwaj jun q'ij, maltyox")  # K'iche', at the name question
    assert said == LOOKED_FOR
    digest = services.conversations.key_for(person.number).digest
    handoff = await _handoff(services, digest, staff_phone)
    assert (handoff.lang, handoff.interpreter_needed) == ("quc", True)


async def _handoff(services: Services, digest: str, staff_phone: str) -> Any:
    """The person's open handoff as the staff member's shelter (it takes walk-ins) sees it."""
    assert services.staff is not None
    repo = services.staff.repo
    handoff_id = repo.open_handoff_of(digest)
    member = repo.staff_by_digest(services.staff.digest(staff_phone))
    assert handoff_id is not None and member is not None
    found = repo.handoff(member.shelter_id, handoff_id)
    assert found is not None
    return found


# ---- the portal: review a draft message in place -----------------------------------------


@pytest.fixture
def translations(tmp_path: Path) -> Path:
    target = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", target)
    return target


@pytest.fixture
def portal(running_app: Any, translations: Path) -> Iterator[TestClient]:
    with running_app(portal_secure_cookies=False, translations_dir=translations) as client:
        yield client


def write(client: TestClient, phone: str, text: str) -> str:
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": f"whatsapp:{phone}",
            "To": "whatsapp:+16195550100", "Body": text, "NumMedia": "0"}
    answer = client.post("/twilio/messages", data=form)
    assert answer.status_code == 200
    return str(answer.text)


def test_a_message_reviewed_in_the_portal_is_shown_to_the_next_kiche_speaker(
    portal: TestClient, translations: Path
) -> None:
    services = _services(portal)
    staff_phone = random_phone()
    link_staff(services, "Casa del Migrante", staff_phone)
    first = random_phone("+502")
    write(portal, first, "Saqarik")
    spanish = services.catalogs.gettext("es", PRIVACY)
    write(portal, first, "1")  # the interpreter offer first (the privacy notice is Spanish)
    assert spanish.split(":")[0] in write(portal, first, "no")  # the fallback, Spanish

    csrf = sign_in(portal, staff_phone)
    listing = portal.get("/staff/translations")
    assert listing.status_code == 200 and "K&#39;iche&#39;" in listing.text
    page = portal.get("/staff/translations/quc", params={"show": "all", "q": "Privacy:"})
    key = message_key(PRIVACY)
    assert f'id="m-{key}"' in page.text
    # A text that drops a placeholder or asks for a carrier keyword is refused.
    refused = portal.post("/staff/translations/quc", data={
        "csrf": csrf, "key": key, "text": "Write STOP to stop", "page": "0", "show": "all"},
        follow_redirects=False)
    assert refused.status_code == 303 and f"refused={key}" in refused.headers["location"]
    untouched = read_catalog(po_path(translations, "quc")).get(PRIVACY)
    assert untouched is not None and untouched.string == ""
    done = portal.post("/staff/translations/quc", data={
        "csrf": csrf, "key": key, "text": REVIEWED, "page": "0", "show": "all", "q": "Privacy:"},
        follow_redirects=True)
    assert done.status_code == 200 and "Guardado." in done.text

    # Written to the catalog, reviewed (no fuzzy mark), with who and when.
    message = read_catalog(po_path(translations, "quc")).get(PRIVACY)
    assert message is not None and message.string == REVIEWED and not message.fuzzy
    assert any(re.match(r"reviewed by staff #\d+ \(Casa del Migrante\) at 20\d\d-", c)
               for c in message.user_comments)
    assert services.staff is not None
    actions = [(a.action, a.detail) for a in services.staff.repo.audit_entries()]
    assert ("translation_reviewed", f"quc message {key} (was missing)") in actions
    # The page now says reviewed, by whom.
    page = portal.get("/staff/translations/quc", params={"show": "all", "q": "Privacy:"})
    section = re.search(rf'<section class="card" id="m-{key}".*?</section>', page.text, re.S)
    assert section and "Revisado" in section.group(0) and "staff #" in section.group(0)

    # The next K'iche' speaker sees the reviewed text instead of the Spanish one.
    second = random_phone("+502")
    write(portal, second, "Saqarik")
    shown = write(portal, second, "1")  # the privacy notice, now in K'iche': no offer first
    assert "[quc, reviewed in the portal]" in shown and spanish not in shown
