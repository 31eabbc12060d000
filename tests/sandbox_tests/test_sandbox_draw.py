"""A verifiable draw: commitment before the window closes, publication after the run, and
``frontdoor sandbox verify`` / ``docs/audit_allocation.py`` re-deriving it (issue 18)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sandbox_support import FakeClock, household, key

from booking_sandbox.allocation import REASON_NAMES, allocate_port
from booking_sandbox.allocator import allocate
from booking_sandbox.app import create_app
from booking_sandbox.draw import ALGORITHM, draw_keys
from booking_sandbox.ports import PortConfig
from booking_sandbox.publication import verify
from booking_sandbox.settings import SandboxSettings

REQUEST_DAY = date(2026, 3, 10)
NEXT_NOON = datetime(2026, 3, 11, 16, 5, tzinfo=UTC)  # 12:05 New York
AUDITOR = Path(__file__).resolve().parents[2] / "docs" / "audit_allocation.py"
SMALL = PortConfig(id="small", name="Small", timezone="America/Chicago", daily_capacity=12,
                   appointment_times=("09:00", "10:00"))


def _env(settings: SandboxSettings) -> dict[str, str]:
    env = {**os.environ, "BOOKING_DATABASE_URL": settings.database_url,
           "BOOKING_PORTS": json.dumps([SMALL.model_dump()])}
    if settings.database_schema:
        env["BOOKING_DATABASE_SCHEMA"] = settings.database_schema
    return env


def _verify(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "booking_sandbox", "verify", *args],
                          capture_output=True, text=True, env=env or dict(os.environ),
                          timeout=120)


def _audit(path: Path) -> subprocess.CompletedProcess[str]:
    # -S -I: no site-packages, no environment: the auditor must need the standard library only.
    return subprocess.run([sys.executable, "-S", "-I", str(AUDITOR), str(path)],
                          capture_output=True, text=True, timeout=120)


async def _day_of_requests(client: httpx.AsyncClient, clock: FakeClock) -> list[str]:
    """30 households of 1-4 people registered over 30 days, all asking on REQUEST_DAY."""
    registrations = []
    start = clock.now
    for index in range(30):
        clock.set(start - timedelta(days=30 - index))
        created = await client.post(
            "/v1/registrations", json=household(members=index % 4, port="small"),
            headers=key())
        registrations.append(created.json()["id"])
    clock.set(start)
    requests = []
    for registration_id in registrations:
        response = await client.post(f"/v1/registrations/{registration_id}/requests",
                                     json={"port": "small"}, headers=key())
        assert response.status_code == 201, response.text
        requests.append(response.json()["id"])
    return requests


async def test_commit_then_reveal_and_verify(
    make_settings: Any, clock: FakeClock, tmp_path: Path
) -> None:
    settings = make_settings(ports=(SMALL,), longest_waiting_share=0.5)
    app = create_app(settings, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        committed = (await client.get(f"/v1/allocations/{REQUEST_DAY}/commitment")).json()
        assert committed["algorithm"] == ALGORITHM
        closes = datetime.fromisoformat(committed["window_closes_at"])
        assert datetime.fromisoformat(committed["committed_at"]) == clock.now < closes
        requests = await _day_of_requests(client, clock)
        again = (await client.get(f"/v1/allocations/{REQUEST_DAY}/commitment")).json()
        assert again["commitment"] == committed["commitment"]
        early = await client.get(f"/v1/allocations/{REQUEST_DAY}/published")
        assert early.status_code == 409
        assert early.json()["error"]["code"] == "not_yet_allocated"

        clock.set(NEXT_NOON)
        [summary] = allocate(app.state.sandbox.factory, settings, REQUEST_DAY, clock.now)
        response = await client.get(f"/v1/allocations/{REQUEST_DAY}/published")
        assert response.status_code == 200
        document = response.json()
        # What was promised before the window closed is what the draw used.
        assert hashlib.sha256(bytes.fromhex(document["seed"])).hexdigest() \
            == committed["commitment"] == document["commitment"]
        assert summary.seed == document["seed"]
        [port] = document["ports"]
        assert sorted(row["id"] for row in port["requests"]) == sorted(requests)
        assert port["capacity"] == 12 and port["longest_waiting_share"] == 0.5
        assert {row["outcome"] for row in port["requests"]} == {
            "waited_longest", "drawn", "not_drawn"}
        assert "Ana" not in response.text and "contact" not in response.text
        assert set(port["requests"][0]) == {
            "id", "household_size", "registered_on", "outcome", "slot"}
        # The API's own answers agree with the publication.
        for row in port["requests"][:5]:
            explanation = (await client.get(
                f"/v1/slot-requests/{row['id']}/explanation")).json()
            assert explanation["reason"] == row["outcome"]
    app.state.sandbox.engine.dispose()

    env = _env(settings)
    from_database = _verify(["--date", str(REQUEST_DAY)], env)
    assert from_database.returncode == 0, from_database.stdout + from_database.stderr
    assert from_database.stdout.startswith("OK: ")
    published = tmp_path / "published.json"
    published.write_text(json.dumps(document))
    from_file = _verify(["--date", str(REQUEST_DAY), "--from", str(published)])
    assert from_file.returncode == 0, from_file.stdout + from_file.stderr
    audited = _audit(published)
    assert audited.returncode == 0, audited.stdout + audited.stderr

    # One published row altered: a drawn household made bigger than any slot.
    drawn = next(row for row in port["requests"] if row["outcome"] == "drawn")
    altered = copy.deepcopy(document)
    next(row for row in altered["ports"][0]["requests"]
         if row["id"] == drawn["id"])["household_size"] = 7
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(altered))
    refused = _verify(["--date", str(REQUEST_DAY), "--from", str(tampered)])
    assert refused.returncode == 1
    assert refused.stdout.startswith("MISMATCH: ") and drawn["id"] in refused.stdout
    audit_refused = _audit(tampered)
    assert audit_refused.returncode == 1 and drawn["id"] in audit_refused.stdout

    # Another: a household that was not drawn claims to have registered long before anyone.
    loser = next(row for row in port["requests"] if row["outcome"] == "not_drawn")
    altered = copy.deepcopy(document)
    next(row for row in altered["ports"][0]["requests"]
         if row["id"] == loser["id"])["registered_on"] = "2020-01-01"
    tampered.write_text(json.dumps(altered))
    for result in (_verify(["--date", str(REQUEST_DAY), "--from", str(tampered)]),
                   _audit(tampered)):
        assert result.returncode == 1 and loser["id"] in result.stdout, result.stdout

    # A different seed (even one that hashes right is impossible to find) is refused.
    altered = copy.deepcopy(document)
    altered["seed"] = "00" * 32
    tampered.write_text(json.dumps(altered))
    for result in (_verify(["--date", str(REQUEST_DAY), "--from", str(tampered)]),
                   _audit(tampered)):
        assert result.returncode == 1 and "commitment" in result.stdout


async def test_a_seed_made_after_the_window_closed_does_not_verify(
    make_settings: Any, clock: FakeClock
) -> None:
    settings = make_settings(ports=(SMALL,))
    app = create_app(settings, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        clock.set(NEXT_NOON)
        missing = await client.get(f"/v1/allocations/{REQUEST_DAY}/commitment")
        assert missing.status_code == 404  # too late to commit to that day now
        allocate(app.state.sandbox.factory, settings, REQUEST_DAY, clock.now, seed=3)
        document = (await client.get(f"/v1/allocations/{REQUEST_DAY}/published")).json()
    app.state.sandbox.engine.dispose()
    verdict = verify(document)
    assert not verdict.ok and "after the request window closed" in verdict.message


def _synthetic_document(count: int, seed: bytes) -> dict[str, Any]:
    """A published day built with the sandbox's own rule, for the auditor to re-derive."""
    generator = np.random.default_rng(11)
    ids = [f"req_{value:032x}" for value in generator.integers(0, 2**62, size=count)]
    sizes = generator.integers(1, 9, size=count)
    registered = generator.integers(date(2025, 3, 1).toordinal(), date(2026, 3, 10).toordinal(),
                                    size=count)
    free = [40] * 16
    result = allocate_port(sizes, registered, free, 0.6, draw_keys(seed, "border", ids))
    return {
        "request_date": "2026-03-10", "seed": seed.hex(),
        "commitment": hashlib.sha256(seed).hexdigest(),
        "committed_at": "2026-03-10T16:00:00+00:00",
        "window_closes_at": "2026-03-11T04:59:59+00:00",
        "ports": [{
            "port": "border", "longest_waiting_share": 0.6, "capacity": sum(free),
            "slots": [{"date": "2026-03-31", "time": f"{8 + k // 2:02d}:{30 * (k % 2):02d}",
                       "free": room} for k, room in enumerate(free)],
            "requests": [{
                "id": ids[i], "household_size": int(sizes[i]),
                "registered_on": date.fromordinal(int(registered[i])).isoformat(),
                "outcome": REASON_NAMES[int(result.reason[i])],
                "slot": int(result.slot[i]) if result.slot[i] >= 0 else None,
            } for i in range(count)],
        }],
    }


def test_the_auditor_reproduces_a_large_day(tmp_path: Path) -> None:
    document = _synthetic_document(5000, hashlib.sha256(b"large day").digest())
    assert verify(document).ok
    path = tmp_path / "large.json"
    path.write_text(json.dumps(document))
    audited = _audit(path)
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert "5000 requests" in audited.stdout
