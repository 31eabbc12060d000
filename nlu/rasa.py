"""An adapter for a running Rasa NLU server, with the embedded model as a safety net.

Rasa cannot live in this environment (it needs Python < 3.11 and pins old libraries), so
it runs as its own server. A slow or broken Rasa must not slow or break the bot: every
failure below falls back to the embedded parser, and the answer says so in its
``extractor``/``language`` fields only as the embedded parser would.

httpx exceptions handled (all subclasses of ``httpx.HTTPError``)::

    HTTPError
    ├── TransportError (TimeoutException, ConnectError, ReadError, ...)  -> fallback
    └── HTTPStatusError (4xx/5xx from Rasa)                               -> fallback
    ValueError / KeyError / TypeError (not JSON, wrong shape)             -> fallback
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from nlu.langid import identify_language
from nlu.result import Entity, Intent, Language, Parser, ParseResult

__all__ = ["RasaParser"]

log = logging.getLogger(__name__)


def _intent(raw: Any) -> Intent:
    return Intent(name=str(raw["name"]), confidence=float(raw.get("confidence", 0.0)))


def _entity(raw: Any) -> Entity:
    value = raw["value"]
    return Entity(entity=str(raw["entity"]), value=value if isinstance(value, int) else str(value),
                  start=int(raw["start"]), end=int(raw["end"]),
                  extractor=str(raw.get("extractor", "rasa")))


class RasaParser:
    """Parses through Rasa's ``POST /model/parse``; falls back to ``fallback`` on any failure.

    Rasa's own entities are kept, and the embedded extractors' dates, numbers and countries
    are added (Rasa's default pipeline has no date or country extractor).
    """

    def __init__(
        self,
        url: str,
        *,
        fallback: Parser,
        timeout: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/") + "/model/parse"
        self.fallback = fallback
        self._client = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self._client.close()

    def parse(self, text: str, lang: str | None = None) -> ParseResult:
        embedded = self.fallback.parse(text, lang)
        try:
            response = self._client.post(self.url, json={"text": text})
            response.raise_for_status()
            body = response.json()
            intent = _intent(body["intent"])
            ranking = [_intent(r) for r in body.get("intent_ranking") or [body["intent"]]]
            rasa_entities = [_entity(e) for e in body.get("entities") or []]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("rasa parse failed (%s): using the embedded model", type(exc).__name__)
            return embedded
        taken = [(e["start"], e["end"]) for e in rasa_entities]
        extra = [e for e in embedded["entities"]
                 if all(e["end"] <= s or e["start"] >= t for s, t in taken)]
        language = embedded["language"]
        if not lang and language["code"] == "und":
            code, confidence = identify_language(text)
            language = Language(code=code, confidence=confidence)
        return ParseResult(text=text, intent=intent, intent_ranking=ranking,
                           entities=sorted(rasa_entities + extra, key=lambda e: e["start"]),
                           language=language)
