"""The simulator in headless Chromium (Playwright): a registration and a daily request typed in
the page, a WhatsApp button, a language switch and a reset; the booking API holds what was
typed; axe-core finds no serious or critical violation; screenshots at 390 px and 1280 px in
test-artifacts/simulator/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import tools
from support.app import make_settings
from support.browser import ARTIFACTS, CHROMIUM_ARGS, axe_violations, context, screenshots
from support.live import RestartableServer

from bot.app import create_app
from bot.services import Services

SHOTS = ARTIFACTS / "simulator"


@pytest.fixture
def live_bot(tmp_path: Path) -> Iterator[tuple[RestartableServer, Services]]:
    holder: dict[str, Any] = {}

    def make_app():  # type: ignore[no-untyped-def]
        app = create_app(make_settings(self_url=server.url), data_dir=tmp_path / "data")
        holder["app"] = app
        return app

    server = RestartableServer(make_app)
    server.start()
    try:
        yield server, holder["app"].state.services
    finally:
        server.stop()


def _type(page: Any, text: str, expect: Any) -> None:
    replies = page.locator("#chat li[data-from=bot]")
    before = replies.count()
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_label("Message", exact=True).press("Enter")
    expect(replies.nth(before)).to_be_visible()


def test_register_and_request_in_the_page(live_bot: tuple[RestartableServer, Services]) -> None:
    chromium = tools.or_fail(tools.chromium)
    from playwright.sync_api import expect, sync_playwright

    server, services = live_bot
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = context(browser).new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/simulator")
        expect(page.locator("#phone")).to_contain_text("+1555")
        phone = page.locator("#phone").inner_text()
        screenshots(page, SHOTS, "01-empty")
        assert axe_violations(page) == []

        for text in ("Hola", "1", "si", "1", "Rosa Elena Martínez", "14/02/1992", "Honduras"):
            _type(page, text, expect)
        expect(page.locator("#step")).to_have_text("register:ask_port")
        for text in ("5", "2"):
            _type(page, text, expect)
        expect(page.locator("#msgids")).to_contain_text("Please check:")
        _type(page, "1", expect)
        expect(page.locator("#chat")).to_contain_text("Listo, registro hecho: Rosa Elena Martinez")
        expect(page.locator("#step")).to_have_text("menu:choose")
        for text in ("2", "5"):
            _type(page, text, expect)
        _type(page, "1", expect)
        expect(page.locator("#chat")).to_contain_text("La solicitud de hoy para Rosa Elena")
        assert int(page.locator("#total-segments").inner_text()) >= 13  # one per reply at least
        screenshots(page, SHOTS, "02-registered-and-requested")
        assert axe_violations(page) == []

        # WhatsApp: the options are buttons; a tap sends the option's id as ButtonPayload.
        page.get_by_label("WhatsApp").check()
        _type(page, "3", expect)  # My status
        _type(page, "MENU", expect)
        page.get_by_role("button", name="Mi estado").click()
        expect(page.locator("#chat li[data-from=me]").last).to_have_text("Mi estado")
        expect(page.locator("#chat li[data-from=bot]").last).to_contain_text("Rosa Elena Martínez")

        page.get_by_label("Language").select_option("pt")
        expect(page.locator("#state-lang")).to_have_text("pt")
        expect(page.locator("#msgids")).to_contain_text("What would you like to do?")
        screenshots(page, SHOTS, "03-whatsapp-portuguese")
        assert axe_violations(page) == []

        page.get_by_role("button", name="Reset").click()
        expect(page.locator("#phone")).not_to_have_text(phone)
        expect(page.locator("#step")).to_have_text("none yet")
        browser.close()

    # What was typed reached the booking API (the embedded sandbox over HTTP).
    key = services.conversations.key_for(phone)
    found = httpx.get(
        f"{services.booking_url}/v1/registrations", params={"contact_ref": key.digest}, timeout=10
    )
    assert found.status_code == 200, found.text
    assert "Rosa Elena" in found.text
