"""Portal hardening (issue 13, OWASP ASVS level 2 where it applies), over HTTP: security
headers, sign-in limits a stranger cannot turn against staff, and walk-in handoffs shown with
a masked number and only to shelters that take walk-ins."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import link_staff, random_phone
from fastapi.testclient import TestClient
from test_portal import _code_sent_to, _csrf, _services, other_browser, sign_in

from bot.outbound import RecordingSender

Start = Callable[..., Any]


@pytest.fixture
def portal(running_app: Start) -> Iterator[TestClient]:
    with running_app(portal_secure_cookies=False) as client:
        yield client


def _ask_code(client: TestClient, phone: str) -> str:
    page = client.get("/staff/signin")
    answer = client.post("/staff/signin", data={"phone": phone, "csrf": _csrf(page.text)})
    assert answer.status_code == 200
    html: str = answer.text
    return html


def _enter(client: TestClient, phone: str, code: str, page: str) -> Any:
    return client.post(
        "/staff/signin/code",
        data={"phone": phone, "code": code, "csrf": _csrf(page)},
        follow_redirects=False,
    )


def test_portal_pages_carry_the_security_headers(portal: TestClient) -> None:
    page = portal.get("/staff/signin")
    headers = page.headers
    policy = headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "frame-ancestors 'none'", "form-action 'self'",
                      "base-uri 'none'"):  # fmt: skip
        assert directive in policy
    assert "unsafe-inline" not in policy and "script-src" not in policy
    # The page's own stylesheet is allowed by its hash (the page still has its styles).
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert " on" + "change=" not in page.text  # no inline handler the policy would block
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS means nothing
    # The Twilio webhook is not a web page: no portal policy on it.
    assert "Content-Security-Policy" not in portal.get("/healthz").headers


def test_hsts_behind_https(running_app: Start) -> None:
    with running_app() as client:
        secure = TestClient(client.app, base_url="https://testserver")
        answer = secure.get("/staff/signin")
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_stranger_cannot_lock_staff_out(portal: TestClient) -> None:
    services = _services(portal)
    phone = random_phone()
    link_staff(services, "Casa del Migrante", phone)
    sign_in(portal, phone)  # this browser is now a known device of the staff member
    assert "fd_device" in portal.cookies

    with other_browser(portal) as stranger:
        # The stranger asks for every code a browser unknown to the staff member may get
        # (the staff member's first sign-in, from a browser then unknown, used one)...
        pages = [_ask_code(stranger, phone) for _ in range(services.settings.signin_codes_per_hour)]
        assert ["demasiados" in page for page in pages] == [False] * 4 + [True]
        # ... and uses up the tries of the last one.
        for _ in range(services.settings.signin_max_attempts):
            _enter(stranger, phone, "000000", pages[3])
    sender = services.sender
    assert isinstance(sender, RecordingSender)
    sender.take(phone)

    # The staff member, on their own browser, still gets a code and signs in with it.
    page = _ask_code(portal, phone)
    code = _code_sent_to(portal, phone)
    done = _enter(portal, phone, code, page)
    assert done.status_code == 303 and done.headers["location"] == "/staff/"


def test_a_code_works_only_in_the_browser_that_asked_for_it(portal: TestClient) -> None:
    services = _services(portal)
    phone = random_phone()
    link_staff(services, "Casa del Migrante", phone)
    page = _ask_code(portal, phone)
    code = _code_sent_to(portal, phone)
    with other_browser(portal) as stranger:
        other_page = _ask_code(stranger, phone)  # does not replace the staff member's code
        stolen = _enter(stranger, phone, code, other_page)
        assert stolen.status_code == 200 and "no es correcto" in stolen.text
        for _ in range(services.settings.signin_max_attempts):
            _enter(stranger, phone, code, other_page)  # their own code's tries, not the staff's
        without_asking = TestClient(portal.app, base_url="http://testserver")
        without_asking.get("/staff/signin")
        page_nocode = without_asking.get("/staff/signin").text
        answer = _enter(without_asking, phone, code, page_nocode)
        assert "venció o ya se usó" in answer.text
    done = _enter(portal, phone, code, page)
    assert done.status_code == 303


def test_codes_per_client_address_are_limited(portal: TestClient) -> None:
    services = _services(portal)
    limit = services.settings.signin_codes_per_address
    phones = [random_phone() for _ in range(limit // services.settings.signin_codes_per_hour + 1)]
    for phone in phones:
        link_staff(services, "Casa del Migrante", phone)
    asked = 0
    for phone in phones:
        for _ in range(services.settings.signin_codes_per_hour):
            if asked == limit:
                break
            assert "demasiados" not in _ask_code(portal, phone)
            asked += 1
    assert "Se pidieron demasiados códigos" in _ask_code(portal, phones[-1])
    actions = [e.action for e in services.staff.repo.audit_entries()]  # type: ignore[union-attr]
    assert "signin_code_refused_address" in actions


def test_walk_in_handoffs_show_a_masked_number_only_to_shelters_that_take_walk_ins(
    portal: TestClient,
) -> None:
    services = _services(portal)
    staff_service = services.staff
    assert staff_service is not None
    walk_ins, closed = random_phone(), random_phone()
    link_staff(services, "Casa del Migrante", walk_ins, walk_ins=True)
    link_staff(services, "Albergue Cerrado", closed, walk_ins=False)
    person = "+50937001234"
    repo, now = staff_service.repo, staff_service.clock()
    handoff, _ = repo.open_handoff(
        contact_digest=staff_service.digest(person),
        phone=person,
        channel="whatsapp",
        lang="ht",
        interpreter_needed=False,
        now=now,
    )
    repo.add_handoff_message(handoff.id, "in", "Mwen bezwen èd", now)

    sign_in(portal, walk_ins)
    inbox = portal.get("/staff/inbox").text
    page = portal.get(f"/staff/inbox/{handoff.id}").text
    for html in (inbox, page):
        assert "+509 ••• 1234" in html
        assert "37001234" not in html and "3700" not in html
    with other_browser(portal) as other:
        sign_in(other, closed)
        assert handoff.id not in other.get("/staff/inbox").text
        assert other.get(f"/staff/inbox/{handoff.id}").status_code == 404
    # Only the staff of shelters that take walk-ins are told on their phones.
    told = [s.id for s in repo.staff_of(None)]
    assert repo.staff_by_digest(staff_service.digest(walk_ins)).id in told  # type: ignore[union-attr]
    assert repo.staff_by_digest(staff_service.digest(closed)).id not in told  # type: ignore[union-attr]
