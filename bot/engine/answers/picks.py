"""Several of the listed options at once: "1,3", "1 3", "1 y 3"; "0" is all of them.

Stored as the list of the chosen option ids, in the list's order (staff pick the households
for today's request from their shelter's list)."""

from __future__ import annotations

import re
from typing import Any

from bot.engine.answers.base import (
    OPTION_FIELDS,
    Accepted,
    AnswerContext,
    AnswerResult,
    BaseAnswer,
    Rejected,
)
from bot.engine.models import Collect
from bot.engine.shown import DisplayContext

_NUMBERS = re.compile(r"\d+")
#: The number that means every option.
ALL = 0


class PicksAnswer(BaseAnswer):
    name = "picks"
    default_invalid = "invalid_pick"
    parameters = OPTION_FIELDS
    needs_options = True

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        ids = [o.id for o in ctx.options]
        if button and button in ids:  # a tapped list item is one of them
            return Accepted([button])
        numbers = [int(n) for n in _NUMBERS.findall(text)]
        if not numbers or not ids:
            return Rejected(self.default_invalid)
        if numbers == [ALL]:
            return Accepted(ids)
        if any(n < 1 or n > len(ids) for n in numbers):
            return Rejected(self.default_invalid)
        return Accepted([ids[i - 1] for i in sorted(set(numbers))])

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        return ", ".join(str(v) for v in value or [])
