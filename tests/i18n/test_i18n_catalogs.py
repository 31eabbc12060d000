"""Every flow message is in every required catalog, reviewed, with its placeholders intact and
no carrier keyword; the Mayan catalogs hold at least their first entries, as drafts."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from bot.i18n import Catalogs, po_path
from bot.i18n.checks import keyword_problem, placeholder_problem, reply_words
from bot.i18n.tools.extract import build_template
from bot.languages import BY_CODE, REQUIRED_LANGUAGES
from bot.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
FLOWS = PROJECT_ROOT / "flows"
MAYAN = ("quc", "mam", "kjb")
#: What a Mayan catalog must have, at least as drafts (issue 4).
MAYAN_MINIMUM = (
    "Yes",
    "No",
    "Hello! It looks like you write in {language}. Continue in {language}?",
    "Some messages are not yet in {language}. Would you like a person who speaks {language} "
    "to help you?",
)


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load(TRANSLATIONS)


@pytest.fixture(scope="module")
def msgids() -> list[str]:
    return [str(m.id) for m in build_template(FLOWS) if m.id]


def _entries(catalogs: Catalogs) -> list[tuple[str, str, str]]:
    rows = []
    for lang in catalogs.languages:
        catalog = catalogs.catalog(lang)
        assert catalog is not None
        rows += [(lang, str(m.id), str(m.string)) for m in catalog if m.id and m.string]
    return rows


def test_the_template_is_up_to_date(msgids: list[str]) -> None:
    """`frontdoor i18n extract` was run after the last change to flows/*.yaml."""
    with (TRANSLATIONS / "frontdoor.pot").open("rb") as fh:
        from babel.messages.pofile import read_po

        pot = read_po(fh)
    assert sorted(str(m.id) for m in pot if m.id) == sorted(msgids)


@pytest.mark.parametrize("lang", REQUIRED_LANGUAGES)
def test_every_flow_message_is_translated_and_reviewed(
    lang: str, catalogs: Catalogs, msgids: list[str]
) -> None:
    missing = [m for m in msgids if not catalogs.has(lang, m, reviewed_only=False)]
    drafts = [m for m in msgids if m not in missing and not catalogs.has(lang, m)]
    assert not missing, f"{lang}: not translated: {missing}"
    assert not drafts, f"{lang}: still drafts (fuzzy): {drafts}"


def test_required_languages_are_the_four_of_issue_4() -> None:
    assert set(REQUIRED_LANGUAGES) == {"es", "ht", "pt", "en"}


@pytest.mark.parametrize("lang", MAYAN)
def test_mayan_catalog_has_its_first_entries_as_drafts(lang: str, catalogs: Catalogs) -> None:
    assert po_path(TRANSLATIONS, lang).exists()
    assert BY_CODE[lang].fallback == "es"
    assert BY_CODE[lang].formatting_locale == "es_GT"
    catalog = catalogs.catalog(lang)
    assert catalog is not None
    for msgid in MAYAN_MINIMUM:
        message = catalog.get(msgid)
        assert message is not None and message.string, f"{lang}: no entry for {msgid!r}"
        # Nobody who speaks the language has reviewed these yet: they must stay drafts.
        assert message.fuzzy, f"{lang}: {msgid!r} is marked reviewed"


def test_drafts_are_off_by_default_and_fall_back_to_spanish(catalogs: Catalogs) -> None:
    found = catalogs.lookup("mam", "Yes")
    assert (found.text, found.lang) == ("Sí", "es")
    assert found.is_fallback_for("mam")


def test_drafts_are_shown_where_the_setting_allows(catalogs: Catalogs) -> None:
    with_drafts = Catalogs.load(TRANSLATIONS, show_drafts={"mam"})
    assert with_drafts.lookup("mam", "Yes").lang == "mam"
    assert with_drafts.lookup("quc", "Yes").lang == "es"
    # A message with no Mam entry at all still comes in Spanish.
    assert with_drafts.lookup("mam", "My status") == catalogs.lookup("es", "My status")


def test_every_translation_keeps_its_placeholders(catalogs: Catalogs) -> None:
    problems = [
        f"{lang}: {msgid!r}: {problem}"
        for lang, msgid, text in _entries(catalogs)
        if (problem := placeholder_problem(msgid, text))
    ]
    assert not problems, "\n".join(problems)


PLACEHOLDER_CASES = [
    ("same fields", "Hi {name}", "Hola {name}", None),
    ("reordered is fine", "{a} at {b}", "{b}: {a}", None),
    ("repeated is fine", "in {x}. Go on in {x}?", "en {x}?", None),
    ("dropped", "Your number is {registration_id}.", "Su número es.", "missing"),
    ("renamed", "At {request_port}", "En {puerto}", "missing ['request_port'], unknown"),
    ("translated name", "Name: {full_name}", "Nom: {nom_complet}", "unknown ['nom_complet']"),
    ("unbalanced brace", "Port: {port}", "Pò: {port", "unbalanced"),
    ("added", "Done.", "Listo {x}.", "unknown ['x']"),
]


@pytest.mark.parametrize(
    ("label", "msgid", "translation", "problem"),
    PLACEHOLDER_CASES,
    ids=[c[0] for c in PLACEHOLDER_CASES],
)
def test_placeholder_check(label: str, msgid: str, translation: str, problem: str | None) -> None:
    found = placeholder_problem(msgid, translation)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_a_catalog_that_drops_a_placeholder_fails(tmp_path: Path) -> None:
    """The check above runs on real catalogs: prove it catches a broken one."""
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="es", domain="frontdoor")
    catalog.add("Your appointment: {appointment_port}, {appointment_at}.", "Su cita: {puerto}.")
    path = po_path(tmp_path, "es")
    path.parent.mkdir(parents=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)
    broken = _entries(Catalogs.load(tmp_path))
    assert [placeholder_problem(m, t) for _, m, t in broken] == [
        "missing ['appointment_at', 'appointment_port'], unknown ['puerto']"
    ]


def test_no_message_asks_for_a_carrier_keyword_or_an_unknown_word(catalogs: Catalogs) -> None:
    problems = [
        f"{lang}: {text!r}: {problem}"
        for lang, _, text in _entries(catalogs)
        if (problem := keyword_problem(text))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Write MENU to see the options.", None),
        ("Reply STOP to stop messages.", "carrier keyword STOP"),
        ("Escriba CANCEL para cancelar.", "carrier keyword CANCEL"),
        ("Write HELP for help.", "carrier keyword HELP"),
        ("Ekri INFO pou plis.", "carrier keyword INFO"),
        ("Write AYUDAME for help.", "not a command"),
        ("As on your ID.", None),
    ],
)
def test_keyword_check(text: str, problem: str | None) -> None:
    found = keyword_problem(text)
    assert (found is None) if problem is None else (found is not None and problem in found)


TAUGHT_WORDS = {
    # ... and the word for staff mode (bot/staff/chat.py), shown only on staff phones.
    # ... and the word that turns voice notes off (flows/voice.yaml).
    "es": {"MENU", "ATRAS", "IDIOMA", "EQUIPO", "VOZ"},
    "ht": {"MENI", "RETOUNEN", "LANG", "EKIP", "VWA"},
    "pt": {"MENU", "VOLTAR", "IDIOMA", "EQUIPE", "VOZ"},
    "en": {"MENU", "BACK", "IDIOMA", "STAFF", "VOICE"},
}


@pytest.mark.parametrize("lang", REQUIRED_LANGUAGES)
def test_each_language_teaches_command_words_in_that_language(
    lang: str, catalogs: Catalogs
) -> None:
    """People are told words the bot understands, in their language (MENI, VOLTAR...)."""
    told = {w for code, _, t in _entries(catalogs) if code == lang for w in reply_words(t)}
    assert told == TAUGHT_WORDS[lang]
