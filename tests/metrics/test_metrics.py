"""`GET /metrics`: the counters and histograms move as messages flow, the gauges are read at
scrape time, and nothing in them names a person (no phone number, no contact key)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.app import make_settings
from support.redis import delete_prefix, redis_url_or_fail, unique_prefix

from bot import logs, metrics
from bot.booking.events import SIGNATURE_HEADER, sign
from bot.jobs.models import NotifyJob
from bot.jobs.queue import JobQueue, ReclaimingStreamBroker, make_broker

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


def test_opt_outs_other_turn_kinds_and_gauges_move(running_app: Callable[..., Any]) -> None:
    settings = make_settings()
    event = json.dumps({
        "event_id": "evt_metrics_1", "type": "not_selected", "registration_id": "reg_m1",
        "contact_ref": "ab" * 16, "occurred_at": "2026-03-14T18:30:00Z", "data": {},
    }).encode()  # fmt: skip
    with running_app() as client:
        before = _samples(client.get("/metrics").text)
        _sms(client, "hola")
        _sms(client, "ALTO")  # Spanish opt-out
        _sms(client, "hola")  # writing again takes proactive messages back
        signature = sign(settings.events_secret(), event)
        answer = client.post("/booking/events", content=event,
                             headers={SIGNATURE_HEADER: signature})  # fmt: skip
        assert answer.status_code == 204
        status = client.post("/twilio/status", data={"MessageSid": "SM" + "0" * 32,
                                                     "MessageStatus": "delivered"})  # fmt: skip
        assert status.status_code == 204
        after = _samples(client.get("/metrics").text)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("frontdoor_opt_outs_total", channel="sms", change="out") == 1
    assert moved("frontdoor_opt_outs_total", channel="sms", change="in") == 1
    assert moved("frontdoor_turn_seconds_count", kind="booking_event") == 1
    assert moved("frontdoor_turn_seconds_count", kind="status_callback") == 1
    # Embedded (no Redis): the worker runs in the process and turns the event into a job.
    for part in ("spooled", "opted_out", "handoffs_open"):
        assert ("frontdoor_state", (("part", part),)) in after, part
    assert _value(after, "frontdoor_state", part="opted_out") == 0  # back in


@pytest.mark.redis
async def test_queue_depth_and_lag_are_read_from_redis() -> None:
    """A job no worker took yet: the queue's depth and the age of its oldest job."""
    url, prefix = redis_url_or_fail(), unique_prefix()
    settings = make_settings(redis_url=url, redis_key_prefix=prefix)
    broker = make_broker(settings)
    assert isinstance(broker, ReclaimingStreamBroker)
    queue = JobQueue(broker)
    await queue.start()
    try:
        assert await broker.lag_seconds() == 0.0
        await queue.notify(NotifyJob(job_id="metrics-lag", contact="cd" * 16, purpose="x"))
        await asyncio.sleep(0.2)
        assert await broker.queued() == 1
        assert 0.1 <= await broker.lag_seconds() < 30
    finally:
        await queue.close()
        await delete_prefix(url, prefix)


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


def test_several_workers_count_into_one_metrics_page(tmp_path: Path) -> None:
    """`frontdoor serve --workers N`: each worker is a process of its own, and a scrape
    reaches one of them; it shows what they all counted (prometheus-client multiprocess)."""
    directory = tmp_path / "metrics"
    (directory / "stale.db").parent.mkdir()
    (directory / "stale.db").write_bytes(b"from a previous run")
    metrics.prepare_multiprocess(directory)
    assert not (directory / "stale.db").exists()
    env = {**os.environ, metrics.MULTIPROC_ENV: os.environ.pop(metrics.MULTIPROC_ENV)}
    count = (
        "from bot import metrics; from bot.messages import ChannelKind; "
        "metrics.inbound(ChannelKind.SMS, 'es', ['hola'], 0.01)"
    )
    for _ in range(2):  # two workers, one message each
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    scrape = (
        "import asyncio; from bot import metrics; print(asyncio.run(metrics.render()).decode())"
    )
    page = subprocess.run(
        [sys.executable, "-c", scrape], env=env, check=True, timeout=60, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    samples = _samples(page)
    assert _value(samples, "frontdoor_messages_received_total", channel="sms", language="es") == 2
    assert _value(samples, "frontdoor_turn_seconds_count", kind="message") == 2
