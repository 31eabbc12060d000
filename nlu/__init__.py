"""Natural-language understanding for frontdoor: language id, intents and entities.

The flow engine calls :mod:`nlu.entities` directly for typed answers; everything else
goes through :func:`parse`, whose answer has the shape of Rasa's ``/model/parse``.
"""

from __future__ import annotations

from nlu.embedded import EmbeddedParser
from nlu.factory import make_parser, parse
from nlu.langid import SUPPORTED_LANGUAGES, identify_language
from nlu.result import FALLBACK_INTENT, INTENTS, Entity, Intent, Language, Parser, ParseResult

__all__ = [
    "FALLBACK_INTENT",
    "INTENTS",
    "SUPPORTED_LANGUAGES",
    "EmbeddedParser",
    "Entity",
    "Intent",
    "Language",
    "ParseResult",
    "Parser",
    "identify_language",
    "make_parser",
    "parse",
]
