"""Nothing is lost and nothing is leaked: conversations resume days later from a real Redis,
messages of one sender are handled one at a time, phone numbers never reach keys or logs, and
a configured Redis that does not answer stops start-up instead of falling back to memory."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr
from support.app import TEST_SECRET, Clock
from support.redis import delete_prefix, redis_url_or_skip, unique_prefix

from bot.conversation import Conversations
from bot.messages import ChannelKind, Inbound
from bot.services import Services, open_services
from bot.settings import Settings
from bot.store.base import StoreUnavailable

pytestmark = pytest.mark.redis


#: First contact to registered: port 1, no family members travel (2), the summary is right (1).
REGISTER = ("hola", "1", "1", "1", "Ana Lucía Reyes", "22/08/1990", "honduras", "1", "2", "1")


def _phone() -> str:
    return "+52155" + "".join(random.choice("0123456789") for _ in range(8))


class Phone:
    def __init__(self, conversations: Conversations, number: str, clock: Clock) -> None:
        self.conversations, self.number, self.clock, self.count = conversations, number, clock, 0

    async def send(self, text: str) -> str:
        self.count += 1
        inbound = Inbound(
            message_id=f"SMresume{self.number[1:]}{self.count:04d}",
            sender=self.number,
            channel=ChannelKind.SMS,
            text=text,
            received_at=self.clock(),
        )
        handled = await self.conversations.handle(inbound)
        return "\n".join(reply.text for reply in handled.replies)


@pytest.fixture
async def redis_services(tmp_path: Path, clock: Clock) -> AsyncIterator[tuple[Services, str]]:
    url = redis_url_or_skip()
    prefix = unique_prefix()
    settings = Settings(redis_url=url, redis_key_prefix=prefix, secret_key=SecretStr(TEST_SECRET))
    async with open_services(settings, clock=clock, data_dir=tmp_path) as services:
        yield services, prefix
    await delete_prefix(url, prefix)


async def test_conversation_resumes_days_later_where_it_stopped(
    redis_services: tuple[Services, str], clock: Clock
) -> None:
    services, _ = redis_services
    phone = Phone(services.conversations, _phone(), clock)
    for text in ("hola", "1", "1", "1", "Ana Lucía Reyes"):
        await phone.send(text)
    clock.now += timedelta(days=12, hours=5)
    reply = await phone.send("22/08/1990")
    assert "nacionalidad" in reply  # the next question, not a restart or "session expired"


async def test_nothing_in_redis_or_logs_shows_the_phone_number_or_name(
    redis_services: tuple[Services, str], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    services, prefix = redis_services
    number = _phone()
    phone = Phone(services.conversations, number, clock)
    caplog.set_level(logging.DEBUG)
    for text in REGISTER:
        await phone.send(text)
    client = aioredis.Redis.from_url(redis_url_or_skip())
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}:*")]
        assert keys
        digits = number.lstrip("+")
        for key in keys:
            assert digits not in key.decode()
            value = await _value_of(client, key)
            if value is not None:
                assert digits.encode() not in value
                assert b"Reyes" not in value
    finally:
        await client.aclose()
    assert digits not in caplog.text
    assert "Reyes" not in caplog.text


async def _value_of(client: Any, key: bytes) -> bytes | None:
    """Whatever a key holds, as bytes: strings, and the job queue's stream and sets."""
    kind = (await client.type(key)).decode()
    parts: list[bytes] = []
    if kind == "string":
        return bytes(await client.get(key))
    if kind == "set":
        parts = sorted(await client.smembers(key))
    elif kind == "stream":
        parts = [v for _, fields in await client.xrange(key) for v in fields.values()]
    elif kind == "list":
        parts = list(await client.lrange(key, 0, -1))
    return b" ".join(parts)


async def test_messages_of_one_sender_are_handled_one_at_a_time(
    redis_services: tuple[Services, str], clock: Clock
) -> None:
    services, _ = redis_services
    phone = Phone(services.conversations, _phone(), clock)
    await phone.send("hola")
    # Two answers sent at once: the second must see the first's effect (privacy notice),
    # never the same state twice.
    first, second = await asyncio.gather(phone.send("1"), phone.send("1"))
    replies = sorted([first, second])
    assert any("Privacidad" in r for r in replies)
    assert any("¿Qué quiere hacer?" in r for r in replies)


async def test_configured_redis_that_does_not_answer_stops_start_up(tmp_path: Path) -> None:
    settings = Settings(redis_url="redis://127.0.0.1:1/0", secret_key=SecretStr(TEST_SECRET))
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1:1"):
        async with open_services(settings, data_dir=tmp_path):
            pass


async def test_delete_my_data_erases_here_and_in_the_booking_api(
    redis_services: tuple[Services, str], clock: Clock
) -> None:
    services, prefix = redis_services
    phone = Phone(services.conversations, _phone(), clock)
    for text in REGISTER:
        await phone.send(text)
    key = services.conversations.key_for(phone.number)
    session = await services.store.load(key)
    assert session is not None and session.registration_id
    registration = session.registration_id
    assert "borrados" in await phone.send("menu") + await phone.send("7") + await phone.send("1")
    assert await services.store.load(key) is None
    status = await services.conversations.booking._http.get(f"/v1/registrations/{registration}")
    assert status.status_code == 404
    client = aioredis.Redis.from_url(redis_url_or_skip())
    try:
        assert [k async for k in client.scan_iter(match=f"{prefix}:{{{key.digest}}}:*")] == []
    finally:
        await client.aclose()
