"""The language parts of the engine: the first message's guess and its confirmation, the
menu one word away, and the interpreter offer when a question falls back to Spanish."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.engine.loader import load_flows
from bot.engine.runner import Engine, TurnContext
from bot.engine.session import Session
from bot.i18n import Catalogs
from bot.languages import parse_codes
from bot.settings import PROJECT_ROOT

CTX = TurnContext(
    now=datetime(2026, 3, 14, 18, 30, tzinfo=UTC),
    today=date(2026, 3, 14),
    ports={"el_paso": "El Paso – Paso del Norte", "nogales": "Nogales"},
)
MENU_HEAD = "Elija su idioma / Chwazi lang ou"


def _engine(show_drafts: frozenset[str] = frozenset()) -> Engine:
    catalogs = Catalogs.load(PROJECT_ROOT / "translations", show_drafts)
    return Engine(load_flows(PROJECT_ROOT / "flows", catalogs), catalogs)


class Chat:
    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine or _engine()
        self.session = Session(phone="+50937000009")

    def say(self, text: str) -> str:
        return "\n\n".join(r.text for r in self.engine.handle(self.session, text, None, CTX))


def test_bonjou_is_confirmed_once_then_everything_is_kreyol() -> None:
    chat = Chat()
    assert chat.say("Bonjou").startswith("Bonjou! Sanble ou ekri an Kreyòl ayisyen.")
    assert chat.session.lang == "ht"
    assert chat.say("1").startswith("Vi prive:")
    assert chat.say("wi").startswith("Kisa ou vle fè?")


def test_the_confirmation_shows_the_whole_menu_with_the_guess_first() -> None:
    chat = Chat()
    confirmation = chat.say("oi")
    assert "\n1. Português\n2. Español\n3. Kreyòl ayisyen\n4. English" in confirmation
    assert "7. Q'anjob'al" in confirmation


@pytest.mark.parametrize(
    ("answer", "lang", "privacy"),
    [
        ("1", "pt", "Privacidade:"),  # the guess
        ("sim", "pt", "Privacidade:"),  # yes to the guess
        ("2", "es", "Privacidad:"),  # another language, in one step
        ("4", "en", "Privacy:"),
    ],
)
def test_the_guess_is_kept_or_another_language_chosen_in_one_step(
    answer: str, lang: str, privacy: str
) -> None:
    chat = Chat()
    chat.say("oi")
    assert chat.say(answer).startswith(privacy)
    assert chat.session.lang == lang


def test_no_to_the_guess_asks_for_the_number() -> None:
    chat = Chat()
    chat.say("oi")
    assert "1. Português" in chat.say("não")
    assert chat.session.lang == "pt"  # nothing decided yet


@pytest.mark.parametrize("word", ["idioma", "lang", "lenguaje", "langue", "língua", "LANGUAGE"])
def test_the_menu_is_one_word_away_even_at_the_confirmation(word: str) -> None:
    chat = Chat()
    chat.say("hola")
    assert chat.say(word).startswith(MENU_HEAD)
    # ... and the conversation goes on to the privacy notice, not to a silent main menu.
    assert chat.say("2").startswith("Vi prive:")


def test_a_number_or_emoji_first_gets_the_menu() -> None:
    for first in ("1", "👋", "?"):
        assert Chat().say(first).startswith(MENU_HEAD)


def test_switching_language_keeps_answers_and_the_open_question() -> None:
    chat = Chat()
    for text in ("Bonjou", "1", "1", "1", "Marie Carmel Joseph"):
        chat.say(text)
    assert chat.say("língua").startswith(MENU_HEAD)
    assert (
        chat.say("3")
        == "Idioma alterado.\n\nQual é a sua data de nascimento? Por exemplo 31/12/1990."
    )
    assert chat.session.slots["full_name"] == "Marie Carmel Joseph"


def test_mam_gets_the_interpreter_offer_once_and_the_wish_is_kept() -> None:
    chat = Chat()
    chat.say("👋")
    offer = chat.say("6")
    assert offer.startswith("Algunos mensajes todavía no están en Mam.")
    assert "persona que hable Mam" in offer
    noted = chat.say("1")
    assert noted.startswith("Anotado: buscaremos a una persona que hable Mam.")
    assert "Privacidad:" in noted  # back to the question that was open
    assert chat.session.slots["_interpreter"] is True
    assert chat.session.lang == "mam"
    # Everything else falls back to Spanish, without asking again.
    assert chat.say("1").startswith("¿Qué quiere hacer?")
    assert chat.say("1").startswith("¿Cuál es su nombre completo")
    assert "Algunos mensajes" not in chat.say("Rosa Elvira Cux")


def test_mam_drafts_are_shown_when_the_setting_allows() -> None:
    chat = Chat(_engine(parse_codes("mam")))
    chat.say("👋")
    offer = chat.say("6")
    assert "xjal" in offer and offer.endswith("1. Jo'\n2. Nti'")


def test_switching_to_mam_mid_registration_offers_then_returns() -> None:
    chat = Chat()
    for text in ("hola", "1", "1", "1", "Rosa Elvira Cux"):
        chat.say(text)
    chat.say("idioma")
    offer = chat.say("6")
    assert "Idioma cambiado." in offer and "hable Mam" in offer
    assert chat.say("2").startswith("¿Cuál es su fecha de nacimiento?")
    assert chat.session.slots["_interpreter"] is False
    assert chat.session.slots["full_name"] == "Rosa Elvira Cux"


@pytest.mark.parametrize("lang_choice", ["1", "2", "3", "4"])
def test_no_offer_for_complete_languages(lang_choice: str) -> None:
    chat = Chat()
    chat.say("👋")
    chat.say(lang_choice)
    chat.say("1")
    chat.say("1")
    assert "_interpreter_offered" not in chat.session.slots


def test_show_drafts_setting_is_checked() -> None:
    assert parse_codes("") == frozenset()
    assert parse_codes(" quc, mam ") == {"quc", "mam"}
    with pytest.raises(ValueError, match="unknown language"):
        parse_codes("mam,maam")
