"""The public daily report (issue 18, must-show 4): JSON and a page with matplotlib plots,
no personal data, no cell under 10 households; rendered in headless Chromium (screenshots in
test-artifacts/report/) and checked with axe-core."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sandbox_support import LiveServer
from sqlalchemy import insert
from support import tools
from support.browser import ARTIFACTS, CHROMIUM_ARGS, axe_violations, context, screenshots

from booking_sandbox.allocator import allocate
from booking_sandbox.app import create_app
from booking_sandbox.models import Registration, SlotRequest
from booking_sandbox.ports import PortConfig
from booking_sandbox.settings import SandboxSettings

DAY = date(2026, 3, 10)
OPENS = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
PORT = PortConfig(id="border", name="Border crossing", timezone="America/Chicago",
                  daily_capacity=1300)
#: Nationalities and how many households: "BR" has 4, under the threshold of 10.
GROUPS = {"HN": 720, "VE": 600, "HT": 360, "GT": 240, "BR": 4}


def _seed_day(app: Any) -> None:
    generator = np.random.default_rng(5)
    registrations, requests = [], []
    index = 0
    for nationality, count in GROUPS.items():
        for _ in range(count):
            registered = OPENS - timedelta(days=int(generator.integers(1, 300)))
            asked = OPENS + timedelta(seconds=int(generator.integers(0, 11 * 3600)))
            size = int(generator.integers(1, 6))
            registrations.append({
                "id": f"reg_{index:05d}", "contact_ref": f"c{index}", "port": "border",
                "household": {"primary": {"full_name": f"Person Secret{index}",
                                          "birth_date": "1990-01-01",
                                          "nationality": nationality}, "members": []},
                "household_size": size, "created_at": registered, "updated_at": registered})
            requests.append({
                "id": f"req_{index:032x}", "registration_id": f"reg_{index:05d}",
                "port": "border", "request_date": DAY, "requested_at": asked,
                "received_at": asked, "status": "pending", "household_size": size,
                "registered_at": registered})
            index += 1
    factory = app.state.sandbox.factory
    with factory() as db:
        db.execute(insert(Registration), registrations)
        db.execute(insert(SlotRequest), requests)
        db.commit()
    allocate(factory, app.state.sandbox.settings, DAY, OPENS + timedelta(days=1), seed=1)


def test_public_report_json_and_page_in_chromium(tmp_path: Path) -> None:
    settings = SandboxSettings(database_url=f"sqlite:///{tmp_path}/report.sqlite3",
                               ports=(PORT,), scheduler_enabled=False)
    app = create_app(settings)
    _seed_day(app)
    try:
        with LiveServer(app) as server:
            report = httpx.get(f"{server.url}/v1/reports/allocations/{DAY}").json()
            [port] = report["ports"]
            assert port["capacity"] == 1300 and port["households_requested"] == 1924
            assert port["places_waited_longest"] + port["places_drawn"] <= 1300
            nationality = {g["group"]: g for g in port["by"]["nationality"]["groups"]}
            assert nationality["BR"] == {"group": "BR", "households": "<10", "selected": None,
                                         "rate": None, "suppressed": True}
            assert nationality["HN"]["households"] == 720
            for breakdown in port["by"].values():
                for group in breakdown["groups"]:
                    assert group["suppressed"] or min(
                        group["households"], group["selected"],
                        group["households"] - group["selected"]) >= 10
            assert 0 <= port["by"]["nationality"]["chi_square_p"] <= 1
            assert port["by"]["hour"]["chi_square_p"] is not None
            assert report["verify"] == f"frontdoor sandbox verify --date {DAY}"
            page_html = httpx.get(f"{server.url}/reports/{DAY}").text
            assert "Secret" not in page_html and "reg_" not in page_html

            chromium = tools.or_fail(tools.chromium)
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                try:
                    page = context(browser, locale="en-US").new_page()
                    page.goto(f"{server.url}/reports/{DAY}")
                    assert page.locator("h1").inner_text().startswith("Allocation report")
                    assert page.locator("figure svg").count() == 3  # nationality, size, hour
                    box = page.locator("figure svg").first.bounding_box()
                    assert box is not None and box["width"] > 200 and box["height"] > 80
                    counts = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
                    counts += page.locator("tbody tr td:nth-child(3)").all_inner_texts()
                    numbers = [int(text) for text in counts if text.strip().isdigit()]
                    assert numbers and min(numbers) >= 10
                    assert "<10" in counts
                    assert f"frontdoor sandbox verify --date {DAY}" in page.content()
                    shots = screenshots(page, ARTIFACTS / "report", "report")
                    assert all(shot.stat().st_size > 10_000 for shot in shots)
                    assert axe_violations(page) == []
                finally:
                    browser.close()
    finally:
        app.state.sandbox.engine.dispose()
