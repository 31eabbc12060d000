"""All entities of a free-text message, for ``parse()``'s Rasa-shaped ``entities`` list."""

from __future__ import annotations

import datetime as dt

from nlu.entities.countries import find_countries
from nlu.entities.dates import find_dates
from nlu.entities.numbers import find_numbers
from nlu.entities.spans import Found, drop_overlaps

__all__ = ["extract_entities"]


def extract_entities(text: str, lang: str | None, *, today: dt.date | None = None) -> list[Found]:
    """Dates (ISO strings), numbers and countries, without overlaps (a date eats its digits).

    An impossible date (31/02/1990) still claims its span, so its digits are not reported
    as numbers, but it yields no entity: the flow's own ``parse_date`` says it is impossible.
    """
    dates = find_dates(text, lang, today=today)
    found = [Found("date", d.value.isoformat() if d.value else "", d.start, d.end) for d in dates]
    found += find_countries(text, lang)
    found += find_numbers(text, lang)
    return [f for f in drop_overlaps(found) if f.value != ""]
