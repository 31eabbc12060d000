"""The sandbox over real HTTP: uvicorn on a free port, the served scheduler, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from sandbox_support import FakeClock, LiveServer, free_port, household, key

from booking_sandbox.allocator import allocate
from booking_sandbox.app import create_app
from booking_sandbox.draw import new_seed
from booking_sandbox.events import SIGNATURE_HEADER, verify

NEXT_NOON = datetime(2026, 3, 11, 16, 5, tzinfo=UTC)


def test_register_request_allocate_confirm_over_http(
    live_server: LiveServer, app: FastAPI, clock: FakeClock
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        assert len(http.get("/v1/ports").json()["ports"]) == 8
        created = http.post("/v1/registrations", json=household(members=3), headers=key())
        assert created.status_code == 201
        registration_id = created.json()["id"]
        requested = http.post(f"/v1/registrations/{registration_id}/requests",
                              json={"port": "san_ysidro"}, headers=key())
        assert requested.status_code == 201
        clock.set(NEXT_NOON)
        context = app.state.sandbox
        request_day = date.fromisoformat(requested.json()["request_date"])
        allocate(context.factory, context.settings, request_day, context.now(), seed=3)
        status = http.get(f"/v1/registrations/{registration_id}").json()
        assert status["appointment"]["people"] == 4
        assert status["appointment"]["starts_at"].endswith("-07:00")  # San Diego, April
        confirmed = http.post(f"/v1/registrations/{registration_id}/appointment/confirm",
                              headers=key())
        assert confirmed.json()["status"] == "confirmed"


def test_concurrent_retries_create_one_registration(live_server: LiveServer) -> None:
    headers, body = key(), household()

    def post(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=live_server.url, timeout=30) as http:
            response = http.post("/v1/registrations", json=body, headers=headers)
            return response.status_code, response.json()["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(post, range(16)))
    assert {status for status, _ in answers} == {201}
    assert len({registration_id for _, registration_id in answers}) == 1


def test_concurrent_registrations_of_one_contact_make_one(live_server: LiveServer) -> None:
    """Different idempotency keys (a client that lost its state), one contact_ref: one
    household, on SQLite and PostgreSQL alike."""
    body = household()

    def post(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=live_server.url, timeout=30) as http:
            response = http.post("/v1/registrations", json=body, headers=key())
            return response.status_code, response.json()["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(post, range(16)))
    assert sorted(status for status, _ in answers) == [200] * 15 + [201]
    assert len({registration_id for _, registration_id in answers}) == 1


def test_concurrent_requests_one_per_day(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        registration_id = http.post("/v1/registrations", json=household(),
                                    headers=key()).json()["id"]

    def post(_: int) -> int:
        with httpx.Client(base_url=live_server.url, timeout=30) as http:
            return http.post(f"/v1/registrations/{registration_id}/requests",
                             json={"port": "laredo"}, headers=key()).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(post, range(12)))
    assert statuses == [201] + [409] * 11


def test_served_scheduler_posts_signed_events(make_settings: Any, clock: FakeClock) -> None:
    received: list[tuple[bytes, str | None]] = []
    receiver = FastAPI()

    @receiver.post("/booking/events")
    async def collect(request: Request) -> dict[str, bool]:
        received.append((await request.body(), request.headers.get(SIGNATURE_HEADER)))
        return {"ok": True}

    with LiveServer(receiver) as bot:
        settings = make_settings(
            scheduler_enabled=True, scheduler_interval_seconds=0.05,
            events_webhook_url=f"{bot.url}/booking/events", events_secret="s3cret",
        )
        sandbox = create_app(settings, clock=clock)
        with LiveServer(sandbox) as server, httpx.Client(base_url=server.url) as http:
            registration_id = http.post("/v1/registrations", json=household(),
                                        headers=key()).json()["id"]
            http.post(f"/v1/registrations/{registration_id}/requests",
                      json={"port": "hidalgo"}, headers=key())
            clock.set(NEXT_NOON)
            deadline = time.monotonic() + 10
            while not received and time.monotonic() < deadline:
                time.sleep(0.05)
    assert len(received) == 1
    body, signature = received[0]
    assert verify("s3cret", body, signature)
    assert json.loads(body)["registration_id"] == registration_id


def _cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "booking_sandbox", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_cli_serves_openapi_and_allocates(tmp_path: Path) -> None:
    env = {**os.environ, "BOOKING_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    port = free_port()
    server = _cli(["--host", "127.0.0.1", "--port", str(port)], env)
    try:
        deadline = time.monotonic() + 90  # start-up on a loaded CI machine takes 20 s and more
        while True:
            try:
                document = httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        assert "/v1/registrations/{registration_id}/requests" in document["paths"]
        ports = httpx.get(f"http://127.0.0.1:{port}/v1/ports").json()["ports"]
        assert len(ports) == 8
    finally:
        server.terminate()
        server.communicate(timeout=10)
    allocation = _cli(["allocate", "--date", "2026-03-10", "--seed", "4"], env)
    out, err = allocation.communicate(timeout=60)
    assert allocation.returncode == 0, err.decode()
    summaries = json.loads(out)
    assert [summary["port"] for summary in summaries] == [port["id"] for port in ports]
    day_seed = new_seed(4, date(2026, 3, 10)).hex()  # no commitment yet: made from --seed
    assert all(summary["seed"] == day_seed for summary in summaries)


def test_cli_rejects_a_bad_date() -> None:
    process = _cli(["allocate", "--date", "tomorrow"], dict(os.environ))
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert b"--date" in err


@pytest.mark.parametrize("argv", [["--help"], ["serve", "--help"], ["allocate", "--help"]])
def test_cli_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from booking_sandbox.cli import run

    with pytest.raises(SystemExit) as exit_info:
        run(argv)
    assert exit_info.value.code == 0
    assert "frontdoor sandbox" in capsys.readouterr().out
