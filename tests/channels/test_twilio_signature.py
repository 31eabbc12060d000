"""The direct HMAC-SHA1 signature against its oracle, twilio's `RequestValidator`, over a table
of payloads (Twilio's shapes, repeated and empty fields, non-ASCII, ports, query strings)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.twilio import signature
from bot.channels.twilio.inbound import parse_form

TOKEN = "12345678901234567890123456789012"
PAYLOADS = [p for d in (Path(__file__).parent / "payloads",) for p in sorted(d.glob("*.form"))]
SHARED = Path(__file__).resolve().parents[3] / "shared" / "twilio" / "payloads"
SHARED_PAYLOADS = sorted(SHARED.glob("*.form")) if SHARED.is_dir() else []
BODIES: list[tuple[str, bytes]] = [
    *((p.name, p.read_bytes()) for p in PAYLOADS if p.name != "not_utf8.form"),
    *((f"shared/{p.name}", p.read_bytes()) for p in SHARED_PAYLOADS),
    ("empty form", b""),
    ("empty values", b"Body=&From=%2B15551234567&MessageSid=SM1&NumMedia="),
    ("repeated key", b"MediaUrl=b&MediaUrl=a&MediaUrl=c&From=x"),
    ("repeated identical values", b"A=1&A=1&B=2"),
    (
        "non-ASCII and emoji",
        urlencode({"Body": "¿Cómo está? Mwen la 👋", "From": "+50937"}).encode(),
    ),
    ("plus and percent", b"Body=a+b%2Bc%25&From=%2B1"),
]
URLS = [
    "https://bot.example.org/twilio/messages",
    "https://bot.example.org:443/twilio/messages",
    "https://bot.example.org:8443/twilio/messages",
    "http://bot.example.org/twilio/status",
    "https://bot.example.org/twilio/voice?turn=2&heard=abc%3D",
]


def test_the_payload_table_has_the_shared_captures() -> None:
    assert len(SHARED_PAYLOADS) >= 9, f"../shared/twilio/payloads not found at {SHARED}"


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize(("label", "body"), BODIES, ids=[label for label, _ in BODIES])
def test_signature_agrees_with_request_validator(label: str, body: bytes, url: str) -> None:
    form = parse_form(body)
    oracle = RequestValidator(TOKEN)
    token = TOKEN.encode()
    expected = oracle.compute_signature(url, form)
    assert signature.compute(token, url, form.multi_items()) == expected
    # Every way of signing the oracle accepts or refuses, ours does too.
    candidates = {
        "right": expected,
        "other port form": oracle.compute_signature(signature.other_port_form(url) or url, form),
        "other token": RequestValidator("0" * 32).compute_signature(url, form),
        "other scheme": oracle.compute_signature(url.replace("https:", "http:", 1), form),
        "trailing slash": oracle.compute_signature(url.split("?")[0] + "/", form),
        "one field changed": oracle.compute_signature(
            url, parse_form(body + b"&X=1" if body else b"X=1")
        ),
        "empty": "",
        "garbage": "not base64 at all é",
    }
    for name, given in candidates.items():
        want = bool(oracle.validate(url, form, given)) if given else False
        assert signature.valid(token, url, form.multi_items(), given) is want, name
    assert signature.valid(token, url, form.multi_items(), None) is False


def test_signed_url_is_the_configured_one() -> None:
    assert (
        signature.signed_url("https://bot.example.org/", "/twilio/messages", "")
        == "https://bot.example.org/twilio/messages"
    )
    assert (
        signature.signed_url("https://bot.example.org", "/twilio/voice", "a=1")
        == "https://bot.example.org/twilio/voice?a=1"
    )
