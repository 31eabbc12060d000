"""Every answer type, table-driven: what is accepted (and stored as what), what is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from bot.engine.answers import ANSWER_TYPES, Accepted, AnswerContext, Rejected
from bot.engine.models import Collect
from bot.messages import Option

TODAY = date(2026, 3, 14)
MENU = (Option(id="register", title="Registrarme"), Option(id="status", title="Mi estado"))
YES_NO = (Option(id="yes", title="Sí"), Option(id="no", title="No"))
HOUSEHOLDS = tuple(Option(id=i, title=f"Familia {i}") for i in "abc")


@dataclass(frozen=True)
class Case:
    label: str
    type: str
    text: str
    expected: Any  # the accepted value, or the Rejected message key
    lang: str = "es"
    button: str | None = None
    options: tuple[Option, ...] = ()
    past: bool = False
    low: int | None = None
    high: int | None = None
    optional: bool = False


CASES = [
    Case("choice by number", "choice", "2", "status", options=MENU),
    Case("choice by number with dot", "choice", "1.", "register", options=MENU),
    Case("choice by title without accents", "choice", "mi estado", "status", options=MENU),
    Case("choice by button payload", "choice", "Whatever", "status", "es", "status", MENU),
    Case("choice out of range", "choice", "7", Rejected("invalid_choice"), options=MENU),
    Case("choice zero", "choice", "0", Rejected("invalid_choice"), options=MENU),
    Case("yes by number", "yes_no", "1", True, options=YES_NO),
    Case("no by number", "yes_no", "2", False, options=YES_NO),
    Case("yes as word", "yes_no", "si claro", True, options=YES_NO),
    Case("yes in English", "yes_no", "yes", True, "en", options=YES_NO),
    Case("no as word", "yes_no", "no", False, options=YES_NO),
    Case("unclear yes/no", "yes_no", "tal vez", Rejected("invalid_yes_no"), options=YES_NO),
    Case("date numeric", "date", "14/02/1992", "1992-02-14", past=True),
    Case("date in words", "date", "14 de febrero de 1992", "1992-02-14", past=True),
    Case("date English words", "date", "October 9, 1978", "1978-10-09", "en", past=True),
    Case("impossible date", "date", "31/02/1990", Rejected("impossible_date", True), past=True),
    Case("future birth date", "date", "01/01/2030", Rejected("date_not_past", True), past=True),
    Case("not a date", "date", "no se", Rejected("invalid_date"), past=True),
    Case("country name", "country", "Honduras", "HN"),
    Case("demonym feminine", "country", "colombiana", "CO"),
    Case("not a country", "country", "azul", Rejected("invalid_country")),
    Case("name with accents", "name", "  María José  Pérez ", "María José Pérez"),
    Case("Mayan apostrophe name", "name", "Ixchel Tz'ul", "Ixchel Tz'ul"),
    Case("name with digits", "name", "Juan 23", Rejected("invalid_name")),
    Case("name of one letter", "name", "J", Rejected("invalid_name")),
    Case("name too long", "name", "a" * 101, Rejected("invalid_name")),
    Case("number digits", "number", "3", 3, low=1, high=10),
    Case("number word", "number", "tres", 3, low=1, high=10),
    Case("number too big", "number", "11", Rejected("invalid_number"), low=1, high=10),
    Case("language by number", "language", "2", "ht", options=()),
    Case("language by own name", "language", "kreyol ayisyen", "ht"),
    Case("language by code", "language", "mam", "mam"),
    Case("language unknown", "language", "klingon", Rejected("invalid_language")),
    Case("relationship by number", "relationship", "1", "spouse", options=(
        Option(id="spouse", title="Esposo o pareja"), Option(id="child", title="Hijo o hija"))),
    Case("relationship in words", "relationship", "mi señora", "spouse", options=(
        Option(id="spouse", title="Esposo o pareja"), Option(id="child", title="Hijo o hija"))),
    Case("picks with commas", "picks", "1,3", ["a", "c"], options=HOUSEHOLDS),
    Case("picks with words between", "picks", "3 y 1", ["a", "c"], options=HOUSEHOLDS),
    Case("picks zero is all", "picks", "0", ["a", "b", "c"], options=HOUSEHOLDS),
    Case("picks off the list", "picks", "4,9", Rejected("invalid_pick"), options=HOUSEHOLDS),
    Case("picks no number", "picks", "todos", Rejected("invalid_pick"), options=HOUSEHOLDS),
    Case("phone with spaces", "phone", "+52 55 1234 5678", "+525512345678"),
    Case("phone with 00", "phone", "0050937001122", "+50937001122"),
    Case("phone without country code", "phone", "5512345678", Rejected("invalid_phone")),
    Case("phone none when optional", "phone", "0", None, optional=True),
    Case("phone zero when required", "phone", "0", Rejected("invalid_phone")),
    Case("free text", "text", "  Venga a las 3. ", "Venga a las 3."),
    Case("free text empty", "text", "  ", Rejected("no_text")),
]


def _options(case: Case) -> tuple[Option, ...]:
    if case.type == "language":
        from bot.languages import LANGUAGES

        return tuple(Option(id=lang.code, title=lang.own_name) for lang in LANGUAGES)
    return case.options


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_answer(case: Case) -> None:
    collect = Collect(
        slot="x", type=case.type, past=case.past, min=case.low, max=case.high,
        optional=case.optional,
    )
    ctx = AnswerContext(lang=case.lang, today=TODAY, collect=collect, options=_options(case))
    result = ANSWER_TYPES[case.type].parse(case.text, case.button, ctx)
    if isinstance(case.expected, Rejected):
        assert result == case.expected
    else:
        assert isinstance(result, Accepted), result
        assert result.value == case.expected


def test_every_answer_type_has_a_table_row() -> None:
    assert {c.type for c in CASES} == set(ANSWER_TYPES)
