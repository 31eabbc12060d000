"""A person's full name as on their ID: letters in any script, spaces, apostrophes, hyphens.

The lead-in of a sentence ("me llamo", "mwen rele", "my name is") is dropped and the words
capitalised (nlu.entities.clean_name). When the stored name differs from what was typed
(beyond spaces), the answer branches on ``reworded`` so the flow can echo the name back and
ask whether it is right.
"""

from __future__ import annotations

import re

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, BaseAnswer, Rejected
from bot.engine.models import Collect
from nlu.entities import clean_name

_ALLOWED = re.compile(r"^[^\W\d_]+(?:[ '’ʼ.\-][^\W\d_]*)*$", re.UNICODE)
MAX_LENGTH = 100
#: Branch key of an answer whose name is not exactly what was typed.
REWORDED = "reworded"


class NameAnswer(BaseAnswer):
    name = "name"
    default_invalid = "invalid_name"

    def branch_keys(self, collect: Collect) -> frozenset[str] | None:
        return frozenset({REWORDED})

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        typed = " ".join(text.split())
        value = clean_name(typed, ctx.lang)
        if value is None:
            return Rejected(self.default_invalid)
        letters = sum(ch.isalpha() for ch in value)
        if letters < 2 or len(value) > MAX_LENGTH or not _ALLOWED.match(value):
            return Rejected(self.default_invalid)
        return Accepted(value, branch_key=None if value == typed else REWORDED)
