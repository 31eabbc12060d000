"""Two `frontdoor serve` and a `frontdoor worker` on a real 3-master Redis Cluster (issue 17):
one conversation alternates between the two processes and continues; a MessageSid delivered
to both is handled once; a booking event posted to both gives one notice; after the master
holding the conversation is killed (its replica takes over) the conversation continues."""

from __future__ import annotations

import concurrent.futures
import json
import re
import time

import httpx
import pytest
import yaml
from cluster_support import EVENTS_SECRET, ClusterStack
from prometheus_client.parser import text_string_to_metric_families
from support.app import TEST_SECRET
from support.prism import REPO
from support.processes import BotProcess, signed, twilio_form, twiml_replies, wait_for

from bot.booking.events import SIGNATURE_HEADER, sign
from bot.contacts import contact_key
from bot.store.keys import KeyBuilder

pytestmark = pytest.mark.redis

GOLDEN = REPO / "tests/conversations/golden/es_whatsapp_register_request_status.yaml"
_CONVERSATION = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
TURNS: list[dict[str, str]] = _CONVERSATION["turns"]
PHONE: str = _CONVERSATION["from"]
REG_ID = re.compile(r"reg_[A-Za-z0-9]+")
_sids = iter(range(10**6))


def sid() -> str:
    return f"SM{'cluster':0<10}{next(_sids):022d}"


def post(stack: ClusterStack, serve: BotProcess, text: str, message_sid: str) -> str:
    body, headers = signed(stack.public_url, twilio_form(PHONE, message_sid, text))
    with httpx.Client(timeout=30) as client:
        response = client.post(serve.url + "/twilio/messages", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return REG_ID.sub("reg_<id>", twiml_replies(response.text))


def expect(turn: dict[str, str], reply: str) -> None:
    """The golden reply (exactly, up to the registration id and the request's date, which
    depend on the day the test runs)."""
    wanted = REG_ID.sub("reg_<id>", turn["reply"])
    if "14 de marzo" in wanted or "Resultados" in wanted:
        wanted, reply = wanted[:40], reply[:40]
    assert reply == wanted


def test_two_serves_and_a_worker_share_one_cluster(cluster_stack: ClusterStack) -> None:
    stack = cluster_stack
    a, b = stack.serves
    # 1. One conversation, each turn to the other process.
    for n, turn in enumerate(TURNS[:2]):
        expect(turn, post(stack, (a, b)[n % 2], turn["send"], sid()))

    # 2. One MessageSid delivered to both processes at once: both answer the same reply (the
    #    second from the reply kept for a retry), and the conversation moved once.
    duplicate, consent = sid(), TURNS[2]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda s: post(stack, s, consent["send"], duplicate), (a, b)))
    assert replies == [REG_ID.sub("reg_<id>", consent["reply"])] * 2
    for n, turn in enumerate(TURNS[3:11], start=3):
        expect(turn, post(stack, (a, b)[n % 2], turn["send"], sid()))

    # 3. The master holding this conversation dies; its replica takes over; the conversation
    #    continues on both processes, nothing lost.
    session_key = KeyBuilder(stack.prefix).session(contact_key(TEST_SECRET, PHONE))
    killed, promoted = stack.cluster.kill_master_of(session_key)
    assert promoted != killed
    for n, turn in enumerate(TURNS[11:14], start=11):
        expect(turn, post(stack, (a, b)[n % 2], turn["send"], sid()))
    # 4. A booking event posted to both processes (the booking API retried on another host):
    #    one notice reaches the person.
    digest = contact_key(TEST_SECRET, PHONE).digest
    event = json.dumps({
        "event_id": "evt_cluster_not_selected_1", "type": "not_selected",
        "registration_id": "reg_cluster_1", "contact_ref": digest,
        "occurred_at": "2026-03-14T18:30:00Z", "data": {},
    }).encode()  # fmt: skip
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(EVENTS_SECRET, event)}
    for serve in (a, b):
        answer = httpx.post(serve.url + "/booking/events", content=event, headers=headers)
        assert answer.status_code == 204, answer.text
    to = f"whatsapp:{PHONE}"
    assert wait_for(lambda: stack.counter.count(to) >= 1, 60), stack.worker.tail()
    time.sleep(3)  # the second copy's job has run by now (events are polled every 0.5 s)
    assert stack.counter.count(to) == 1

    for process in (*stack.serves, stack.worker):
        assert process.process is not None and process.process.poll() is None, process.tail()

    # 5. What operators see: each process's /metrics (the worker on its own port) counted
    #    this traffic; the logs are JSON lines that never name the phone number.
    received = [
        value
        for serve in stack.serves
        for (name, labels), value in _metrics(serve.url + "/metrics").items()
        if name == "frontdoor_messages_received_total" and ("channel", "whatsapp") in labels
    ]
    assert len(received) >= 2  # by language too (the first message has none yet)
    assert sum(received) == 15  # 14 turns, one of them delivered twice
    worker = _metrics(stack.worker_metrics_url)
    sent = {"channel": "whatsapp", "language": "es", "outcome": "sent"}
    assert _value(worker, "frontdoor_messages_sent_total", **sent) == 1
    assert _value(worker, "frontdoor_turn_seconds_count", kind="notify_job") == 2
    assert ("frontdoor_state", (("part", "queue_jobs"),)) in worker  # read at the scrape
    assert _value(worker, "frontdoor_state", part="queue_jobs") == 0
    for process in (*stack.serves, stack.worker):
        lines = [line for line in process.log_text().splitlines() if line.strip()]
        # The ready line is for people, on stdout (the logs are on stderr).
        not_json = [line for line in lines if not line.startswith(("{", "frontdoor ready on"))]
        assert lines and not not_json, not_json[:5]
        assert all(json.loads(line)["level"] for line in lines if line.startswith("{"))
        assert PHONE not in process.log_text() and PHONE[1:] not in process.log_text()


def _metrics(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(httpx.get(url, timeout=10).text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
           **labels: str) -> float:  # fmt: skip
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)

