"""How a household member is related: one of the step's options, by number, title, or an
everyday word in any language ("mi señora" -> spouse, "pitit mwen" -> child)."""

from __future__ import annotations

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, Rejected
from bot.engine.answers.choice import match_option
from nlu.entities import parse_relationship


class RelationshipAnswer:
    name = "relationship"
    default_invalid = "invalid_choice"

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        option = match_option(text, button, ctx.options)
        offered = {opt.id for opt in ctx.options}
        if option is not None:
            return Accepted(option.id, branch_key=option.id)
        value = parse_relationship(text, ctx.lang) or parse_relationship(text, None)
        if value is None or value not in offered:
            return Rejected(self.default_invalid)
        return Accepted(value, branch_key=value)
