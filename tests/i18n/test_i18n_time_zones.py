"""Every time shown is the port's local time (issue 11, must-show 1).

Python hashes and compares aware datetimes by instant: a cache keyed on one once announced a
Calexico 8:00 appointment as "9:00" after an El Paso 9:00 one (the same instant) had been
formatted. The same instants are formatted here for all eight ports (four zones, Arizona without
DST, both sides of both DST changes) in every language, in random order, and each text is checked
against a formatting done from scratch with `zoneinfo` (the slow, obvious version).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import format_clock, format_moment, format_weekday_day
from bot.languages import LANGUAGES
from bot.ports import DEFAULT_PORTS, local_moment, port_zone

INSTANTS = [
    datetime(2026, 3, 7, 16, 0, tzinfo=UTC),  # the day before DST starts (8 March 2026)
    datetime(2026, 3, 9, 16, 0, tzinfo=UTC),  # the day after
    datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # 1:30 CDT in Chicago: before DST ends
    datetime(2026, 11, 1, 7, 30, tzinfo=UTC),  # 1:30 CST in Chicago: the repeated hour
    datetime(2026, 11, 1, 18, 0, tzinfo=UTC),  # after
    datetime(2026, 7, 15, 15, 0, tzinfo=UTC),  # El Paso 9:00 and Calexico 8:00 (the report)
]


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _oracle(lang: str, instant: datetime, zone: str) -> str:
    """From scratch, no cache: the instant on the zone's clock, formatted."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{format_weekday_day(lang, local.date())}, {format_clock(lang, local)}"


def test_eight_ports_four_zones() -> None:
    zones = {port.id: port.timezone for port in DEFAULT_PORTS}
    assert len(zones) == 8
    assert set(zones.values()) == {
        "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    }


def test_same_instants_every_port_every_language_in_random_order() -> None:
    cases = [
        (lang.code, instant, port.id)
        for lang in LANGUAGES
        for instant in INSTANTS
        for port in DEFAULT_PORTS
    ]
    for seed in (1, 2, 3):
        random.Random(seed).shuffle(cases)
        for lang, instant, port in cases:
            zone = port_zone(port)
            assert zone is not None
            expected = _oracle(lang, instant, zone)
            # By zone name, from the port's local time, from the UTC instant or any offset.
            assert format_moment(lang, instant, zone) == expected, (lang, instant, port)
            assert format_moment(lang, local_moment(instant, port)) == expected
            other = instant.astimezone(ZoneInfo("America/New_York"))
            assert format_moment(lang, local_moment(other, port)) == expected


#: Hand-written: what a person at each port must read (English), and what they must NOT read
#: (the failure rows: another zone's clock for the same instant).
EXPECTED = [
    # instant, port, shown, never shown
    (INSTANTS[5], "el_paso", "Wednesday, July 15, 2026, 9:00 AM", "8:00 AM"),
    (INSTANTS[5], "calexico", "Wednesday, July 15, 2026, 8:00 AM", "9:00 AM"),
    (INSTANTS[5], "nogales", "Wednesday, July 15, 2026, 8:00 AM", "9:00 AM"),
    (INSTANTS[5], "laredo", "Wednesday, July 15, 2026, 10:00 AM", "9:00 AM"),
    (INSTANTS[0], "brownsville", "Saturday, March 7, 2026, 10:00 AM", "11:00 AM"),
    (INSTANTS[1], "brownsville", "Monday, March 9, 2026, 11:00 AM", "10:00 AM"),
    (INSTANTS[0], "nogales", "Saturday, March 7, 2026, 9:00 AM", "8:00 AM"),
    (INSTANTS[1], "nogales", "Monday, March 9, 2026, 9:00 AM", "10:00 AM"),
    (INSTANTS[0], "san_ysidro", "Saturday, March 7, 2026, 8:00 AM", "9:00 AM"),
    (INSTANTS[1], "san_ysidro", "Monday, March 9, 2026, 9:00 AM", "8:00 AM"),
    (INSTANTS[2], "hidalgo", "Sunday, November 1, 2026, 1:30 AM", "12:30 AM"),
    (INSTANTS[3], "hidalgo", "Sunday, November 1, 2026, 1:30 AM", "2:30 AM"),
    (INSTANTS[2], "calexico", "Saturday, October 31, 2026, 11:30 PM", "November"),
    (INSTANTS[4], "el_paso", "Sunday, November 1, 2026, 11:00 AM", "12:00 PM"),
]


@pytest.mark.parametrize(("instant", "port", "shown", "never"), EXPECTED)
def test_what_a_person_at_the_port_reads(
    instant: datetime, port: str, shown: str, never: str
) -> None:
    # Format every other port's clock for the same instant first: a cache keyed on the
    # instant would hand this port one of theirs.
    for other in DEFAULT_PORTS:
        format_moment("en", local_moment(instant, other.id))
    text = _plain(format_moment("en", local_moment(instant, port)))
    assert text == shown
    assert never not in text


def test_el_paso_then_calexico_the_reported_case() -> None:
    """Spanish, as reported: 9:00 in El Paso, then 8:00 in Calexico and its deadline."""
    instant = INSTANTS[5]
    assert _plain(format_moment("es", local_moment(instant, "el_paso"))).endswith("9:00 a.m.")
    assert _plain(format_moment("es", local_moment(instant, "calexico"))).endswith("8:00 a.m.")
    deadline = instant + timedelta(hours=10, minutes=3)  # 18:03 in Calexico, 19:03 in El Paso
    assert _plain(format_moment("es", local_moment(deadline, "el_paso"))).endswith("7:03 p.m.")
    assert _plain(format_moment("es", local_moment(deadline, "calexico"))).endswith("6:03 p.m.")


def test_an_unknown_port_keeps_the_booking_apis_offset() -> None:
    given = datetime.fromisoformat("2026-07-15T09:00:00-06:00")
    assert local_moment(given, "somewhere_new") == given
    assert _plain(format_moment("en", local_moment(given, "somewhere_new"))).endswith("9:00 AM")
