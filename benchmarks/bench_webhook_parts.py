"""The webhook's per-message Twilio work, alone: the X-Twilio-Signature check and the TwiML.

Direct HMAC-SHA1 (bot/channels/twilio/signature.py) against twilio's RequestValidator, and the
TwiML template (bot/channels/twilio/twiml.py) against MessagingResponse, on a real captured
WhatsApp payload and a two-message reply. Median of 5 runs of N calls each, microseconds per
call.

    .venv/bin/python benchmarks/bench_webhook_parts.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.twilio import signature, twiml
from bot.channels.twilio.inbound import parse_form

N = 20_000
TOKEN = "12345678901234567890123456789012"
URL = "https://bot.example.org/twilio/messages"
PAYLOAD = (
    Path(__file__).resolve().parents[1] / "tests" / "channels" / "payloads" / "whatsapp_text.form"
)
BODIES = [
    "¡Hola! Parece que usted escribe en Español. ¿Seguimos en Español?\n1. Español\n2. Kreyòl",
    "Privacidad: ...",
]


def per_call(fn: Callable[[], object]) -> float:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(N):
            fn()
        runs.append((time.perf_counter() - start) / N * 1e6)
    return statistics.median(runs)


def main() -> None:
    form = parse_form(PAYLOAD.read_bytes())
    items = form.multi_items()
    sig = RequestValidator(TOKEN).compute_signature(URL, form)
    token = TOKEN.encode()
    assert signature.valid(token, URL, items, sig)

    def oracle_twiml() -> str:
        response = MessagingResponse()
        for body in BODIES:
            response.message(body)
        return str(response)

    assert twiml.messaging(BODIES) == oracle_twiml()
    rows = [
        (
            "signature: RequestValidator(token).validate",
            per_call(lambda: RequestValidator(TOKEN).validate(URL, form, sig)),
        ),
        (
            "signature: direct HMAC-SHA1 (signature.valid)",
            per_call(lambda: signature.valid(token, URL, items, sig)),
        ),
        ("TwiML: MessagingResponse", per_call(oracle_twiml)),
        ("TwiML: template (twiml.messaging)", per_call(lambda: twiml.messaging(BODIES))),
    ]
    for name, micros in rows:
        print(f"{name:50s} {micros:7.2f} µs")


if __name__ == "__main__":
    main()
