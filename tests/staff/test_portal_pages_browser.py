"""Every portal page in headless Chromium, in Spanish, Kreyòl, Portuguese and English: axe-core
finds no serious or critical violation, and each page is kept as screenshots at 390 px and
1280 px in test-artifacts/staff-portal/pages/ (gitignored). The pages are reached the way staff
reach them: sign in with the code sent to the phone, register a family, request, the draw
gives it an appointment, a person's handoff is in the inbox."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import link_staff, random_phone, staff_settings
from support import tools
from support.app import Clock
from support.browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    WIDTHS,
    axe_violations,
    context,
    screenshots,
)
from support.live import RestartableServer

from bot.app import create_app
from bot.outbound import RecordingSender
from bot.services import Services

SHOTS = ARTIFACTS / "staff-portal" / "pages"
#: Each language's word for the households page's heading (proves the page is in it).
HOUSEHOLDS = {"es": "Familias", "ht": "Fanmi yo", "pt": "Famílias", "en": "Households"}


@pytest.fixture
def live_bot(tmp_path: Path) -> Iterator[tuple[RestartableServer, Services, Clock, Path]]:
    holder: dict[str, Any] = {}
    clock = Clock()

    def make_app():  # type: ignore[no-untyped-def]
        settings = staff_settings(self_url=server.url)
        app = create_app(settings, clock=clock, data_dir=tmp_path / "data")
        holder["app"] = app
        return app

    server = RestartableServer(make_app)
    server.start()
    try:
        yield server, holder["app"].state.services, clock, tmp_path / "data"
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


def _sign_in(page: Any, server: RestartableServer, sender: RecordingSender, phone: str) -> None:
    page.goto(f"{server.url}/staff/signin?lang=es")
    page.locator("#phone").fill(phone)
    page.locator("form button[type=submit]").last.click()
    code = re.search(r"\b(\d{6})\b", [m.body for m in sender.take(phone)][-1])
    assert code is not None
    page.locator("#code").fill(code.group(1))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{server.url}/staff/")


def _check(page: Any, name: str, problems: list[str]) -> None:
    screenshots(page, SHOTS, name)  # back at the phone's width after
    problems.extend(f"{name}: {line}" for line in axe_violations(page))
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > WIDTHS[0]:  # readable at 390 px: nothing pushes the page sideways
        problems.append(f"{name}: {wide} px wide at {WIDTHS[0]} px")


def test_every_portal_page_in_every_language_passes_axe(
    live_bot: tuple[RestartableServer, Services, Clock, Path],
) -> None:
    chromium = tools.or_fail(tools.chromium)
    from playwright.sync_api import expect, sync_playwright

    from booking_sandbox.allocator import allocate
    from booking_sandbox.app import build_context
    from bot.embedded_sandbox import embedded_sandbox_settings

    server, services, clock, data_dir = live_bot
    sender = services.sender
    assert isinstance(sender, RecordingSender)
    staff_phone = random_phone()
    link_staff(services, "Casa del Migrante", staff_phone)
    problems: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = context(browser).new_page()
        page.set_default_timeout(20_000)

        for lang in ("es", "ht", "pt", "en"):
            page.goto(f"{server.url}/staff/signin?lang={lang}")
            _check(page, f"signin-{lang}", problems)
        page.goto(f"{server.url}/staff/signin?lang=es")
        page.locator("#phone").fill(staff_phone)
        page.locator("main form button[type=submit]").click()
        _check(page, "code-es", problems)

        _sign_in(page, server, sender, staff_phone)
        page.goto(f"{server.url}/staff/households/new")
        page.locator("#name").fill("Rosa Elena Martínez")
        page.locator("#birth_date").fill("14/02/1992")
        page.locator("#nationality").fill("Honduras")
        page.locator("#m0_name").fill("Daniel Martínez")
        page.locator("#m0_birth_date").fill("03/06/2017")
        page.locator("#m0_relationship").select_option("child")
        page.locator("input[name=consent]").check()
        page.locator("main form button[type=submit]").click()
        _check(page, "registered-es", problems)
        page.goto(f"{server.url}/staff/")
        page.get_by_label("Rosa Elena Martínez").check()
        page.locator("main form button[type=submit]").click()
        _check(page, "requested-es", problems)

        # The draw: the family gets an appointment to confirm (the sandbox's own allocator).
        clock.now = datetime(2026, 3, 15, 17, 30, tzinfo=UTC)
        sandbox = build_context(embedded_sandbox_settings(data_dir), clock)
        try:
            allocate(sandbox.factory, sandbox.settings, date(2026, 3, 14), sandbox.now(), seed=7)
        finally:
            sandbox.engine.dispose()
        person = random_phone("+50937")
        for text in ("0", "2", "1", "MOUN", "Mwen pa konprann papye yo, tanpri ede m."):
            _whatsapp(server, person, text)
        _sign_in(page, server, sender, staff_phone)  # a day later: signed out

        for lang in ("es", "ht", "pt", "en"):
            page.locator("header select[name=lang]").select_option(lang)
            page.locator("header form:has(select) button").click()
            expect(page.locator("html")).to_have_attribute("lang", lang)
            page.goto(f"{server.url}/staff/")
            expect(page.get_by_role("heading", level=1)).to_have_text(HOUSEHOLDS[lang])
            _check(page, f"households-{lang}", problems)
            page.goto(f"{server.url}/staff/households/new")
            _check(page, f"new-{lang}", problems)
            page.goto(f"{server.url}/staff/requests")
            _check(page, f"requests-{lang}", problems)
            page.goto(f"{server.url}/staff/appointments")
            expect(page.locator("tr[data-household]")).to_have_count(1)
            _check(page, f"appointments-{lang}", problems)
            page.goto(f"{server.url}/staff/inbox")
            _check(page, f"inbox-{lang}", problems)
            page.locator("li[data-lang=ht] a").first.click()
            _check(page, f"handoff-{lang}", problems)
            page.goto(f"{server.url}/staff/inbox?view=waiting")
            expect(page.locator("li[data-lang=ht]")).to_have_count(1)
            _check(page, f"inbox-waiting-{lang}", problems)
            page.goto(f"{server.url}/staff/today")
            to_confirm = page.locator("section[aria-labelledby=confirm] li[data-household]")
            expect(to_confirm).to_have_count(1)
            _check(page, f"today-{lang}", problems)
            to_confirm.get_by_role("link").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Elena Martínez")
            _check(page, f"family-{lang}", problems)
            page.goto(page.url.split("?")[0] + "/edit")
            expect(page.locator("#m0_name")).to_have_value("Daniel Martínez")
            _check(page, f"family-edit-{lang}", problems)

        # In English: a canned reply, assign, close with a note; confirm on the today page.
        page.goto(f"{server.url}/staff/inbox")
        page.locator("li[data-lang=ht] a").first.click()
        page.locator("button.canned").first.click()
        expect(page.locator("#text")).not_to_be_empty()
        _check(page, "handoff-canned-en", problems)
        page.get_by_role("button", name="Assign to me").click()
        page.locator("#note").fill("Called back, she comes tomorrow")
        page.get_by_role("button", name="Mark as answered").click()
        page.goto(f"{server.url}/staff/inbox?view=closed")
        expect(page.locator("li[data-lang=ht]")).to_contain_text("Called back, she comes tomorrow")
        _check(page, "inbox-closed-en", problems)
        page.goto(f"{server.url}/staff/today")
        page.get_by_role("button", name="Confirm for the family").click()
        expect(page.get_by_role("status")).to_contain_text("Confirmed: Rosa Elena Martínez.")
        _check(page, "today-confirmed-en", problems)
        browser.close()

    assert problems == []
