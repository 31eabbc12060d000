"""Entity extractors: the typed answers the flow engine asks for, and ``parse()``'s entities.

Pure Python with compiled patterns and precomputed tables, so a call costs microseconds.
``lang`` may be None: then every supported language's words are tried, except words that
mean something else in another language (Kreyòl "de" is two, Spanish "de" is "of").
"""

from __future__ import annotations

from nlu.entities.countries import find_countries, parse_country
from nlu.entities.dates import DateMatch, ImpossibleDate, find_dates, parse_date
from nlu.entities.extract import extract_entities
from nlu.entities.names import clean_name, name_case, strip_lead_in
from nlu.entities.numbers import find_numbers, parse_number
from nlu.entities.relationships import parse_relationship
from nlu.entities.spans import Found
from nlu.entities.yes_no import parse_yes_no, yes_no_only

__all__ = [
    "DateMatch",
    "Found",
    "ImpossibleDate",
    "clean_name",
    "extract_entities",
    "find_countries",
    "find_dates",
    "find_numbers",
    "name_case",
    "parse_country",
    "parse_date",
    "parse_number",
    "parse_relationship",
    "parse_yes_no",
    "strip_lead_in",
    "yes_no_only",
]
