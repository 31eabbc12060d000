"""Table-driven tests of the Twilio webhook, with payloads in Twilio's shapes kept in files."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

PAYLOADS = Path(__file__).parent / "payloads"
TOKEN = "12345678901234567890123456789012"
PUBLIC = "https://bot.example.org"
LANGUAGE_MENU = "Elija su idioma / Chwazi lang ou"
#: "Hola" is recognised as Spanish: the first reply asks, in Spanish, to confirm it.
CONFIRM_SPANISH = "¿Seguimos en Español?"
#: "hola" gets the language menu: the guess (Spanish) first, then every other language.
MENU_AFTER_HOLA = (
    "1. Español\n2. Kreyòl ayisyen\n3. Portugues\n4. English\n5. K'iche'\n6. Mam\n7. Q'anjob'al"
)


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def sign(body: bytes, url: str, token: str = TOKEN) -> str:
    params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return str(RequestValidator(token).compute_signature(url, params))


def bodies(twiml: str) -> list[str]:
    return re.findall(r"<Message>(.*?)</Message>", twiml, flags=re.S)


@dataclass(frozen=True)
class Case:
    label: str
    file: str
    path: str = "/twilio/messages"
    #: "right", "none", "wrong token", or a URL to sign instead of the public one.
    signature: str = "right"
    status: int = 200
    expect_in_reply: str | None = None
    raw_body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


CASES = [
    # "Hola" is recognised as Spanish (nlu/langid.py): the bot asks to confirm, in Spanish.
    Case(
        "valid SMS 'hola' gets the language menu, Spanish first",
        "sms_hola.form",
        expect_in_reply=MENU_AFTER_HOLA,
    ),
    Case("valid WhatsApp text", "whatsapp_text.form", expect_in_reply=CONFIRM_SPANISH),
    Case("unsigned is refused", "sms_hola.form", signature="none", status=403),
    Case("wrong token is refused", "sms_hola.form", signature="wrong token", status=403),
    Case(
        "signed for another host is refused",
        "sms_hola.form",
        signature="https://evil.example.org/twilio/messages",
        status=403,
    ),
    Case(
        "signed over http instead of https is refused",
        "sms_hola.form",
        signature="http://bot.example.org/twilio/messages",
        status=403,
    ),
    Case(
        "media without text asks for text",
        "whatsapp_media_only.form",
        expect_in_reply="solo puedo leer texto",
    ),
    Case("unknown From format is a 400", "unknown_from.form", status=400),
    Case("missing MessageSid is a 400", "missing_sid.form", status=400),
    Case("not a form is a 400", "sms_hola.form", status=400, raw_body=b"\xff\xfe{not a form"),
    Case("status callback recorded", "status_delivered.form", path="/twilio/status", status=204),
    Case(
        "status callback 63016 recorded",
        "status_whatsapp_failed_63016.form",
        path="/twilio/status",
        status=204,
    ),
    Case(
        "unsigned status callback refused",
        "status_delivered.form",
        path="/twilio/status",
        signature="none",
        status=403,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_webhook(case: Case, running_app: Callable[..., Any]) -> None:
    body = case.raw_body if case.raw_body is not None else payload(case.file)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **case.headers}
    url = PUBLIC + case.path
    if case.signature == "right":
        headers["X-Twilio-Signature"] = sign(body, url) if case.raw_body is None else "x"
    elif case.signature == "wrong token":
        headers["X-Twilio-Signature"] = sign(body, url, token="0" * 32)
    elif case.signature != "none":
        headers["X-Twilio-Signature"] = sign(body, case.signature)
    with running_app(twilio_auth_token=TOKEN, public_base_url=PUBLIC) as client:
        response = client.post(case.path, content=body, headers=headers)
    assert response.status_code == case.status, response.text
    if case.expect_in_reply is not None:
        assert response.headers["content-type"].startswith("application/xml")
        assert case.expect_in_reply in " ".join(bodies(response.text))


def _post(client: Any, body: bytes) -> Any:
    url = PUBLIC + "/twilio/messages"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": sign(body, url),
    }
    return client.post("/twilio/messages", content=body, headers=headers)


def _with(body: bytes, **changes: str) -> bytes:
    from urllib.parse import urlencode

    params = dict(parse_qsl(body.decode(), keep_blank_values=True))
    params.update(changes)
    return urlencode(params).encode()


def test_retried_message_sid_gets_same_reply_and_does_not_advance(
    running_app: Callable[..., Any],
) -> None:
    hola = payload("sms_hola.form")
    choose_spanish = _with(hola, Body="1", MessageSid="SMretry1", SmsMessageSid="SMretry1")
    with running_app(twilio_auth_token=TOKEN, public_base_url=PUBLIC) as client:
        assert CONFIRM_SPANISH in _post(client, hola).text
        first = _post(client, choose_spanish)
        retry = _post(client, choose_spanish)
        assert "Privacidad" in first.text
        assert retry.text == first.text
        # Had the retry advanced the conversation, "1" would now answer the privacy question.
        nxt = _post(client, _with(hola, Body="1", MessageSid="SMnext", SmsMessageSid="SMnext"))
        assert "¿Qué quiere hacer?" in nxt.text


def test_whatsapp_button_routes_on_payload_not_title(running_app: Callable[..., Any]) -> None:
    """The button's title says "Kreyol ayisyen" but its payload is what counts."""
    with running_app(twilio_auth_token=TOKEN, public_base_url=PUBLIC) as client:
        first = payload("whatsapp_text.form").replace(b"5216641234567", b"50937123456")
        # A first message with no words gets the language menu, whose buttons carry codes.
        assert LANGUAGE_MENU in _post(client, _with(first, Body="\U0001f44b")).text
        tapped = payload("whatsapp_button.form").replace(b"ButtonPayload=ht", b"ButtonPayload=pt")
        response = _post(client, tapped)
    assert response.status_code == 200
    assert "Privacidade" in response.text or "Privacidad" in response.text


def test_without_token_requests_are_accepted_unverified(running_app: Callable[..., Any]) -> None:
    with running_app() as client:
        response = client.post(
            "/twilio/messages",
            content=payload("sms_hola.form"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 200
    assert CONFIRM_SPANISH in response.text


def test_healthz(running_app: Callable[..., Any]) -> None:
    with running_app() as client:
        assert client.get("/healthz").json() == {"status": "ok", "spooled": 0}


def test_rasa_compatible_model_parse(running_app: Callable[..., Any]) -> None:
    """Tools written for a Rasa NLU server work against the bot's POST /model/parse."""
    with running_app() as client:
        response = client.post("/model/parse", json={"text": "kiero sacar sita pal lunes"})
    assert response.status_code == 200
    body = response.json()
    assert body["intent"]["name"] == "request_slot"
    assert {"text", "intent", "intent_ranking", "entities"} <= set(body)
