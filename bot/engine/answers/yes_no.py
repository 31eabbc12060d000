"""Yes or no: shown as "1 Yes / 2 No" so a basic phone can answer with one key."""

from __future__ import annotations

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, Rejected
from bot.engine.answers.choice import match_option
from nlu.entities import parse_yes_no


class YesNoAnswer:
    name = "yes_no"
    default_invalid = "invalid_yes_no"

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
