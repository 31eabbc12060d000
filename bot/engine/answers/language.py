"""A language from the numbered language menu: by number, code or own name; or "yes" to keep
the language the bot guessed from the first message (the slot's current value). Accepted, it
becomes the conversation's language."""

from __future__ import annotations

from typing import Any

from bot.engine.answers.base import (
    Accepted,
    AnswerContext,
    AnswerResult,
    BaseAnswer,
    OptionContext,
    Rejected,
)
from bot.engine.answers.choice import match_option
from bot.engine.models import Collect
from bot.engine.session import Session
from bot.engine.shown import DisplayContext, as_language
from bot.languages import BY_CODE
from bot.messages import Option
from nlu.entities import parse_yes_no
from nlu.normalize import match_key


class LanguageAnswer(BaseAnswer):
    name = "language"
    default_invalid = "invalid_language"
    #: `options_from: languages_guess_first` puts the guessed language first.
    parameters = frozenset({"options_from"})

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        option = match_option(text, button, ctx.options)
        if option is None and match_key(text) in BY_CODE:
            return Accepted(match_key(text))
        if option is None and ctx.current in BY_CODE and parse_yes_no(text, None) is True:
            return Accepted(ctx.current)
        return Rejected(self.default_invalid) if option is None else Accepted(option.id)

    def options(self, ctx: OptionContext) -> tuple[Option, ...]:
        from bot.engine.options import OPTION_SOURCES

        return OPTION_SOURCES[ctx.collect.options_from or "languages"].options(ctx)

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        return as_language(value, ctx)

    def accept(self, session: Session, value: Any) -> None:
        session.lang = str(value)
