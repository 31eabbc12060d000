"""The web simulator over HTTP: on by default only on embedded defaults, the webhook's path
(the same replies a text message gets), message ids, SMS segments priced with bot/sms.py, and
messages to its fictional numbers never reaching a real sender."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.app import make_settings

from bot.app import create_app
from bot.messages import ChannelKind
from bot.outbound import OutboundMessage, RecordingSender
from bot.simulator.phones import is_simulated, phone_for
from bot.simulator.sender import SimulatorSender, mailbox, with_simulator
from bot.sms import encoding, segment_count

HEADERS = {"X-Simulator": "1"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(), data_dir=tmp_path / "data")
    with TestClient(app) as client:
        assert client.get("/simulator").status_code == 200  # the page sets the cookie
        yield client


def _send(client: TestClient, text: str, channel: str = "sms") -> dict:  # type: ignore[type-arg]
    answer = client.post(
        "/simulator/api/send", json={"text": text, "channel": channel}, headers=HEADERS
    )
    assert answer.status_code == 200, answer.text
    body: dict = answer.json()  # type: ignore[type-arg]
    return body


def test_on_by_default_only_on_embedded_defaults() -> None:
    assert make_settings().simulator_enabled
    assert not make_settings(redis_url="redis://127.0.0.1:6379/0").simulator_enabled
    assert not make_settings(booking_api_url="https://booking.example").simulator_enabled
    assert make_settings(
        booking_api_url="https://booking.example", simulator=True
    ).simulator_enabled
    assert not make_settings(simulator=False).simulator_enabled


def test_off_means_no_page(tmp_path: Path) -> None:
    for settings in (
        make_settings(simulator=False),
        make_settings(booking_api_url="http://127.0.0.1:9"),
    ):
        app = create_app(settings, data_dir=tmp_path / "data")
        client = TestClient(app)  # no lifespan: only the routes are looked at
        assert client.get("/simulator").status_code == 404
        assert client.post("/simulator/api/send", json={"text": "hola"}).status_code == 404


def test_page_is_locked_down_and_the_api_needs_its_cookie_and_header(
    client: TestClient,
) -> None:
    page = client.get("/simulator")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert client.get("/simulator/static/simulator.js").status_code == 200
    assert client.get("/simulator/static/..%2Fphones.py").status_code == 404
    # A cross-site form can send the cookie (not with SameSite=Strict) but never the header.
    assert client.post("/simulator/api/send", json={"text": "hola"}).status_code == 403
    stranger = TestClient(client.app)
    assert (
        stranger.post("/simulator/api/send", json={"text": "hola"}, headers=HEADERS).status_code
        == 403
    )


def test_the_webhook_replies_with_flow_step_message_ids_and_segments(client: TestClient) -> None:
    first = _send(client, "Hola")
    assert first["state"]["flow"] == "welcome"
    assert first["state"]["step"] == "confirm_language"
    assert is_simulated(first["state"]["phone"])
    (turn,) = first["turns"]
    assert turn["sent"] == "Hola"
    assert turn["bodies"][0]["text"].startswith("¡Hola! Parece que usted escribe en Español.")
    assert turn["messages"][0] == {
        "msgid": "Hello! It looks like you write in {language}. Continue in {language}?",
        "lang": "es",
        "fallback": False,
    }
    for body in turn["bodies"]:  # bot/sms.py's count, priced per segment
        assert body["segments"] == segment_count(body["text"]) >= 1
        assert body["encoding"] == encoding(body["text"])
        assert body["cost"] == pytest.approx(body["segments"] * 0.0083)

    _send(client, "1")
    menu = _send(client, "si")
    assert menu["state"]["flow"] == "menu"
    ids = [m["msgid"] for m in menu["turns"][0]["messages"]]
    assert ids[:3] == ["What would you like to do?", "Register", "Request today's appointment"]

    whatsapp = _send(client, "1", channel="whatsapp")  # WhatsApp: full Unicode, no segments
    body = whatsapp["turns"][0]["bodies"][0]
    assert body == {"text": "¿Cuál es su nombre completo, como en su documento?"}
    assert whatsapp["state"]["step"] == "ask_name"


def test_language_switch_goes_through_the_language_menu(client: TestClient) -> None:
    _send(client, "Hola")
    _send(client, "1")
    answer = client.post(
        "/simulator/api/language", json={"lang": "ht", "channel": "sms"}, headers=HEADERS
    ).json()
    assert [turn["sent"] for turn in answer["turns"]] == ["LANGUAGE", "ht"]
    assert answer["state"]["lang"] == "ht"
    assert answer["turns"][1]["messages"][0]["msgid"] == "Language changed."
    assert answer["state"]["flow"] == "privacy"  # back to the question that was open


def test_reset_is_a_new_person(client: TestClient) -> None:
    before = _send(client, "Hola")["state"]["phone"]
    reset = client.post("/simulator/api/reset", json={}, headers=HEADERS).json()
    assert reset["state"]["phone"] != before
    assert reset["state"]["flow"] is None
    again = _send(client, "Hola")
    assert again["state"]["phone"] == reset["state"]["phone"]
    assert again["state"]["step"] == "confirm_language"


def test_numbers_are_fictional_and_stable_per_token() -> None:
    phone = phone_for("secret", "token")
    assert phone == phone_for("secret", "token") != phone_for("secret", "other")
    assert phone.startswith("+1555") and len(phone) == 12


class _Real(RecordingSender):
    """Stands for the configured (Twilio) sender."""


async def test_messages_to_simulated_numbers_never_reach_the_real_sender() -> None:
    real = _Real()
    sender = SimulatorSender(real)
    assert with_simulator(sender) is sender and with_simulator(real) is real
    simulated = OutboundMessage(
        contact="c1", phone=phone_for("s", "t"), channel=ChannelKind.SMS, body="hi"
    )
    person = OutboundMessage(contact="c2", phone="+50937123456", channel=ChannelKind.SMS, body="hi")
    await sender.send(simulated)
    await sender.send(person)
    assert real.take(simulated.phone) == [] and real.take(person.phone) == [person]
    box = mailbox(sender)
    assert box is not None and box.take(simulated.phone) == [simulated]
    assert await sender.find_sent(simulated, datetime.now(UTC)) is None
