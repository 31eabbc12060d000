"""The shape of a parse, as Rasa's ``POST /model/parse`` returns it, plus ``language``.

TypedDicts rather than classes: the result is JSON as it stands, for the HTTP route, the
CLI and a real Rasa server's answers alike.
"""

from __future__ import annotations

from typing import Protocol, TypedDict

__all__ = [
    "FALLBACK_INTENT",
    "INTENTS",
    "Entity",
    "Intent",
    "Language",
    "ParseResult",
    "Parser",
]

FALLBACK_INTENT = "nlu_fallback"
INTENTS: tuple[str, ...] = (
    "greet",
    "register",
    "request_slot",
    "check_status",
    "cancel",
    "add_family_member",
    "change_language",
    "help",
    "talk_to_human",
    "delete_my_data",
    "affirm",
    "deny",
    "thanks",
    "out_of_scope",
)


class Intent(TypedDict):
    name: str
    confidence: float


class Entity(TypedDict):
    entity: str
    value: str | int
    start: int
    end: int
    extractor: str


class Language(TypedDict):
    code: str
    confidence: float


class ParseResult(TypedDict):
    text: str
    intent: Intent
    intent_ranking: list[Intent]
    entities: list[Entity]
    language: Language


class Parser(Protocol):
    """Anything that parses like Rasa: the embedded model, or a Rasa server adapter."""

    def parse(self, text: str, lang: str | None = None) -> ParseResult: ...
