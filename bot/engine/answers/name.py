"""A person's full name as on their ID: letters in any script, spaces, apostrophes, hyphens."""

from __future__ import annotations

import re

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, Rejected

_ALLOWED = re.compile(r"^[^\W\d_]+(?:[ '’ʼ.\-][^\W\d_]*)*$", re.UNICODE)
MAX_LENGTH = 100


class NameAnswer:
    name = "name"
    default_invalid = "invalid_name"

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        value = " ".join(text.split())
        letters = sum(ch.isalpha() for ch in value)
        if letters < 2 or len(value) > MAX_LENGTH or not _ALLOWED.match(value):
            return Rejected(self.default_invalid)
        return Accepted(value)
