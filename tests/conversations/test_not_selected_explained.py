"""A household that was not drawn is told why, in its own language, in its status answer and
in its "not selected" notice (issue 18, must-show 3): the port's places, how many went to the
longest-waiting and from how long a wait, how many were drawn among how many households, its
own wait and its chance ("about 1 in N").

Real pieces: the bot's embedded sandbox over HTTP, its allocation run and its event payload.
The day is crowded so the four households are certainly not drawn: the other households'
request ids are chosen (from the committed seed) to come before theirs in the draw.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert
from support.app import Clock, make_settings

from booking_sandbox import seeds
from booking_sandbox.allocator import allocate
from booking_sandbox.app import build_context
from booking_sandbox.draw import draw_keys
from booking_sandbox.events import build_payload, queue_not_selected
from booking_sandbox.models import Event, Registration, SlotRequest
from bot.booking.events import BookingEvent
from bot.embedded_sandbox import embedded_sandbox_settings
from bot.engine.session import Session
from bot.jobs.notify import job_for_event, notice_step
from bot.messages import ChannelKind, Inbound
from bot.services import Services, open_services

PORT = "brownsville"  # 120 places a day
REQUEST_TIME = datetime(2026, 3, 14, 18, 30, tzinfo=UTC)
NEXT_DAY = datetime(2026, 3, 15, 17, 30, tzinfo=UTC)
WAITED = 12
#: What each language says of the chance; the rest of the figures are checked as numbers.
CHANCE = {"es": "cerca de 1 en {n}", "ht": "anviwon 1 sou {n}", "pt": "cerca de 1 em {n}",
          "en": "about 1 in {n}"}
WHY = {"es": "Por qué:", "ht": "Poukisa:", "pt": "Por quê:", "en": "Why:"}
PHONES = {"es": "+5215511110001", "ht": "+50937110002", "pt": "+5511911110003",
          "en": "+12025550104"}


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    async with open_services(
        make_settings(), clock=clock, data_dir=tmp_path / "data", background=False
    ) as opened:
        yield opened


async def _register(services: Services, clock: Clock, lang: str) -> tuple[str, str]:
    """A registration made WAITED days ago and today's request; the person's conversation."""
    conv = services.conversations
    key = conv.key_for(PHONES[lang])
    body = {"contact_ref": key.digest, "port": PORT,
            "primary": {"full_name": "Rosa Elena Díaz", "birth_date": "1990-04-02",
                        "nationality": "HN"}, "members": []}
    async with httpx.AsyncClient(base_url=services.booking_url) as http:
        clock.now = REQUEST_TIME - timedelta(days=WAITED)
        registered = (await http.post("/v1/registrations", json=body,
                                      headers={"Idempotency-Key": uuid.uuid4().hex})).json()
        clock.now = REQUEST_TIME
        request = (await http.post(f"/v1/registrations/{registered['id']}/requests",
                                   json={"port": PORT},
                                   headers={"Idempotency-Key": uuid.uuid4().hex})).json()
    session = Session(phone=PHONES[lang], channel=ChannelKind.SMS, lang=lang,
                      contact_ref=key.digest, registration_id=registered["id"],
                      consented_at=REQUEST_TIME - timedelta(days=WAITED), flow="menu",
                      step="choose", slots={"language": lang, "full_name": "Rosa Elena Díaz"})
    await conv.store.save(key, session, timedelta(days=30))
    return registered["id"], request["id"]


def _crowd(context: Any, request_date: date, ours: list[str]) -> None:
    """300 one-person households registered 20-80 days ago, 200 of them drawn before ours."""
    seed = bytes.fromhex(seeds.ensure(context.factory, request_date, REQUEST_TIME, None).seed)
    first_of_ours = min(draw_keys(seed, PORT, ours).tolist())
    ahead: list[str] = []
    while len(ahead) < 200:
        batch = [f"req_{uuid.uuid4().hex}" for _ in range(2000)]
        keys = draw_keys(seed, PORT, batch).tolist()
        ahead += [rid for rid, k in zip(batch, keys, strict=True) if k < first_of_ours]
    ids = ahead[:200] + [f"req_{uuid.uuid4().hex}" for _ in range(100)]
    registrations, requests = [], []
    for index, request_id in enumerate(ids):
        registered_at = REQUEST_TIME - timedelta(days=20 + index % 60)
        registrations.append({
            "id": f"reg_crowd{index:04d}", "contact_ref": f"crowd-{index}", "port": PORT,
            "household": {"primary": {}, "members": []}, "household_size": 1,
            "created_at": registered_at, "updated_at": registered_at})
        requests.append({
            "id": request_id, "registration_id": f"reg_crowd{index:04d}", "port": PORT,
            "request_date": request_date, "requested_at": REQUEST_TIME,
            "received_at": REQUEST_TIME, "status": "pending", "household_size": 1,
            "registered_at": registered_at})
    with context.factory() as db:
        db.execute(insert(Registration), registrations)
        db.execute(insert(SlotRequest), requests)
        db.commit()


async def test_not_selected_households_are_told_why_in_their_language(
    services: Services, clock: Clock, tmp_path: Path
) -> None:
    conv = services.conversations
    ours = {lang: await _register(services, clock, lang) for lang in CHANCE}
    sandbox = build_context(embedded_sandbox_settings(tmp_path / "data"), clock)
    try:
        request_date = REQUEST_TIME.date()
        _crowd(sandbox, request_date, [request_id for _, request_id in ours.values()])
        clock.now = NEXT_DAY
        allocate(sandbox.factory, sandbox.settings, request_date, sandbox.now())
        with sandbox.factory() as db:
            queue_not_selected(db, sandbox.now(), 10_000)
            db.commit()
            payloads = {}
            for lang, (_, request_id) in ours.items():
                event = db.get(Event, f"evt_not_selected_{request_id}")
                assert event is not None
                payloads[lang] = build_payload(db, event, sandbox.settings)
    finally:
        sandbox.engine.dispose()

    async with httpx.AsyncClient(base_url=services.booking_url) as http:
        explained = (await http.get(
            f"/v1/slot-requests/{ours['en'][1]}/explanation")).json()
    # 120 places: 72 (60%) to the longest waiting, 48 drawn among the 228 others.
    assert explained["capacity"] == 120 and explained["places_waited_longest"] == 72
    assert explained["places_drawn"] == 48 and explained["households_in_draw"] == 232
    assert explained["waited_days"] == WAITED and explained["status"] == "not_selected"
    chance = explained["chance_one_in"]
    assert chance == round(232 / 48)
    figures = ["120", "72", str(explained["longest_waiting_cutoff_days"]), "48", "232",
               str(WAITED)]

    for lang, (_registration_id, request_id) in ours.items():
        # The status answer ("My status" is option 3 of the menu).
        number = PHONES[lang]
        replies = []
        for index, text in enumerate(("MENU", "3")):
            handled = await conv.handle(Inbound(
                message_id=f"SMwhy{lang}{index}", sender=number, channel=ChannelKind.SMS,
                text=text, received_at=clock.now))
            replies = [reply.text for reply in handled.replies]
        status = "\n".join(replies)
        assert WHY[lang] in status and CHANCE[lang].format(n=chance) in status, status
        assert all(figure in status for figure in figures), (figures, status)

        # The "not selected" notice the worker renders from the sandbox's event.
        payload = payloads[lang]
        assert payload is not None
        assert payload["data"]["explanation"]["request_id"] == request_id
        job = job_for_event(BookingEvent.model_validate(payload))
        assert job is not None and notice_step(job) == "not_selected_explained"
        session = await conv.store.load(conv.key_for(number))
        assert session is not None
        session.slots.update(job.values)
        notice = conv.engine.notice(session, notice_step(job), await conv.turn_context(),
                                    move=False)
        text = notice[0].text
        assert WHY[lang] in text and CHANCE[lang].format(n=chance) in text, text
        assert all(figure in text for figure in figures), (figures, text)
