"""A numbered choice: by number, by button payload, or by (a unique part of) the title.

A question whose options come from a source may also know other words for them: a port
question (``options_from: ports``) takes each port's other names (bot/engine/options.py).
"""

from __future__ import annotations

from typing import Any

from bot.engine.answers.base import (
    OPTION_FIELDS,
    Accepted,
    AnswerContext,
    AnswerResult,
    BaseAnswer,
    Rejected,
    own_option_ids,
)
from bot.engine.models import Collect
from bot.engine.shown import DisplayContext
from bot.messages import Option
from nlu.normalize import match_key


def match_option(text: str, button: str | None, options: tuple[Option, ...]) -> Option | None:
    by_id = {opt.id: opt for opt in options}
    if button and button in by_id:
        return by_id[button]
    folded = match_key(text)
    if not folded:
        return None
    digits = folded.rstrip(". )")
    if digits.isdigit():
        index = int(digits)
        return options[index - 1] if 1 <= index <= len(options) else None
    exact = [opt for opt in options if match_key(opt.title) == folded or opt.id == folded]
    if len(exact) == 1:
        return exact[0]
    partial = [opt for opt in options if len(folded) >= 3 and folded in match_key(opt.title)]
    return partial[0] if len(partial) == 1 else None


class ChoiceAnswer(BaseAnswer):
    name = "choice"
    default_invalid = "invalid_choice"
    parameters = OPTION_FIELDS
    needs_options = True
    understands_options = True

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        option = match_option(text, button, ctx.options)
        if option is None and ctx.collect.options_from is not None and not button:
            from bot.engine.options import OPTION_SOURCES

            option = OPTION_SOURCES[ctx.collect.options_from].match(text, ctx.options)
        if option is None:
            return Rejected(self.default_invalid)
        return Accepted(option.id, branch_key=option.id)

    def branch_keys(self, collect: Collect) -> frozenset[str] | None:
        return own_option_ids(collect)

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        if collect.options_from is not None:
            from bot.engine.options import OPTION_SOURCES

            return OPTION_SOURCES[collect.options_from].display(value, ctx)
        return str(value)
