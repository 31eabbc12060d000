"""A language from the numbered language menu: by number, code or own name; or "yes" to keep
the language the bot guessed from the first message (the slot's current value)."""

from __future__ import annotations

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, Rejected
from bot.engine.answers.choice import match_option
from bot.languages import BY_CODE
from nlu.entities import parse_yes_no
from nlu.normalize import match_key


class LanguageAnswer:
    name = "language"
    default_invalid = "invalid_language"

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        option = match_option(text, button, ctx.options)
        if option is None and match_key(text) in BY_CODE:
            return Accepted(match_key(text))
        if option is None and ctx.current in BY_CODE and parse_yes_no(text, None) is True:
            return Accepted(ctx.current)
        return Rejected(self.default_invalid) if option is None else Accepted(option.id)
