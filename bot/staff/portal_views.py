"""How the inbox, today and family pages show people and times: a person's display name (as
registered, else "Persona 4821" from their contact key), the shelter's local time (the zone of
the port its families go to, labelled with its name), and how long someone has waited."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.contacts import ContactKey
from bot.ports import port_zone
from bot.staff.portal_session import Signed
from bot.staff.repository import HandoffView, HouseholdView

UTC_NAME = "UTC"


def shelter_zone(households: Iterable[HouseholdView]) -> str:
    """The shelter's time zone: that of the port most of its families go to (shelters sit at
    the border by their port); UTC, labelled so, while it has no family."""
    ports = Counter(h.port for h in households)
    for port, _ in ports.most_common():
        zone = port_zone(port)
        if zone is not None:
            return zone
    return UTC_NAME


class Clock:
    """Times on the shelter's clock, for one page."""

    def __init__(self, zone: str, now: datetime) -> None:
        self.zone = zone
        self._tz = ZoneInfo(zone)
        self.now = now.astimezone(self._tz)

    def at(self, instant: datetime) -> str:
        """ "14:05" today, "02/03 14:05" another day."""
        local = instant.astimezone(self._tz)
        if local.date() == self.now.date():
            return local.strftime("%H:%M")
        return local.strftime("%d/%m %H:%M")

    def iso(self, instant: datetime) -> str:
        return instant.astimezone(self._tz).isoformat(timespec="minutes")


def duration(since: datetime, now: datetime) -> str:
    """ "1 h 05 min", "12 min", "3 d 2 h": units everyone at a shelter reads."""
    minutes = max(0, int((now - since) / timedelta(minutes=1)))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def persona_number(contact_digest: str) -> str:
    """Four digits that stay the same for one person (from their contact key's digest)."""
    return f"{int(contact_digest[:8], 16) % 10000:04d}"


async def display_name(who: Signed, handoff: HandoffView) -> str:
    """The person's name as registered (by this shelter, or by themselves in the bot), else
    "Persona 4821" in the page's language."""
    service = who.service
    household = await service.db(service.repo.household_of_contact, handoff.contact_digest)
    if household is not None:
        return household.primary.full_name
    store = who.request.app.state.services.store
    session = await store.load(ContactKey(handoff.contact_digest))
    if session is not None and session.registration_id:
        name = session.slots.get("full_name")
        if isinstance(name, str) and name.strip():
            return name
    return who.page.t("persona", number=persona_number(handoff.contact_digest))
