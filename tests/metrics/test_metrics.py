"""`GET /metrics`: the counters and histograms move as messages flow, the gauges are read at
scrape time, and nothing in them names a person (no phone number, no contact key)."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from bot import logs

PHONE = "+15005550123"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _sms(client: Any, text: str) -> None:
    answer = client.post("/twilio/messages", data={
        "MessageSid": "SM" + uuid.uuid4().hex, "From": PHONE, "To": "+15005550001",
        "Body": text, "NumMedia": "0",
    })  # fmt: skip
    assert answer.status_code == 200, answer.text


def test_counters_move_as_messages_flow(running_app: Callable[..., Any]) -> None:
    with running_app() as client:
        before = _samples(client.get("/metrics").text)
        for text in ("hola", "1"):
            _sms(client, text)
        page = client.get("/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    after = _samples(page.text)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("frontdoor_messages_received_total", channel="sms", language="es") == 2
    assert moved("frontdoor_turn_seconds_count", kind="message") == 2
    assert moved("frontdoor_replies_total", channel="sms", language="es") >= 2
    assert moved("frontdoor_sms_segments_total", direction="reply") >= 2
    # The booking API is called at start-up for its ports: by operation, never by id.
    ports = [k for k in after if k[0] == "frontdoor_booking_calls_total"]
    assert any(dict(labels).get("operation") == "GET /v1/ports" for _, labels in ports)
    assert _value(after, "frontdoor_state", part="outbox_contacts") == 0
    assert _value(after, "frontdoor_state", part="booking_breaker_open") == 0
    assert PHONE not in page.text and PHONE[1:] not in page.text
    assert not re.search(r"[0-9a-f]{32}", page.text)  # no contact key either


def test_json_logs_one_object_per_line_with_phones_masked() -> None:
    record = logging.LogRecord(
        "bot.test", logging.WARNING, __file__, 1, "message from whatsapp:%s failed", (PHONE,),
        None,
    )  # fmt: skip
    line = logs.JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "bot.test"
    assert entry["message"] == "message from whatsapp:+[phone] failed"
    assert "\n" not in line and PHONE not in line
