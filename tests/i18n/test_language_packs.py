"""Languages as packs (issue 15): every pack is complete or start-up says which file lacks
what; a new language is one folder; every pack's stop, help, menu and person words work at
every question."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from support.app import Clock, make_settings

from bot.contacts import contact_key
from bot.engine.loader import load_flows
from bot.engine.runner import Engine, TurnContext
from bot.engine.session import Session
from bot.i18n import Catalogs
from bot.languages import BY_CODE, use_packs
from bot.messages import ChannelKind, Inbound
from bot.services import Services, open_services
from bot.settings import PROJECT_ROOT
from nlu import packs
from nlu.danger import danger
from nlu.entities import parse_yes_no
from nlu.langid import guess_language

TRANSLATIONS = PROJECT_ROOT / "translations"
CTX = TurnContext(
    now=datetime(2026, 3, 14, 18, 30, tzinfo=UTC),
    today=date(2026, 3, 14),
    ports={"el_paso": "El Paso – Paso del Norte", "nogales": "Nogales"},
)


def _copy_translations(tmp_path: Path) -> Path:
    target = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, target)
    return target


# ---- every pack ------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(packs.packs()))
def test_every_pack_has_every_required_part(code: str) -> None:
    pack = packs.packs()[code]
    assert packs.check_pack(pack, packs.packs()) == []
    assert pack.enabled and code in BY_CODE
    assert pack.catalog_path.is_file()


def test_the_project_packs_give_no_word_two_meanings() -> None:
    assert packs.conflicts(packs.enabled_packs().values()) == []


def test_the_four_main_packs_are_reviewed_and_the_mayan_ones_are_drafts() -> None:
    status = {code: (pack.status, pack.required) for code, pack in packs.packs().items()}
    assert {c for c, s in status.items() if s == ("reviewed", True)} == {"es", "ht", "pt", "en"}
    assert {c for c, s in status.items() if s == ("draft", False)} == {"quc", "mam", "kjb"}
    for code in ("quc", "mam", "kjb"):
        pack = packs.packs()[code]
        assert (pack.fallback, pack.formatting_locale, pack.keywords_only) == ("es", "es_GT", True)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("  stop: [kanpe, sispann, rete, stope]\n", ""),
         "ht/pack.yaml: commands.stop: missing"),
        (lambda t: t.replace("name: Kreyòl ayisyen\n", ""), "ht/pack.yaml: name: missing"),
        (lambda t: t.replace("  menu: [meni]\n", "  menu: [meni, end]\n"),
         "ht/pack.yaml: commands.menu: 'end' is a carrier keyword"),
        (lambda t: t.replace("  back: [retounen, tounen]\n", "  back: [retounen, meni]\n"),
         "'meni' means two things"),
        (lambda t: t.replace("fallback: es\n", "fallback: xx\n"),
         "ht/pack.yaml: fallback: 'xx' is not a pack"),
    ],
    ids=["no stop word", "no name", "carrier keyword", "one word two commands", "bad fallback"],
)
def test_start_up_refuses_a_pack_missing_a_part_and_names_the_file(
    tmp_path: Path, edit: object, expected: str
) -> None:
    translations = _copy_translations(tmp_path)
    pack = translations / "ht" / "pack.yaml"
    pack.write_text(edit(pack.read_text()))  # type: ignore[operator]
    with pytest.raises(packs.PackError) as raised:
        Catalogs.load(translations)
    assert expected in str(raised.value)
    assert str(pack) in str(raised.value) or "means two things" in expected


def test_a_missing_catalog_is_named(tmp_path: Path) -> None:
    translations = _copy_translations(tmp_path)
    (translations / "mam" / "LC_MESSAGES" / "frontdoor.po").unlink()
    with pytest.raises(packs.PackError, match=r"mam/LC_MESSAGES/frontdoor.po: missing"):
        use_packs(translations)


def test_a_disabled_pack_is_not_checked_nor_offered(tmp_path: Path) -> None:
    translations = _copy_translations(tmp_path)
    pack = translations / "kjb" / "pack.yaml"
    pack.write_text(pack.read_text().replace("enabled: true", "enabled: false")
                    .replace("  person: [anima, persona, humano]\n", ""))
    use_packs(translations)
    assert "kjb" not in BY_CODE and "mam" in BY_CODE
    assert guess_language("yujdiosal") is None  # its keywords went with it


# ---- must-show 2: stop, help, menu and person words of every pack at every question -----


def _engine() -> Engine:
    catalogs = Catalogs.load(TRANSLATIONS)
    return Engine(load_flows(PROJECT_ROOT / "flows", catalogs), catalogs)


def _questions(engine: Engine) -> list[tuple[str, str]]:
    """Every question of the applicants' flows (staff mode's flows have a menu of their own:
    there MENU is staff mode's menu, flows/staff/)."""
    return [(name, step_id) for name, flow in engine.flowset.flows.items()
            if not name.startswith("staff_")
            for step_id, step in flow.steps.items() if step.collect is not None]


WORDS = [
    (code, command, word)
    for code, pack in packs.enabled_packs().items()
    for command in ("menu", "help", "person", "stop")
    for word in pack.commands[command]
]


def test_every_question_is_in_the_table() -> None:
    questions = _questions(_engine())
    assert len(questions) > 30 and ("register", "ask_name") in questions


@pytest.mark.parametrize(("code", "command", "word"), [w for w in WORDS if w[1] != "stop"],
                         ids=[f"{c}-{k}-{w}" for c, k, w in WORDS if k != "stop"])
def test_menu_help_and_person_words_work_at_every_question(
    code: str, command: str, word: str
) -> None:
    engine = _engine()
    help_text = engine.catalogs.gettext(code, engine.flowset.messages["help_here"])
    for flow, step in _questions(engine):
        # (the interpreter was offered already: a draft language's menu would offer it first)
        session = Session(phone="+50937000009", lang=code, flow=flow, step=step,
                          consented_at=CTX.now, slots={"_interpreter_offered": True})
        replies = engine.handle(session, word.upper(), None, CTX)
        where = f"{word!r} at {flow}:{step}"
        if command == "menu":
            assert session.flow == "menu", where
        elif command == "person":  # the handoff is asked for (the staff hub opens it)
            assert session.slots.get("_handoff") == "requested", where
        else:
            assert replies[0].text == help_text, where


@pytest.fixture
async def services(tmp_path: Path, clock: Clock) -> AsyncIterator[Services]:
    async with open_services(
        make_settings(), clock=clock, data_dir=tmp_path / "data", background=False
    ) as opened:
        yield opened


async def test_stop_words_of_every_pack_work_at_every_question(services: Services) -> None:
    engine = services.conversations.engine
    questions = _questions(engine)
    stops = [(code, word) for code, command, word in WORDS if command == "stop"]
    assert {code for code, _ in stops} == set(packs.enabled_packs())
    secret = services.settings.secret_key.get_secret_value()
    for n, (code, word) in enumerate(stops):
        opted_out = engine.catalogs.gettext(code, engine.flowset.messages["opted_out"])
        for m, (flow, step) in enumerate(questions):
            phone = f"+5255{n:04d}{m:04d}"
            session = Session(phone=phone, lang=code, flow=flow, step=step,
                              consented_at=CTX.now)
            await services.store.save(contact_key(secret, phone), session, timedelta(days=1))
            handled = await services.conversations.handle(Inbound(
                message_id=f"SMstop{n:04d}{m:04d}", sender=phone, channel=ChannelKind.SMS,
                text=f" {word.capitalize()}!", received_at=CTX.now))
            assert [r.text for r in handled.replies] == [opted_out], f"{word!r} at {flow}:{step}"


# ---- must-show 1: a new language is one folder --------------------------------------------

ZEDISH_PACK = """\
name: Zedish
enabled: true
order: 8
status: draft
required: false
fallback: es
formatting_locale: es_MX
sms: transliterate
commands:
  menu: [zmenu]
  back: [zback]
  help: [zhelp]
  language: [zlang]
  person: [zperson]
  staff: [zstaff]
  stop: [zstop]
  start: [zstart]
keywords: [zhello, zthanks, zplease]
keywords_only: true
understanding:
  yes_words: "zyes, zyup"
  no_words: "zno, znope"
  danger:
    violence: "zthreat*"
"""
ZEDISH_MESSAGES = {
    "Hello! It looks like you write in {language}. Continue in {language}?":
        "Zhello! Zyou zwrite {language}. Zcontinue {language}?",
    "Privacy: we keep only your name, date of birth, nationality and phone, to request your "
    "appointment. No photos, no location. Do you agree?": "Zprivacy. Zagree?",
    "Yes": "Zyes",
    "No": "Zno",
    "What would you like to do?": "Zwhat zdo?",
    "Register": "Zregister",
    "Request today's appointment": "Zrequest",
    "My status": "Zstatus",
    "Help": "Zhelp",
    "Change language": "Zlanguage",
    "Give up my appointment": "Zgive up",
    "Delete my data": "Zdelete",
    "I am the appointment assistant. I keep your answers, so you can stop and come back any "
    "time.": "Zassistant.",
    "You will get no more reminders or notices from me. If you write to me again, they start "
    "again.": "Zno more znotices.",
    "Reminders and notices are on again.": "Znotices zon.",
}


def _write_zedish(translations: Path) -> None:
    """What a community translator adds: one folder, no Python."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    folder = translations / "zz"
    (folder / "LC_MESSAGES").mkdir(parents=True)
    (folder / "pack.yaml").write_text(ZEDISH_PACK, encoding="utf-8")
    catalog = Catalog(domain="frontdoor")
    for msgid, text in ZEDISH_MESSAGES.items():
        catalog.add(msgid, text)
    with (folder / "LC_MESSAGES" / "frontdoor.po").open("wb") as fh:
        write_po(fh, catalog)


async def test_a_made_up_language_is_one_folder_and_a_conversation_works(
    tmp_path: Path, clock: Clock
) -> None:
    translations = _copy_translations(tmp_path)
    _write_zedish(translations)
    settings = make_settings(translations_dir=translations)
    async with open_services(settings, clock=clock, data_dir=tmp_path / "data",
                             background=False) as services:
        assert BY_CODE["zz"].own_name == "Zedish"
        phone = "+5215550001234"
        count = 0

        async def say(text: str) -> str:
            nonlocal count
            count += 1
            handled = await services.conversations.handle(Inbound(
                message_id=f"SMzz{count:04d}", sender=phone, channel=ChannelKind.SMS,
                text=text, received_at=clock()))
            return "\n".join(r.text for r in handled.replies)

        confirm = await say("zhello")  # recognised by its keywords
        assert confirm.startswith("Zhello! Zyou zwrite Zedish. Zcontinue Zedish?")
        assert "\n1. Zedish\n2. Español" in confirm  # in the language menu, the guess first
        assert (await say("1")) == "Zprivacy. Zagree?\n1. Zyes\n2. Zno"
        assert parse_yes_no("zyup", "zz") is True
        menu = await say("ZYES")  # its own yes word
        assert menu.startswith("Zwhat zdo?\n1. Zregister\n2. Zrequest")
        assert (await say("zhelp")).startswith("Zassistant.")
        assert danger("they zthreatened us") == "violence"  # its danger words too
        assert (await say("zmenu")).startswith("Zwhat zdo?")
        assert (await say("Zstop")) == "Zno more znotices."
        resumed = await say("zstart")
        assert resumed.startswith("Znotices zon.")
        # A question not translated yet: the interpreter is offered (in the fallback, Spanish,
        # naming the language), then the question is asked in Spanish.
        offer = await say("1")
        assert offer.startswith("Algunos mensajes todavía no están en Zedish.")
        spanish = services.catalogs.gettext("es", "What is your full name, as on your ID?")
        assert (await say("zno")).endswith(spanish)
        # the project's packs are untouched: nothing outside the new folder changed
        assert not (TRANSLATIONS / "zz").exists()
