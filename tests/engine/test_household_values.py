"""`{household}` and friends: everyone's names as one list, written the way each language writes
lists, and what the booking API is sent."""

from __future__ import annotations

from datetime import date

import pytest

from bot import household
from bot.engine.display import household_values
from bot.engine.models import Collect, OptionSpec
from bot.i18n import Catalogs
from bot.settings import PROJECT_ROOT

FOUR = ["Ana Gómez", "Luis Reyes", "Mateo Reyes", "Isabel Reyes"]

NAME_CASES = [
    # (label, lang, names, expected)
    ("es: y", "es", ["Ana", "Luis", "Rosa"], "Ana, Luis y Rosa"),
    ("es: e before i", "es", FOUR, "Ana Gómez, Luis Reyes, Mateo Reyes e Isabel Reyes"),
    ("es: e before hi", "es", ["Ana", "Hilda"], "Ana e Hilda"),
    ("es: y before hie", "es", ["Ana", "Hierónimo"], "Ana y Hierónimo"),
    ("pt: e", "pt", ["Ana", "Luis", "Rosa"], "Ana, Luis e Rosa"),
    ("en: serial comma", "en", ["Ana", "Luis", "Rosa"], "Ana, Luis, and Rosa"),
    ("ht: ak, not Babel's French et", "ht", ["Ana", "Luis", "Rosa"], "Ana, Luis ak Rosa"),
    ("mam: no CLDR data, commas only", "mam", ["Ana", "Luis", "Rosa"], "Ana, Luis, Rosa"),
    ("one person", "es", ["Ana"], "Ana"),
    ("two people", "en", ["Ana", "Luis"], "Ana and Luis"),
    ("nobody", "es", [], ""),
]


@pytest.mark.parametrize(
    ("lang", "names", "expected"),
    [case[1:] for case in NAME_CASES],
    ids=[case[0] for case in NAME_CASES],
)
def test_format_names(lang: str, names: list[str], expected: str) -> None:
    assert household.format_names(names, lang) == expected


SLOTS = {
    "full_name": "Ana Gómez",
    "birth_date": "1988-05-12",
    "nationality": "HN",
    "members": [
        {
            "full_name": "Luis Reyes",
            "birth_date": "1985-09-03",
            "relationship": "spouse",
            "nationality": "HN",
        },
        {
            "full_name": "Isabel Reyes",
            "birth_date": "2014-01-20",
            "relationship": "child",
            "nationality": "MX",
        },
    ],
}
RELATIONSHIP = Collect(
    slot="member_relationship",
    type="choice",
    options=(
        OptionSpec(id="spouse", label="Spouse or partner"),
        OptionSpec(id="child", label="Son or daughter"),
    ),
)


def test_household_values_in_spanish() -> None:
    catalogs = Catalogs.load(PROJECT_ROOT / "translations")
    values = household_values(SLOTS, {"member_relationship": RELATIONSHIP}, "es", catalogs)
    assert values["household"] == "Ana Gómez, Luis Reyes e Isabel Reyes"
    assert values["household_size"] == "3"
    assert values["household_list"].splitlines() == [
        "- Ana Gómez, 12/05/1988, Honduras",
        "- Luis Reyes (Cónyuge o pareja), 03/09/1985, Honduras",
        "- Isabel Reyes (Hijo o hija), 20/01/2014, México",
    ]


def test_household_values_in_kreyol() -> None:
    catalogs = Catalogs.load(PROJECT_ROOT / "translations")
    values = household_values(SLOTS, {"member_relationship": RELATIONSHIP}, "ht", catalogs)
    assert values["household"] == "Ana Gómez, Luis Reyes ak Isabel Reyes"
    assert "- Isabel Reyes (Pitit gason oswa pitit fi), 20/01/2014, Meksik" in values[
        "household_list"
    ]


def test_booking_api_gets_the_primary_and_every_member() -> None:
    sent = household.to_household(SLOTS)
    assert sent.primary.full_name == "Ana Gómez" and sent.primary.relationship is None
    assert [(m.full_name, m.relationship, m.birth_date) for m in sent.members] == [
        ("Luis Reyes", "spouse", date(1985, 9, 3)),
        ("Isabel Reyes", "child", date(2014, 1, 20)),
    ]
    assert household.size(SLOTS) == 3
    assert household.names({}) == [] and household.size({}) == 0
