"""The portal's translation review in headless Chromium (issue 15): the languages to review,
a language's messages, a search, a message saved as reviewed; axe-core finds no serious or
critical violation on any of them, nothing is wider than a phone, screenshots are kept in
test-artifacts/staff-portal/pages/. Runs on a copy of translations/ (the review writes the
catalog)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import link_staff, random_phone, staff_settings
from support import tools
from support.app import Clock
from support.browser import CHROMIUM_ARGS, context
from support.live import RestartableServer
from test_portal_pages_browser import _check, _sign_in

from bot.app import create_app
from bot.i18n import po_path, read_catalog
from bot.outbound import RecordingSender
from bot.services import Services
from bot.settings import PROJECT_ROOT

PRIVACY = (
    "Privacy: we keep only your name, date of birth, nationality and phone, to request your "
    "appointment. No photos, no location. Do you agree?"
)


@pytest.fixture
def live_bot(tmp_path: Path) -> Iterator[tuple[RestartableServer, Services, Path]]:
    translations = tmp_path / "translations"
    shutil.copytree(PROJECT_ROOT / "translations", translations)
    holder: dict[str, Any] = {}

    def make_app():  # type: ignore[no-untyped-def]
        settings = staff_settings(self_url=server.url, translations_dir=translations)
        app = create_app(settings, clock=Clock(), data_dir=tmp_path / "data")
        holder["app"] = app
        return app

    server = RestartableServer(make_app)
    server.start()
    try:
        yield server, holder["app"].state.services, translations
    finally:
        server.stop()


def test_review_pages_pass_axe_and_a_reviewed_message_is_saved(
    live_bot: tuple[RestartableServer, Services, Path],
) -> None:
    chromium = tools.or_fail(tools.chromium)
    from playwright.sync_api import expect, sync_playwright

    server, services, translations = live_bot
    sender = services.sender
    assert isinstance(sender, RecordingSender)
    staff_phone = random_phone()
    link_staff(services, "Casa del Migrante", staff_phone)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = context(browser).new_page()
        page.set_default_timeout(20_000)
        _sign_in(page, server, sender, staff_phone)
        for lang in ("es", "en"):
            page.locator("header select[name=lang]").select_option(lang)
            page.locator("header form:has(select) button").click()
            expect(page.locator("html")).to_have_attribute("lang", lang)
            page.goto(f"{server.url}/staff/translations")
            expect(page.locator("li[data-lang]")).to_have_count(3)
            _check(page, f"translations-{lang}", problems)
        page.locator("li[data-lang=quc] a").click()
        expect(page.locator("section[data-key]")).to_have_count(20)
        _check(page, "translations-quc-en", problems)
        page.locator("#q").fill("Privacy:")
        page.get_by_role("button", name="Find").click()
        section = page.locator("section[data-key]")
        expect(section).to_have_count(1)
        section.locator("textarea").fill("Test text standing for a K'iche' reviewer's words")
        section.get_by_role("button", name="Save as reviewed").click()
        expect(page.get_by_role("status")).to_contain_text("Saved. People writing in K'iche'")
        _check(page, "translations-quc-saved-en", problems)
        browser.close()
    message = read_catalog(po_path(translations, "quc")).get(PRIVACY)
    assert message is not None and not message.fuzzy
    assert message.string == "Test text standing for a K'iche' reviewer's words"
    assert problems == []
