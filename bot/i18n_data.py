"""Haitian Creole names the project keeps itself, because Babel's `ht` locale data is French.

Standard Kreyòl orthography (the 1979/1980 IPN spelling). Countries are the nationalities
people at the border most often have; others fall back to Spanish names (never French).
"""

from __future__ import annotations

HT_MONTHS: tuple[str, ...] = (
    "janvye", "fevriye", "mas", "avril", "me", "jen",
    "jiyè", "out", "septanm", "oktòb", "novanm", "desanm",
)  # fmt: skip

#: Monday first, as `date.weekday()` counts.
HT_WEEKDAYS: tuple[str, ...] = (
    "lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch",
)  # fmt: skip

HT_COUNTRIES: dict[str, str] = {
    "AR": "Ajantin",
    "BO": "Bolivi",
    "BR": "Brezil",
    "CA": "Kanada",
    "CL": "Chili",
    "CN": "Lachin",
    "CO": "Kolonbi",
    "CR": "Kosta Rika",
    "CU": "Kiba",
    "DO": "Repiblik Dominikèn",
    "EC": "Ekwatè",
    "GT": "Gwatemala",
    "HN": "Ondiras",
    "HT": "Ayiti",
    "JM": "Jamayik",
    "MX": "Meksik",
    "NI": "Nikaragwa",
    "PA": "Panama",
    "PE": "Pewou",
    "SV": "Salvadò",
    "US": "Etazini",
    "VE": "Venezyela",
}

#: Time zones of the ports, named by a city everyone knows (Babel's `ht` names are French).
HT_TIMEZONES: dict[str, str] = {
    "America/New_York": "lè New York",
    "America/Chicago": "lè Chicago",
    "America/Denver": "lè Denver",
    "America/Phoenix": "lè Phoenix",
    "America/Los_Angeles": "lè Los Angeles",
}
