"""Free text, taken as written (a staff member's answer to a person waiting)."""

from __future__ import annotations

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, BaseAnswer, Rejected


class TextAnswer(BaseAnswer):
    name = "text"
    default_invalid = "no_text"

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        value = text.strip()
        return Accepted(value) if value else Rejected(self.default_invalid)
