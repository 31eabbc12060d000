"""What every answer type shares: the context it reads, and its two possible results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from bot.engine.models import Collect
from bot.messages import Option


@dataclass(frozen=True, slots=True)
class AnswerContext:
    lang: str
    today: date
    collect: Collect
    #: The options shown for this question (ids and translated titles), numbered from 1.
    options: tuple[Option, ...] = ()
    #: The slot's value before this answer (e.g. the guessed language that "yes" confirms).
    current: Any = None


@dataclass(frozen=True, slots=True)
class Accepted:
    #: JSON-serialisable (ISO date strings, ISO country codes, option ids...).
    value: Any
    #: The branch key for steps that branch on the answer ("yes"/"no", an option id).
    branch_key: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    #: Key of the retry message in flows/messages.yaml, used when the step has no `invalid`.
    message: str
    #: True when the step's own `invalid` text should not replace this message (e.g. a date
    #: that cannot exist is a different problem from a date we could not read).
    specific: bool = False


AnswerResult = Accepted | Rejected


class AnswerType(Protocol):
    name: str
    #: Message key used when a step does not give its own `invalid` text.
    default_invalid: str

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult: ...
