"""Free text where a menu number was expected: the NLU's intent, mapped onto the bot's options
and global commands, so "kiero sacar sita" works wherever "2" works.

The parser is built once per process (loading takes ~0.4 s; tests build many apps) and lazily,
so `create_app` stays cheap; the lifespan warms it up before the first message.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

from nlu.factory import make_parser
from nlu.result import Parser, ParseResult

#: Intent -> the id of the menu option (or flow) it means. Used only where such an option is
#: offered, or, for the global ones, when the answer could not be read otherwise.
INTENT_OPTIONS: dict[str, str] = {
    "register": "register",
    "request_slot": "request",
    "check_status": "status",
    "help": "help",
    "change_language": "language",
    "cancel": "give_up",
    "delete_my_data": "delete",
    "talk_to_human": "human",
}

#: "gracias", "mesi", "obrigado", "thanks": not yes, not no, not a choice (bot/engine/runner.py).
THANKS_INTENT = "thanks"

#: How sure the model must be before a menu option is taken from free text, and (higher)
#: before free text at another question is taken as a wish to go somewhere else.
OPTION_CONFIDENCE = 0.5
DETOUR_CONFIDENCE = 0.8


@dataclass(frozen=True, slots=True)
class Understood:
    intent: str
    confidence: float

    @property
    def option(self) -> str | None:
        return INTENT_OPTIONS.get(self.intent)


@functools.cache
def _shared(backend: str, rasa_url: str | None) -> Parser:
    return make_parser(backend, rasa_url)


class LazyParser:
    """The configured parser, built on first use (thread-safe); implements `nlu.Parser`."""

    def __init__(self, backend: str = "embedded", rasa_url: str | None = None) -> None:
        self.backend = backend
        self.rasa_url = rasa_url
        self._lock = threading.Lock()

    def load(self) -> Parser:
        with self._lock:
            return _shared(self.backend, self.rasa_url)

    def parse(self, text: str, lang: str | None = None) -> ParseResult:
        return self.load().parse(text, lang)

    def understand(self, text: str, lang: str | None) -> Understood:
        intent = self.parse(text, lang)["intent"]
        return Understood(intent["name"], float(intent["confidence"]))
