"""How a household member is related: one of the step's options, by number, title, or an
everyday word in any language ("mi señora" -> spouse, "pitit mwen" -> child)."""

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
from bot.engine.answers.choice import match_option
from bot.engine.models import Collect
from bot.engine.shown import DisplayContext
from nlu.entities import parse_relationship


class RelationshipAnswer(BaseAnswer):
    name = "relationship"
    default_invalid = "invalid_choice"
    parameters = OPTION_FIELDS
    needs_options = True

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        option = match_option(text, button, ctx.options)
        offered = {opt.id for opt in ctx.options}
        if option is not None:
            return Accepted(option.id, branch_key=option.id)
        value = parse_relationship(text, ctx.lang) or parse_relationship(text, None)
        if value is None or value not in offered:
            return Rejected(self.default_invalid)
        return Accepted(value, branch_key=value)

    def branch_keys(self, collect: Collect) -> frozenset[str] | None:
        return own_option_ids(collect)

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        labels = {o.id: o.label for o in collect.options}
        return ctx.translate(labels[str(value)]) if str(value) in labels else str(value)
