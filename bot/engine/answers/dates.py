"""A calendar date (dates of birth): read in the person's language, checked to exist."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, BaseAnswer, Rejected
from bot.engine.models import Collect
from bot.engine.shown import DisplayContext, as_date
from nlu.entities import ImpossibleDate, parse_date

EARLIEST = date(1900, 1, 1)


class DateAnswer(BaseAnswer):
    name = "date"
    default_invalid = "invalid_date"
    #: `past: true`: a date of birth (before today, after 1900).
    parameters = frozenset({"past"})
    extra_messages = frozenset({"impossible_date", "date_not_past"})

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        try:
            value = parse_date(text, ctx.lang, today=ctx.today) or parse_date(
                text, None, today=ctx.today
            )
        except ImpossibleDate:
            return Rejected("impossible_date", specific=True)
        if value is None:
            return Rejected(self.default_invalid)
        if ctx.collect.past and not (EARLIEST <= value < ctx.today):
            return Rejected("date_not_past", specific=True)
        return Accepted(value.isoformat())

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        return as_date(value, ctx)
