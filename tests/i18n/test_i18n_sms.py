"""What people are sent on SMS costs as little as it can: every prompt, rendered with long real
values and its options, is GSM-7 after transliteration and needs at most three segments; most
need one. Golden conversations are held to the same limit, turn by turn."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.channels.render import render_bodies
from bot.engine.loader import load_flows
from bot.i18n import Catalogs
from bot.i18n.tools.report import SAMPLE_MEMBERS, SAMPLE_SLOTS, PromptRenderer, sms_text
from bot.languages import LANGUAGES, REQUIRED_LANGUAGES
from bot.messages import ChannelKind, Reply
from bot.settings import PROJECT_ROOT
from bot.sms import is_gsm7, segment_count, transliterate_for_sms

MAX_SEGMENTS = 3
GOLDEN = sorted((PROJECT_ROOT / "tests" / "conversations" / "golden").glob("*.yaml"))
#: WhatsApp is not billed per segment: only the SMS conversations are measured.
SMS_GOLDEN = [
    p for p in GOLDEN if yaml.safe_load(p.read_text(encoding="utf-8"))["channel"] == "sms"
]


@pytest.fixture(scope="module")
def renderer() -> PromptRenderer:
    catalogs = Catalogs.load(PROJECT_ROOT / "translations")
    return PromptRenderer(load_flows(PROJECT_ROOT / "flows", catalogs), catalogs)


@pytest.mark.parametrize("lang", [lang.code for lang in LANGUAGES])
def test_every_prompt_fits_three_segments(lang: str, renderer: PromptRenderer) -> None:
    too_long = [
        (segment_count(sms_text(lang, p.text)), p.text)
        for p in renderer.prompts(lang)
        if segment_count(sms_text(lang, p.text)) > MAX_SEGMENTS
    ]
    assert not too_long


@pytest.mark.parametrize("lang", REQUIRED_LANGUAGES)
def test_every_prompt_is_gsm7_after_transliteration(lang: str, renderer: PromptRenderer) -> None:
    ucs2 = [p.text for p in renderer.prompts(lang) if not is_gsm7(sms_text(lang, p.text))]
    assert not ucs2


def _list_messages(renderer: PromptRenderer) -> set[str]:
    """The household list question (one line per person) and its options."""
    found: set[str] = set()
    for flow in renderer.flowset.flows.values():
        for step in flow.steps.values():
            if step.say and "{household_list}" in step.say:
                found.add(step.say)
                if step.collect is not None:
                    found.update(opt.label for opt in step.collect.options)
    return found


@pytest.mark.parametrize("lang", REQUIRED_LANGUAGES)
def test_one_segment_where_possible(lang: str, renderer: PromptRenderer) -> None:
    """Only the registration summary (six long values), the household list, the first
    language question (the whole language menu below it) and what tells people about an
    appointment (place, day and time, who, what to bring, confirm by when: the notices of
    flows/notices.yaml, their staff versions for a household without a phone, what staff did
    with a family's appointment, and the status of an unconfirmed appointment) may need a second
    segment (measured for one person, as most people register); notices never a third."""
    lists = _list_messages(renderer)
    notices = _notice_msgids()
    sizes = {p.msgid: segment_count(sms_text(lang, p.text)) for p in renderer.prompts(lang)}
    longer = [m for m, n in sizes.items() if n > 1]
    allowed = ("Please check:", "Hello! It looks like you write in")
    assert all(m.startswith(allowed) or m in lists or m in notices for m in longer), longer
    assert all(sizes[m] <= 2 for m in longer if m in notices), {m: sizes[m] for m in longer}


def _notice_msgids() -> set[str]:
    notices = yaml.safe_load((PROJECT_ROOT / "flows" / "notices.yaml").read_text())
    status = yaml.safe_load((PROJECT_ROOT / "flows" / "status.yaml").read_text())
    staff = yaml.safe_load((PROJECT_ROOT / "flows" / "staff.messages.yaml").read_text())
    results = {
        v
        for k, v in staff["messages"].items()
        if k.startswith("result_")
        or k in {"status_unconfirmed", "notice_confirmed", "notice_given_up"}
    }
    return {step["say"] for step in notices["steps"].values()} | results | {
        status["steps"]["allocated"]["say"]
    }


@pytest.mark.parametrize("lang", [lang.code for lang in LANGUAGES])
def test_household_of_four_fits_three_segments(lang: str, renderer: PromptRenderer) -> None:
    """Every message naming a household of four (long names) still fits three segments."""
    four = PromptRenderer(
        renderer.flowset, renderer.catalogs, {**SAMPLE_SLOTS, **SAMPLE_MEMBERS}
    )
    prompts = list(four.prompts(lang))
    assert any("Santiago Rodríguez Hernández" in p.text for p in prompts)
    too_long = [
        (segment_count(sms_text(lang, p.text)), p.text)
        for p in prompts
        if segment_count(sms_text(lang, p.text)) > MAX_SEGMENTS
    ]
    assert not too_long


def test_prompts_cover_every_message(renderer: PromptRenderer) -> None:
    from bot.i18n.tools.extract import build_template

    wanted = {str(m.id) for m in build_template(PROJECT_ROOT / "flows") if m.id}
    assert {p.msgid for p in renderer.prompts("es")} == wanted


def test_samples_are_long_and_real(renderer: PromptRenderer) -> None:
    """The summary is measured with a long name, a long month, a long port, a long country."""
    summary = next(p.text for p in renderer.prompts("es") if p.msgid.startswith("Please check"))
    for expected in ("Rodríguez Hernández", "septiembre", "El Paso – Paso del Norte", "Dominicana"):
        assert expected in summary


def test_there_are_sms_goldens_to_measure() -> None:
    assert len(SMS_GOLDEN) >= 5 and len(SMS_GOLDEN) < len(GOLDEN)


@pytest.mark.parametrize("path", SMS_GOLDEN, ids=[p.stem for p in SMS_GOLDEN])
def test_golden_sms_replies_fit_three_segments(path: Path) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    replies = [turn for turn in spec["turns"] if "allocate" not in turn]  # a draw sends nothing
    assert replies
    for turn in replies:
        for body in str(turn["reply"]).split("\n---\n"):
            assert segment_count(body) <= MAX_SEGMENTS, (turn["send"], body)


RENDER_CASES = [
    # (label, lang, channel, text, expected body)
    ("pt on SMS loses only what GSM-7 lacks", "pt", ChannelKind.SMS,
     "Você já tem cadastro. Não.", "Voce ja tem cadastro. Nao."),
    ("pt on WhatsApp keeps every accent", "pt", ChannelKind.WHATSAPP,
     "Você já tem cadastro. Não.", "Você já tem cadastro. Não."),
    ("Kreyòl keeps è and ò on SMS", "ht", ChannelKind.SMS,
     "Kisa ou vle fè? Lòt lang", "Kisa ou vle fè? Lòt lang"),
    ("Kreyòl capital È becomes E (not in GSM-7)", "ht", ChannelKind.SMS, "Èd", "Ed"),
    ("Mam glottal stop ʼ becomes an apostrophe", "mam", ChannelKind.SMS,
     "Qʼanjobʼal", "Q'anjob'al"),
    ("Spanish keeps ñ é ¿ on SMS", "es", ChannelKind.SMS,
     "¿Qué día? Mañana.", "¿Qué dia? Mañana."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "lang", "channel", "text", "expected"),
    RENDER_CASES,
    ids=[c[0] for c in RENDER_CASES],
)
def test_render_per_channel(
    label: str, lang: str, channel: ChannelKind, text: str, expected: str
) -> None:
    assert render_bodies([Reply(text=text)], channel, lang) == [expected]


def test_transliteration_never_costs_more_segments() -> None:
    for lang in REQUIRED_LANGUAGES:
        for text in ("Você concorda? Não", "Èske ou dakò?", "¿Está de acuerdo?"):
            assert segment_count(transliterate_for_sms(text)) <= segment_count(text), lang


def test_sms_turn_packs_replies_within_three_segments() -> None:
    """Short replies share one SMS; replies that would pass 3 segments together go apart."""
    short = [Reply(text="Guardado."), Reply(text="1. Menu\n2. Ayuda")]
    assert render_bodies(short, ChannelKind.SMS, "es") == ["Guardado.\n\n1. Menu\n2. Ayuda"]
    rows = (f"Familia {i}: cita confirmada en Brownsville" for i in range(10))
    long_list = Reply(text="\n".join(rows))
    menu = Reply(text="1. Registrar una familia\n2. Ver las familias")
    bodies = render_bodies([long_list, menu], ChannelKind.SMS, "es")
    assert bodies == [long_list.text, menu.text]
    assert all(segment_count(body) <= MAX_SEGMENTS for body in bodies)
    # WhatsApp is not billed per segment: one message.
    assert render_bodies([long_list, menu], ChannelKind.WHATSAPP, "es") == [
        f"{long_list.text}\n\n{menu.text}"
    ]
