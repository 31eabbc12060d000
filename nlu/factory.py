"""Building a parser for a backend, and the process-wide default behind ``nlu.parse``.

Kept out of ``nlu/__init__.py`` so code (and tests; a test folder named like a package could
shadow the top-level package name) can import it as ``nlu.factory``.
"""

from __future__ import annotations

import os
from pathlib import Path
from threading import Lock

from nlu.embedded import EmbeddedParser
from nlu.result import Parser, ParseResult

__all__ = ["make_parser", "parse"]

_default: Parser | None = None
_default_lock = Lock()


def make_parser(
    backend: str = "embedded", rasa_url: str | None = None, cache_dir: Path | None = None
) -> Parser:
    """The parser for a backend: ``"embedded"`` (default) or ``"rasa"`` (needs ``rasa_url``).

    The Rasa adapter keeps an embedded parser to fall back on when Rasa is slow or down.
    """
    if backend not in ("embedded", "rasa"):
        raise ValueError(f"unknown NLU backend {backend!r}: expected 'embedded' or 'rasa'")
    if backend == "rasa" and not rasa_url:
        raise ValueError("the rasa NLU backend needs a URL (FRONTDOOR_RASA_URL)")
    embedded = EmbeddedParser.load(cache_dir)
    if backend == "embedded" or rasa_url is None:
        return embedded
    from nlu.rasa import RasaParser

    return RasaParser(rasa_url, fallback=embedded)


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
