"""Fixtures for the staff tests: the bot's real services (memory store, the embedded booking
sandbox over HTTP, a recording sender, the staff database as SQLite or PostgreSQL), phones that
talk to it, and staff invites made the way the operator makes them."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr
from support.app import TEST_SECRET, Clock

from bot.conversation import Conversations
from bot.messages import ChannelKind, Inbound
from bot.outbound import RecordingSender
from bot.services import Services, open_services
from bot.settings import Settings
from bot.staff.cli import invite
from bot.staff.repository import StaffView

POSTGRES_URL = os.environ.get(
    "FRONTDOOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except psycopg.OperationalError as exc:
        return str(exc)


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    problem = _postgres_problem()
    if problem is not None:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_URL} does not answer ({problem}): start it (trust auth, "
            "database test)",
            pytrace=False,
        )
    schema = f"staff_test_{uuid.uuid4().hex[:12]}"
    dsn = POSTGRES_URL.replace("+psycopg", "")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    yield schema
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """Settings that put the staff tables in SQLite (the default) or PostgreSQL."""
    if request.param == "sqlite":
        return {}
    schema = request.getfixturevalue("postgres_schema")
    return {"database_url": POSTGRES_URL, "database_schema": schema}


def random_phone(country: str = "+52155") -> str:
    return country + "".join(random.choice("0123456789") for _ in range(8))


def staff_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "secret_key": SecretStr(TEST_SECRET),
        "redis_url": None,
        "portal_secure_cookies": False,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def services(
    tmp_path: Path, clock: Clock, database: dict[str, Any]
) -> AsyncIterator[Services]:
    sender = RecordingSender()
    async with open_services(
        staff_settings(**database),
        clock=clock,
        data_dir=tmp_path / "data",
        sender=sender,
        background=False,
    ) as opened:
        yield opened


class Phone:
    """A phone talking to the bot through `Conversations.handle` (the webhook's next step)."""

    def __init__(
        self, services: Services, number: str, clock: Clock, channel: ChannelKind = ChannelKind.SMS
    ) -> None:
        self.services, self.number, self.clock, self.channel = services, number, clock, channel
        self.count = 0

    @property
    def conversations(self) -> Conversations:
        return self.services.conversations

    async def send(self, text: str) -> str:
        self.count += 1
        inbound = Inbound(
            message_id=f"SMstaff{uuid.uuid4().hex}",
            sender=self.number,
            channel=self.channel,
            text=text,
            received_at=self.clock(),
        )
        handled = await self.conversations.handle(inbound)
        return "\n".join(reply.text for reply in handled.replies)

    def received(self) -> list[str]:
        """Messages the bot sent on its own to this phone since the last call."""
        sender = self.services.sender
        assert isinstance(sender, RecordingSender)
        return [m.body for m in sender.take(self.number)]


def make_invite(services: Services, shelter: str, phone: str, clock: Clock) -> str:
    assert services.staff is not None
    code, _ = invite(services.staff.repo, services.settings, shelter, phone, clock())
    return code


def link_staff(services: Services, shelter: str, phone: str, lang: str = "es") -> StaffView:
    """A staff member linked the way a phone links (invite, then the code from that phone)."""
    assert services.staff is not None
    repo, now = services.staff.repo, services.staff.clock()
    code, _ = invite(repo, services.settings, shelter, phone, now)
    digest = services.staff.digest(phone)
    hashed = services.staff.cipher.code_digest("invite", code)
    staff = repo.redeem_invite(hashed, digest, phone, "sms", lang, now)
    assert staff is not None
    return staff
