"""The ports of entry: their other names, their time zones, and the list every port question
shows, which never depends on a live call to the booking API (configured ports, then the last
known copy in the store, refreshed in the background)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.booking.client import BookingClient, BookingError
from bot.booking.models import Port
from bot.store.base import Store, StoreError
from nlu.packs import enabled_packs

log = logging.getLogger(__name__)

def port_aliases(port_id: str) -> tuple[str, ...]:
    """What people call a port of entry besides its name (the Mexican city across from it,
    common spellings), from every enabled pack's `port_aliases` (keyed by the booking API's
    port id; its own name and the parts of it are always understood, see `port_words`)."""
    return tuple(
        alias for pack in enabled_packs().values() for alias in pack.port_aliases.get(port_id, ())
    )


#: The ports as configured when the bot starts (the booking API's list replaces it once
#: fetched): the port question always has its options, and every time shown for a port is
#: computed in its zone, even while the booking API has never answered.
DEFAULT_PORTS: tuple[Port, ...] = (
    Port(id="brownsville", name="Brownsville", timezone="America/Chicago"),
    Port(id="eagle_pass", name="Eagle Pass", timezone="America/Chicago"),
    Port(id="hidalgo", name="Hidalgo", timezone="America/Chicago"),
    Port(id="laredo", name="Laredo", timezone="America/Chicago"),
    Port(id="el_paso", name="El Paso – Paso del Norte", timezone="America/Denver"),
    Port(id="nogales", name="Nogales", timezone="America/Phoenix"),
    Port(id="calexico", name="Calexico", timezone="America/Los_Angeles"),
    Port(id="san_ysidro", name="San Ysidro", timezone="America/Los_Angeles"),
)
_ZONES = {port.id: port.timezone for port in DEFAULT_PORTS}


def port_zone(port_id: str | None) -> str | None:
    """The IANA time zone of a configured port (None: unknown port)."""
    return _ZONES.get(port_id or "")


def local_moment(instant: datetime, port_id: str | None) -> datetime:
    """`instant` (any offset, UTC from the booking API) as the port's clocks show it; a port
    not configured here keeps the offset the booking API gave."""
    zone = port_zone(port_id)
    if zone is None or instant.tzinfo is None:
        return instant
    return instant.astimezone(ZoneInfo(zone))


def port_words(port_id: str, name: str) -> tuple[str, ...]:
    """Every way to name a port in a typed answer: its name, each part of a name such as
    "El Paso – Paso del Norte", its id ("el_paso") and its aliases."""
    parts = [part.strip() for part in re.split(r"[–—/(),]", name) if part.strip()]
    return (name, *parts, port_id.replace("_", " "), *port_aliases(port_id))


#: The store's name of the last known copy of the booking API's port list.
PORTS_REFERENCE = "ports"


class PortDirectory:
    """The port list every port question shows. It never waits for the booking API: it starts
    from the configured ports (`DEFAULT_PORTS`), takes the last known copy the store keeps
    (shared by every process, written whenever the booking API gave a list), and refreshes
    from the booking API in the background once the list is older than `max_age_seconds`
    (after a failed try, again after `retry_after_seconds`)."""

    def __init__(
        self,
        client: BookingClient | None,
        store: Store | None = None,
        *,
        seed: Sequence[Port] = DEFAULT_PORTS,
        max_age_seconds: float = 600.0,
        retry_after_seconds: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._store = store
        self._max_age = max_age_seconds
        self._retry_after = retry_after_seconds
        self._monotonic = monotonic
        self._ports: list[Port] = list(seed)
        #: Where the list came from: "configuration", "store" or "booking API".
        self.source = "configuration"
        self._fetched_at: float | None = None
        self._tried_at: float | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def ports(self) -> list[Port]:
        return list(self._ports)

    async def refresh(self) -> None:
        """Ask the booking API now; keep its list in the store. If it does not answer (or
        there is none, as in a worker), take the store's copy; else keep what is known."""
        if self._client is not None:
            self._tried_at = self._monotonic()
            try:
                fetched = await self._client.ports()
            except BookingError as exc:
                log.warning("could not refresh ports (%s); keeping %d known", exc, len(self._ports))
            else:
                if fetched:  # an empty answer must not empty the port question either
                    self._ports, self.source = fetched, "booking API"
                    self._fetched_at = self._monotonic()
                    await self._keep(fetched)
                    return
        if self._fetched_at is None:
            await self._load_kept()

    def refresh_soon(self) -> None:
        """`refresh` in the background (one at a time), so the caller does not wait."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.refresh())

    async def names(self) -> dict[str, str]:
        """Port id -> name, at once (a stale list is refreshed in the background)."""
        if self._stale():
            self.refresh_soon()
        return {port.id: port.name for port in self._ports}

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _stale(self) -> bool:
        now = self._monotonic()
        if self._client is None:
            return self._tried_at is None or now - self._tried_at > self._max_age
        if self._fetched_at is not None and now - self._fetched_at <= self._max_age:
            return False
        return self._tried_at is None or now - self._tried_at > self._retry_after

    async def _keep(self, ports: list[Port]) -> None:
        if self._store is None:
            return
        record = json.dumps([port.model_dump() for port in ports]).encode()
        try:
            await self._store.save_reference(PORTS_REFERENCE, record)
        except StoreError as exc:
            log.warning("ports: last known copy not kept now: %s", exc)

    async def _load_kept(self) -> None:
        if self._client is None:
            self._tried_at = self._monotonic()
        if self._store is None:
            return
        try:
            record = await self._store.load_reference(PORTS_REFERENCE)
        except StoreError as exc:
            log.warning("ports: last known copy not read now: %s", exc)
            return
        if record is None:
            return
        try:
            kept = [Port.model_validate(item) for item in json.loads(record)]
        except (ValueError, TypeError) as exc:
            log.warning("ports: last known copy unreadable (%s); keeping the configured list", exc)
            return
        if kept:
            self._ports, self.source = kept, "store"
