"""Answer types: one module each, one registry the loader, the runner and the tests loop over."""

from __future__ import annotations

from bot.engine.answers.base import (
    Accepted,
    AnswerContext,
    AnswerResult,
    AnswerType,
    OptionContext,
    Rejected,
)
from bot.engine.answers.choice import ChoiceAnswer
from bot.engine.answers.country import CountryAnswer
from bot.engine.answers.dates import DateAnswer
from bot.engine.answers.language import LanguageAnswer
from bot.engine.answers.name import NameAnswer
from bot.engine.answers.number import NumberAnswer
from bot.engine.answers.phone import PhoneAnswer
from bot.engine.answers.picks import PicksAnswer
from bot.engine.answers.relationship import RelationshipAnswer
from bot.engine.answers.text import TextAnswer
from bot.engine.answers.yes_no import YesNoAnswer

ANSWER_TYPES: dict[str, AnswerType] = {
    t.name: t
    for t in (
        ChoiceAnswer(),
        YesNoAnswer(),
        DateAnswer(),
        CountryAnswer(),
        NameAnswer(),
        NumberAnswer(),
        LanguageAnswer(),
        RelationshipAnswer(),
        PicksAnswer(),
        PhoneAnswer(),
        TextAnswer(),
    )
}

__all__ = [
    "ANSWER_TYPES",
    "Accepted",
    "AnswerContext",
    "AnswerResult",
    "AnswerType",
    "OptionContext",
    "Rejected",
]
