"""The booking API's list of ports of entry, cached: the list changes rarely, and a slow
booking API must not slow down every message that shows a port menu."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.booking.client import BookingClient, BookingError
from bot.booking.models import Port

log = logging.getLogger(__name__)

#: What people call a port of entry besides its name: the Mexican city across from it, and
#: common spellings. Keyed by the booking API's port id: a new port adds its line here (its
#: own name and the parts of it are always understood, see `port_words`).
PORT_ALIASES: dict[str, tuple[str, ...]] = {
    "brownsville": ("matamoros", "brownsvil", "brounsville"),
    "eagle_pass": ("piedras negras", "paso del aguila", "eaglepass"),
    "hidalgo": ("reynosa", "mcallen", "mc allen", "pharr"),
    "laredo": ("nuevo laredo",),
    "el_paso": ("ciudad juarez", "cd juarez", "juarez", "elpaso", "paso del norte"),
    "nogales": ("nogales sonora", "nogales arizona"),
    "calexico": ("mexicali", "caleksico"),
    "san_ysidro": ("tijuana", "tj", "san isidro", "sanysidro", "el chaparral", "chaparral"),
}


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
    return (name, *parts, port_id.replace("_", " "), *PORT_ALIASES.get(port_id, ()))


class PortDirectory:
    def __init__(
        self,
        client: BookingClient | None,
        *,
        max_age_seconds: float = 600.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._max_age = max_age_seconds
        self._monotonic = monotonic
        self._ports: list[Port] = []
        self._fetched_at: float | None = None

    async def refresh(self) -> None:
        if self._client is None:
            return  # a worker without a booking API: ports are shown by their ids
        try:
            self._ports = await self._client.ports()
            self._fetched_at = self._monotonic()
        except BookingError as exc:
            # Keep the last known list: an outage must not empty the port menu.
            log.warning("could not refresh ports (%s); keeping %d known", exc, len(self._ports))

    async def names(self) -> dict[str, str]:
        stale = self._client is not None and (
            self._fetched_at is None or self._monotonic() - self._fetched_at > self._max_age
        )
        if stale:
            await self.refresh()
        return {port.id: port.name for port in self._ports}
