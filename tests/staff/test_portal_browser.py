"""The staff portal in a real browser (headless Debian Chromium driven by Playwright) on a
phone-sized screen: sign in with the code sent to the staff phone, register a household, make
today's request, answer a handoff opened in Haitian Creole. Screenshots of every step are kept
in test-artifacts/staff-portal/ (gitignored) for people to look at.

Chromium comes from `support/tools.py` (the machine's Chromium, else installed by the test
run); a test never skips for want of a browser."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import link_staff, random_phone, staff_settings
from support import tools
from support.live import RestartableServer

from bot.app import create_app
from bot.outbound import RecordingSender
from bot.services import Services
from bot.settings import PROJECT_ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "staff-portal"


@pytest.fixture
def live_bot(tmp_path: Path) -> Iterator[tuple[RestartableServer, Services]]:
    holder: dict[str, object] = {}

    def make_app():  # type: ignore[no-untyped-def]
        settings = staff_settings(self_url=server.url)
        app = create_app(settings, data_dir=tmp_path / "data")
        holder["app"] = app
        return app

    server = RestartableServer(make_app)
    server.start()
    try:
        services: Services = holder["app"].state.services  # type: ignore[attr-defined]
        yield server, services
    finally:
        server.stop()


def _whatsapp(server: RestartableServer, phone: str, text: str) -> None:
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": f"whatsapp:{phone}",
        "To": "whatsapp:+16195550100",
        "Body": text,
        "NumMedia": "0",
    }
    answer = httpx.post(f"{server.url}/twilio/messages", data=form, timeout=30)
    assert answer.status_code == 200, answer.text


def test_sign_in_register_request_and_answer_a_handoff(
    live_bot: tuple[RestartableServer, Services],
) -> None:
    chromium = tools.or_fail(tools.chromium)
    from playwright.sync_api import expect, sync_playwright

    server, services = live_bot
    sender = services.sender
    assert isinstance(sender, RecordingSender)
    staff_phone = random_phone()
    link_staff(services, "Casa del Migrante", staff_phone)

    # A person writes in Kreyòl and asks for a person (the word MOUN).
    person = random_phone("+50937")
    for text in ("0", "2", "1", "MOUN", "Mwen pa konprann papye yo, tanpri ede m."):
        _whatsapp(server, person, text)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="es-MX")
        page.set_default_timeout(20_000)

        page.goto(f"{server.url}/staff/signin?lang=es")
        page.get_by_label("Su número de teléfono, con código de país").fill(staff_phone)
        page.screenshot(path=str(ARTIFACTS / "01-signin.png"), full_page=True)
        page.get_by_role("button", name="Enviarme un código").click()
        bodies = [m.body for m in sender.take(staff_phone)]
        code = re.search(r"\b(\d{6})\b", bodies[-1])
        assert code is not None
        page.get_by_label("Código").fill(code.group(1))
        page.screenshot(path=str(ARTIFACTS / "02-code.png"), full_page=True)
        page.get_by_role("button", name="Entrar").click()
        expect(page.get_by_role("heading", name="Familias")).to_be_visible()

        page.get_by_role("link", name="Registrar una familia").first.click()
        page.locator("#name").fill("Rosa Elena Martínez")
        page.locator("#birth_date").fill("14/02/1992")
        page.locator("#nationality").fill("Honduras")
        page.locator("#m0_name").fill("Daniel Martínez")
        page.locator("#m0_birth_date").fill("03/06/2017")
        page.locator("#m0_relationship").select_option("child")
        page.locator("#language").select_option("es")
        page.locator("input[name=consent]").check()
        page.screenshot(path=str(ARTIFACTS / "03-register.png"), full_page=True)
        page.get_by_role("button", name="Registrar a esta familia").click()
        expect(page.get_by_role("status")).to_contain_text("Registrado: Rosa Elena Martínez")

        page.get_by_role("link", name="Volver").click()
        expect(page.get_by_text("Daniel Martínez")).to_be_visible()
        page.get_by_label("Rosa Elena Martínez").check()
        page.screenshot(path=str(ARTIFACTS / "04-households.png"), full_page=True)
        page.get_by_role("button", name="Enviar la solicitud de hoy").click()
        expect(page.get_by_role("status")).to_contain_text("Rosa Elena Martínez: enviada")
        page.screenshot(path=str(ARTIFACTS / "05-requested.png"), full_page=True)

        page.get_by_role("link", name="Mensajes").click()
        row = page.locator("li[data-lang=ht]")
        expect(row).to_contain_text("Kreyòl ayisyen")
        page.screenshot(path=str(ARTIFACTS / "06-inbox.png"), full_page=True)
        row.get_by_role("link").click()
        expect(page.get_by_text("Mwen pa konprann papye yo")).to_be_visible()
        page.get_by_label("Su respuesta").fill("Bonjou! Vin nan biwo a demen a 10è, n ap ede w.")
        page.get_by_role("button", name="Enviar respuesta").click()
        expect(page.get_by_role("status")).to_contain_text("Su respuesta fue enviada")
        page.screenshot(path=str(ARTIFACTS / "07-replied.png"), full_page=True)
        browser.close()

    received = [m for m in sender.take(person)]
    assert [m.body for m in received] == [
        "Casa del Migrante: Bonjou! Vin nan biwo a demen a 10è, n ap ede w."
    ]
    assert received[0].channel.value == "whatsapp"  # the same channel the person wrote on
    assert services.staff is not None
    actions = [e.action for e in services.staff.repo.audit_entries()]
    for action in ("signin", "household_registered", "request_made", "handoff_replied"):
        assert action in actions
