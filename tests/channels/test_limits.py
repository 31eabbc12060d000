"""Limits before work: oversized requests refused unread, one sender's flood, old replays."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.types import Message, Receive, Scope, Send

from bot.intake import Deference
from bot.limits import MAX_BODY_BYTES, RequestLimits

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def form(sender: str, sid: str, body: str) -> str:
    return urlencode({"MessageSid": sid, "From": sender, "To": "+15005550006", "Body": body})


def replies(twiml: str) -> list[str]:
    return re.findall(r"<Message>(.*?)</Message>", twiml, flags=re.S)


class Recorder:
    """An ASGI app that records how much of the body it was given."""

    def __init__(self) -> None:
        self.read = 0
        self.called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        more = True
        while more:
            message = await receive()
            self.read += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def call(
    app: RequestLimits, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
) -> tuple[int, int]:
    """Run one request; returns (status, bytes the server was asked for)."""
    asked = 0
    pending = list(chunks)

    async def receive() -> Message:
        nonlocal asked
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        asked += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/twilio/messages", "headers": headers}
    await app(scope, receive, send)
    return int(sent[0]["status"]), asked


async def test_declared_oversized_body_is_refused_unread() -> None:
    inner = Recorder()
    length = str(50 * 1024 * 1024).encode()
    status, asked = await call(RequestLimits(inner), [(b"content-length", length)], [b"x" * 1024])
    assert (status, asked, inner.called) == (413, 0, False)


async def test_chunked_body_is_refused_at_the_bound() -> None:
    inner = Recorder()
    chunks = [b"x" * 16 * 1024] * 64  # 1 MiB in 16 KiB chunks, no length declared
    status, asked = await call(RequestLimits(inner), [], chunks)
    assert status == 413 and not inner.called
    assert asked <= MAX_BODY_BYTES + 16 * 1024  # read stopped at the bound


async def test_bodies_within_the_bound_are_passed_whole() -> None:
    inner = Recorder()
    status, _ = await call(RequestLimits(inner), [], [b"a" * 1000, b"b" * 1000])
    assert (status, inner.read) == (200, 2000)
    inner = Recorder()
    status, _ = await call(RequestLimits(inner), [(b"content-length", b"1000")], [b"a" * 1000])
    assert (status, inner.read) == (200, 1000)


async def test_oversized_headers_are_refused() -> None:
    inner = Recorder()
    headers = [(b"x-filler-%d" % i, b"y" * 1000) for i in range(20)]
    status, _ = await call(RequestLimits(inner), headers, [b""])
    assert (status, inner.called) == (431, False)


def test_one_senders_flood_is_told_once_and_dropped(running_app: Callable[..., Any]) -> None:
    flooder, other = "+5216641230001", "+5216641230002"
    with running_app(flood_burst=3, flood_per_minute=0.5) as client:
        got = [
            replies(
                client.post(
                    "/twilio/messages", content=form(flooder, f"SMf{i:030d}", "hola"), headers=FORM
                ).text
            )
            for i in range(8)
        ]
        assert all(got[i] for i in range(3)), "the first messages are handled"
        assert len(got[3]) == 1 and "muchos mensajes" in got[3][0]  # told once, in Spanish
        assert got[4:] == [[]] * 4  # then dropped without an answer
        calm = client.post(
            "/twilio/messages", content=form(other, "SMo" + "0" * 31, "hola"), headers=FORM
        )
        assert replies(calm.text) and "muchos mensajes" not in calm.text


def test_an_old_message_replayed_is_not_handled_again(running_app: Callable[..., Any]) -> None:
    """The session remembers only its last turns; the MessageSid claim lasts 48 h."""
    sender = "+5216641230003"
    with running_app() as client:
        first = client.post(
            "/twilio/messages", content=form(sender, "SM" + "a" * 32, "hola"), headers=FORM
        )
        assert replies(first.text)
        for i in range(15):  # more turns than the session keeps
            client.post(
                "/twilio/messages", content=form(sender, f"SMb{i:031d}", "menu"), headers=FORM
            )
        again = client.post(
            "/twilio/messages", content=form(sender, "SM" + "a" * 32, "hola"), headers=FORM
        )
        assert again.status_code == 200
        assert replies(again.text) == []


@pytest.mark.parametrize("path", ["/livez", "/healthz"])
def test_probes_answer_when_all_is_well(running_app: Callable[..., Any], path: str) -> None:
    with running_app() as client:
        response = client.get(path)
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_a_dropped_flood_answer_waits_for_other_senders_messages() -> None:
    async def scenario() -> list[str]:
        deference = Deference(patience=5.0)
        order: list[str] = []
        release = asyncio.Event()

        async def other_sender() -> None:
            with deference.working():
                await release.wait()
                order.append("other")

        async def dropped() -> None:
            await deference.wait_turn()
            order.append("dropped")

        first = asyncio.create_task(other_sender())
        await asyncio.sleep(0)
        second = asyncio.create_task(dropped())
        await asyncio.sleep(0.05)
        assert order == []  # the dropped one waits while another sender's message is in hand
        release.set()
        await asyncio.gather(first, second)
        return order

    assert asyncio.run(scenario()) == ["other", "dropped"]


def test_a_dropped_flood_answer_waits_at_most_its_patience() -> None:
    async def scenario() -> float:
        deference = Deference(patience=0.1)
        with deference.working():  # others never finish
            started = time.monotonic()
            await deference.wait_turn()
            return time.monotonic() - started

    assert 0.05 < asyncio.run(scenario()) < 2.0
