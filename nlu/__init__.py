"""Natural-language understanding for frontdoor: language id, intents and entities.

The flow engine calls :mod:`nlu.entities` directly for typed answers; everything else
goes through :func:`parse`, whose answer has the shape of Rasa's ``/model/parse``.
"""

from __future__ import annotations

import os
from pathlib import Path
from threading import Lock

from nlu.embedded import EmbeddedParser
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

_default: Parser | None = None
_default_lock = Lock()


def make_parser(
    backend: str = "embedded", rasa_url: str | None = None, cache_dir: Path | None = None
) -> Parser:
    """The parser for a backend: ``"embedded"`` (default) or ``"rasa"`` (needs ``rasa_url``).

    The Rasa adapter keeps an embedded parser to fall back on when Rasa is slow or down.
    """
    embedded = EmbeddedParser.load(cache_dir)
    if backend == "embedded":
        return embedded
    if backend == "rasa":
        if not rasa_url:
            raise ValueError("the rasa NLU backend needs a URL (FRONTDOOR_RASA_URL)")
        from nlu.rasa import RasaParser

        return RasaParser(rasa_url, fallback=embedded)
    raise ValueError(f"unknown NLU backend {backend!r}: expected 'embedded' or 'rasa'")


def parse(text: str, lang: str | None = None) -> ParseResult:
    """Parse with a process-wide parser built on first use from ``FRONTDOOR_NLU_*`` settings.

    The service injects its own parser (``make_parser``); this is for scripts and the CLI.
    """
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = make_parser(
                    os.environ.get("FRONTDOOR_NLU_BACKEND", "embedded"),
                    os.environ.get("FRONTDOOR_RASA_URL"),
                )
    return _default.parse(text, lang)
