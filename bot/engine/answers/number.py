"""A whole number, as digits or words, within the step's bounds."""

from __future__ import annotations

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, BaseAnswer, Rejected
from nlu.entities import parse_number


class NumberAnswer(BaseAnswer):
    name = "number"
    default_invalid = "invalid_number"
    parameters = frozenset({"min", "max"})

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        value = parse_number(text, ctx.lang)
        if value is None:
            value = parse_number(text, None)
        low, high = ctx.collect.min, ctx.collect.max
        if (
            value is None
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            return Rejected(self.default_invalid)
        return Accepted(value)
