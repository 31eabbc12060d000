"""Messages the bot sends on its own reach the simulator's page: after the draw, the
allocation notice to a simulated number is polled from /simulator/api/state (over real HTTP,
the worker's feed and notify job in the same process, never a real sender)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.app import Clock, make_settings
from support.live import RestartableServer

from bot.app import create_app

HEADERS = {"X-Simulator": "1"}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[RestartableServer, Clock, Path]]:
    clock = Clock()

    def make_app():  # type: ignore[no-untyped-def]
        settings = make_settings(self_url=server.url, events_poll_seconds=0.2)
        return create_app(settings, clock=clock, data_dir=tmp_path / "data")

    server = RestartableServer(make_app)
    server.start()
    try:
        yield server, clock, tmp_path / "data"
    finally:
        server.stop()


def test_the_allocation_notice_comes_back_to_the_page(
    live: tuple[RestartableServer, Clock, Path],
) -> None:
    from booking_sandbox.allocator import allocate
    from booking_sandbox.app import build_context
    from bot.embedded_sandbox import embedded_sandbox_settings

    server, clock, data_dir = live
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=30) as page:
        assert page.get("/simulator").status_code == 200
        typed = ("Hola", "1", "si", "1", "Rosa Elena Martínez", "14/02/1992", "Honduras",
                 "1", "2", "1", "2", "1", "1")  # fmt: skip
        last: dict[str, Any] = {}
        for text in typed:
            answer = page.post("/simulator/api/send", json={"text": text, "channel": "sms"})
            assert answer.status_code == 200, answer.text
            last = answer.json()
        assert "solicitud de hoy" in last["turns"][0]["bodies"][0]["text"]

        clock.now = datetime(2026, 3, 15, 17, 30, tzinfo=UTC)
        sandbox = build_context(embedded_sandbox_settings(data_dir), clock)
        try:
            allocate(sandbox.factory, sandbox.settings, date(2026, 3, 14), sandbox.now(), seed=7)
        finally:
            sandbox.engine.dispose()

        later: list[dict[str, Any]] = []
        deadline = time.monotonic() + 30
        while not later and time.monotonic() < deadline:
            later = page.get("/simulator/api/state").json()["later"]
            time.sleep(0.3)
            # Time passes on the test clock too: a delivery that timed out on a busy machine
            # is retried after its backoff (10 s at first), as it would be in real time.
            clock.now += timedelta(seconds=2)
        assert later, "no message came back to the page after the draw"
        assert later[0]["segments"] >= 1 and later[0]["channel"] == "sms"
        state = page.get("/simulator/api/state").json()["state"]
        assert state["flow"] in ("confirm", "reminders")  # the notice moved the conversation
