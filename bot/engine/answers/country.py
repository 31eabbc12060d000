"""A country (nationality), typed as a name or a demonym, stored as ISO 3166 alpha-2."""

from __future__ import annotations

from typing import Any

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, BaseAnswer, Rejected
from bot.engine.models import Collect
from bot.engine.shown import DisplayContext, as_country
from nlu.entities import parse_country


class CountryAnswer(BaseAnswer):
    name = "country"
    default_invalid = "invalid_country"

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        # People mix languages ("guatemalteca" in an English chat): try theirs first, then all.
        code = parse_country(text, ctx.lang) or parse_country(text, None)
        return Rejected(self.default_invalid) if code is None else Accepted(code)

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        return as_country(value, ctx)
