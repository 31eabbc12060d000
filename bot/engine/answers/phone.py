"""A phone number with its country code ("+52 55 1234 5678", "0052..."), stored as E.164
(bot/contacts.py normalize_phone: phonenumbers' form). `optional: true`: "0" or "-" means
the person has none (stored as null, branch `none`; a number branches `given`)."""

from __future__ import annotations

from typing import Any

from bot.contacts import InvalidSender, normalize_phone
from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, BaseAnswer, Rejected
from bot.engine.models import Collect
from bot.engine.shown import DisplayContext

NONE_WORDS = frozenset({"0", "-"})
GIVEN, NONE = "given", "none"
#: How "no phone" is shown: the results go to the phone that answered for them (staff mode).
NO_PHONE = "none (results to this phone)"


def parse_phone(text: str) -> str | None:
    """E.164 of a number written with its country code (`+` or `00`), else None."""
    value = text.strip()
    if value.startswith("00"):
        value = "+" + value[2:]
    if not value.startswith("+"):
        return None
    try:
        return normalize_phone(value)
    except InvalidSender:
        return None


class PhoneAnswer(BaseAnswer):
    name = "phone"
    default_invalid = "invalid_phone"
    parameters = frozenset({"optional"})

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        if ctx.collect.optional and text.strip() in NONE_WORDS:
            return Accepted(None, branch_key=NONE)
        phone = parse_phone(text)
        if phone is None:
            return Rejected(self.default_invalid)
        return Accepted(phone, branch_key=GIVEN)

    def branch_keys(self, collect: Collect) -> frozenset[str] | None:
        return frozenset({GIVEN, NONE}) if collect.optional else frozenset({GIVEN})

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        return str(value)

    def empty(self, collect: Collect, ctx: DisplayContext) -> str:
        return ctx.translate(NO_PHONE)
