"""Yes or no: shown as "1 Yes / 2 No" so a basic phone can answer with one key."""

from __future__ import annotations

from typing import Any

from bot.engine.answers.base import (
    Accepted,
    AnswerContext,
    AnswerResult,
    BaseAnswer,
    OptionContext,
    Rejected,
    listed_options,
)
from bot.engine.answers.choice import match_option
from bot.engine.models import Collect
from bot.engine.shown import DisplayContext, as_yes_no
from bot.messages import Option
from nlu.entities import parse_yes_no

YES_NO = frozenset({"yes", "no"})


class YesNoAnswer(BaseAnswer):
    name = "yes_no"
    default_invalid = "invalid_yes_no"
    #: Own labels for yes and no (ids `yes` and `no`), e.g. the privacy notice's.
    parameters = frozenset({"options"})

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        option = match_option(text, button, ctx.options)
        if option is not None:
            return Accepted(option.id == "yes", branch_key=option.id)
        answer = parse_yes_no(text, ctx.lang)
        if answer is None:
            answer = parse_yes_no(text, None)
        if answer is None:
            return Rejected(self.default_invalid)
        return Accepted(answer, branch_key="yes" if answer else "no")

    def options(self, ctx: OptionContext) -> tuple[Option, ...]:
        if ctx.collect.options:
            return listed_options(ctx)
        yes, no = ctx.message("yes"), ctx.message("no")
        return (Option(id="yes", title=yes), Option(id="no", title=no))

    def branch_keys(self, collect: Collect) -> frozenset[str] | None:
        return YES_NO

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        return as_yes_no(value, ctx)
