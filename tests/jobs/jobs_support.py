"""Building blocks of the outbound tests: services whose sender is Twilio (through the counting
proxy to Prism), and a registered contact in a given state."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from support.app import Clock, make_settings
from support.prism import ACCOUNT_SID, AUTH_TOKEN, SMS_FROM, WHATSAPP_FROM
from support.redis import delete_prefix, redis_url_or_skip, unique_prefix

from bot.contacts import ContactKey
from bot.engine.session import Session
from bot.messages import ChannelKind
from bot.services import Services, open_services

APPOINTMENT = {
    "appointment_port": "laredo",
    "appointment_at": "2026-03-30T09:00:00-05:00",
    "confirm_by": "2026-03-16T10:00:00-05:00",
}


def twilio_settings(url: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": SecretStr(AUTH_TOKEN),
        "twilio_sms_from": SMS_FROM,
        "twilio_whatsapp_from": WHATSAPP_FROM,
        "twilio_api_base_url": url,
        "send_backoff_seconds": 0.01,
    }
    values.update(overrides)
    return values


@asynccontextmanager
async def worker_services(
    url: str, tmp_path: Path, clock: Clock, backend: str = "memory", **overrides: Any
) -> AsyncIterator[Services]:
    """A worker in this process (no booking API, no feeds) on the in-memory queue and store,
    or on a real Redis (`backend="redis"`: the queue's consumer runs as a task)."""
    if backend == "redis":
        redis_url, prefix = redis_url_or_skip(), unique_prefix()
        overrides = {"redis_url": redis_url, "redis_key_prefix": prefix, **overrides}
    settings = make_settings(**twilio_settings(url, **overrides))
    try:
        async with open_services(
            settings, clock=clock, data_dir=tmp_path, background=False, role="worker"
        ) as services:
            consumer = None
            if backend == "redis":
                assert services.worker is not None
                consumer = asyncio.create_task(services.worker.consume())
            try:
                yield services
            finally:
                if consumer is not None:
                    consumer.cancel()
                    # Bounded: on Python 3.11 under load, taskiq's receiver has been seen to
                    # leave its cancelled read of the stream pending for ever (the stream
                    # read ignores the cancel); a test must not wait 600 s for its teardown.
                    await asyncio.wait({consumer}, timeout=10)
                    if consumer.done():
                        with contextlib.suppress(asyncio.CancelledError):
                            consumer.result()
    finally:
        if backend == "redis":
            await delete_prefix(settings.redis_url or "", settings.redis_key_prefix)


async def add_contact(
    services: Services,
    phone: str,
    *,
    channel: ChannelKind = ChannelKind.WHATSAPP,
    lang: str = "es",
    last_inbound_ago: timedelta | None = timedelta(hours=1),
    **slots: Any,
) -> ContactKey:
    conv = services.conversations
    key = conv.key_for(phone)
    now = conv.clock()
    session = Session(
        phone=phone,
        channel=channel,
        lang=lang,
        contact_ref=key.digest,
        registration_id="reg_test",
        consented_at=now - timedelta(days=3),
        flow="menu",
        step="choose",
        slots={"language": lang, "full_name": "Ana Lucía Reyes", **slots},
        last_inbound_at=None if last_inbound_ago is None else now - last_inbound_ago,
    )
    await conv.store.save(key, session, timedelta(days=30))
    return key
