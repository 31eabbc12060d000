"""Everything a request handler needs, built once per app by the lifespan (no globals)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from bot.booking.client import BookingClient
from bot.conversation import Conversations, utcnow
from bot.embedded_sandbox import embedded_sandbox_settings, serve_embedded_sandbox
from bot.engine.loader import load_flows
from bot.engine.runner import Engine
from bot.i18n import Catalogs
from bot.languages import parse_codes
from bot.ports import PortDirectory
from bot.settings import Settings
from bot.store.base import Store
from bot.store.factory import open_store

log = logging.getLogger(__name__)

DELIVERY_TTL = timedelta(days=7)


@dataclass
class Services:
    settings: Settings
    store: Store
    catalogs: Catalogs
    conversations: Conversations
    booking_url: str

    async def record_delivery(self, message_sid: str, status: str, error_code: str | None) -> None:
        """A Twilio status callback: logged once per (message, status); no phone numbers."""
        if await self.store.claim("delivery", f"{message_sid}.{status}", DELIVERY_TTL):
            log.info(
                "delivery %s: %s%s", message_sid, status, f" ({error_code})" if error_code else ""
            )


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    booking_transport: httpx.AsyncBaseTransport | None = None,
    data_dir: Path = Path(".frontdoor"),
) -> AsyncIterator[Services]:
    """Start everything in dependency order; a configured but unusable part stops start-up."""
    catalogs = Catalogs.load(settings.translations_dir, parse_codes(settings.show_drafts))
    flowset = load_flows(settings.flows_dir, catalogs)
    engine = Engine(flowset, catalogs, max_failures=settings.max_failed_tries)
    store = await open_store(settings)
    try:
        async with contextlib.AsyncExitStack() as stack:
            if settings.booking_api_url:
                booking_url = settings.booking_api_url
            else:
                booking_url = await stack.enter_async_context(
                    serve_embedded_sandbox(embedded_sandbox_settings(data_dir), clock)
                )
            booking = BookingClient(
                booking_url,
                timeout=settings.booking_timeout_seconds,
                transport=booking_transport,
            )
            stack.push_async_callback(booking.close)
            ports = PortDirectory(booking)
            await ports.refresh()
            conversations = Conversations(
                settings=settings,
                store=store,
                engine=engine,
                booking=booking,
                ports=ports,
                clock=clock,
            )
            yield Services(settings, store, catalogs, conversations, booking_url)
    finally:
        await store.close()
