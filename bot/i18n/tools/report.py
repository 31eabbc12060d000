"""What each language's catalog costs and lacks: counts, and every prompt rendered for SMS.

Why render and not just count characters: what a person receives is the translated text with
its placeholders filled (a long name, a long port name, a formatted date) and the numbered
options appended, transliterated to GSM-7 on SMS. That is what is billed per segment, so that
is what is measured here, with realistic long values, for the report and for the tests.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.engine.display import display_values
from bot.engine.flowset import FlowSet
from bot.engine.loader import load_flows
from bot.engine.models import Step
from bot.i18n import Catalogs
from bot.i18n.tools.extract import build_template
from bot.i18n.tools.parts import pack_parts
from bot.languages import BY_CODE, LANGUAGES, SmsPolicy
from bot.sms import is_gsm7, segment_count, transliterate_for_sms
from nlu.packs import packs

#: The eight ports that took appointments (DESIGN); the longest name is the realistic worst.
SAMPLE_PORTS: dict[str, str] = {
    "brownsville": "Brownsville",
    "eagle_pass": "Eagle Pass",
    "hidalgo": "Hidalgo",
    "laredo": "Laredo",
    "el_paso": "El Paso – Paso del Norte",
    "nogales": "Nogales",
    "calexico": "Calexico",
    "san_ysidro": "San Ysidro",
}
#: Long but real values: the longest month (September), a two-word country, a 36-character
#: registration number as the booking API gives it.
SAMPLE_SLOTS: dict[str, object] = {
    "language": "ht",
    "full_name": "María Fernanda Rodríguez Hernández",
    "birth_date": "1990-09-30",
    "nationality": "DO",
    "port": "el_paso",
    "request_port": "el_paso",
    "appointment_port": "el_paso",
    "request_date": "2026-09-30",
    "appointment_at": "2026-09-30T10:30:00",
    "confirm_by": "2026-09-16T11:05:00",
    "opens": "12:00",
    "closes": "23:59",
    "timezone": "America/New_York",
    "adult_age": 18,
    "max_household": 10,
    "member_name": "José Alejandro Rodríguez Hernández",
    # Staff mode's draft (flows/staff/register.yaml).
    "staff_full_name": "María Fernanda Rodríguez Hernández",
    "staff_birth_date": "1990-09-30",
    "staff_nationality": "DO",
    "staff_port": "el_paso",
    "staff_phone": "+5215512345678",
    "staff_members": [
        {"full_name": "José Alejandro Rodríguez Hernández"},
        {"full_name": "Valentina Rodríguez Hernández"},
    ],
    # A not-selected household's "why" (bot/booking/explanation.py), at a busy port.
    "why_capacity": 2500,
    "why_places_longest": 1500,
    "why_cutoff_days": 190,
    "why_places_drawn": 1000,
    "why_households_in_draw": 12310,
    "why_waited_days": 120,
    "why_chance": 27,
}
#: The people with the primary applicant in a household of four (long names, a long country):
#: messages naming a household are measured with it separately (tests/i18n/test_i18n_sms.py),
#: while the figures above are for one person, as most people register.
SAMPLE_MEMBERS: dict[str, object] = {
    "members": [
        {
            "full_name": "José Alejandro Rodríguez Hernández",
            "birth_date": "1988-09-30",
            "relationship": "spouse",
            "nationality": "DO",
        },
        {
            "full_name": "Valentina Rodríguez Hernández",
            "birth_date": "2015-09-30",
            "relationship": "child",
            "nationality": "DO",
        },
        {
            "full_name": "Santiago Rodríguez Hernández",
            "birth_date": "2019-09-30",
            "relationship": "child",
            "nationality": "DO",
        },
    ],
}
SAMPLE_PHONE = "+5215512345678"
#: Values of the staff module's messages (flows/staff.messages.yaml, portal.messages.yaml).
STAFF_SAMPLES: dict[str, str] = {
    "shelter": "Casa del Migrante Juan Diego",
    "name": "María Fernanda Rodríguez Hernández",
    "names": "María Fernanda Rodríguez Hernández +3",
    "text": "Mañana a las 10 la esperamos en la oficina del albergue con sus papeles.",
    "when": "miércoles 30 de septiembre de 2026 10:30 UTC",
    "date": "30 de septiembre de 2026",
    "code": "K7QM-4XPA",
    "minutes": "10",
    "family": "José Alejandro Rodríguez Hernández, Valentina Rodríguez Hernández",
    # The portal's inbox and today pages (flows/portal.messages.yaml).
    "number": "4821",
    "zone": "America/Chicago",
    "time": "14:05",
    "count": "3",
    "duration": "1 h 05 min",
    # The portal's translation review (bot/staff/portal_translations.py).
    "reviewed": "12",
    "draft": "340",
    "missing": "25",
}
#: Placeholders of the phone line's prompts (flows/call.messages.yaml).
CALL_SAMPLES: dict[str, str] = {"digit": "7", "answer": "María Fernanda Rodríguez Hernández"}
SAMPLE_REGISTRATION = "reg_" + "0123456789abcdef" * 2
#: The longest option list each engine message is shown with when it re-asks a question.
_MESSAGE_OPTIONS = {
    "invalid_choice": "ports",
    "invalid_yes_no": "yes_no",
    "invalid_language": "languages",
}


@dataclass(frozen=True, slots=True)
class Prompt:
    """One message as sent: `msgid` is the catalog entry it is measured for."""

    msgid: str
    text: str


@dataclass(frozen=True, slots=True)
class LanguageReport:
    messages: int
    reviewed: int
    draft: int
    missing: int
    sms_max_segments: int
    sms_mean_segments: float
    sms_non_gsm: int


class PromptRenderer:
    """Renders every flow message in one language the way the engine would, with samples."""

    def __init__(
        self,
        flowset: FlowSet,
        catalogs: Catalogs,
        slots: Mapping[str, object] = SAMPLE_SLOTS,
    ) -> None:
        self.flowset = flowset
        self.catalogs = catalogs
        self.slots = slots

    def _fill(self, lang: str, template: str) -> str:
        values = display_values(
            self.slots, self.flowset.slot_specs, lang, SAMPLE_PORTS, self.catalogs
        )
        values.update(phone=SAMPLE_PHONE, registration_id=SAMPLE_REGISTRATION)
        for name, sample in {**STAFF_SAMPLES, **CALL_SAMPLES}.items():
            values.setdefault(name, sample)
        return string.Formatter().vformat(template, (), values)

    def _options(self, lang: str, kind: str, step: Step | None = None) -> list[str]:
        if kind == "ports":
            return list(SAMPLE_PORTS.values())
        if kind == "languages":
            return [language.own_name for language in LANGUAGES]
        if step is not None and step.collect is not None and step.collect.options:
            return [self.catalogs.gettext(lang, opt.label) for opt in step.collect.options]
        if kind == "yes_no":
            return [self.catalogs.gettext(lang, m) for m in ("Yes", "No")]
        return []

    def _with_options(self, lang: str, text: str, options: list[str]) -> str:
        numbered = "\n".join(f"{i}. {title}" for i, title in enumerate(options, start=1))
        return f"{text}\n{numbered}" if options else text

    def _step_options(self, lang: str, step: Step) -> list[str]:
        collect = step.collect
        if collect is None:
            return []
        if collect.options_from == "ports":
            return self._options(lang, "ports")
        if collect.type == "language" or collect.options_from == "languages":
            return self._options(lang, "languages")
        return self._options(lang, collect.type, step)

    def prompts(self, lang: str) -> Iterator[Prompt]:
        """Every translatable message once, in the longest form it is sent in."""
        seen: set[str] = set()
        for key, msgid in self.flowset.messages.items():
            options = self._options(lang, _MESSAGE_OPTIONS.get(key, ""))
            text = self._fill(lang, self.catalogs.gettext(lang, msgid))
            seen.add(msgid)
            yield Prompt(msgid, self._with_options(lang, text, options))
        for flow in self.flowset.flows.values():
            for step in flow.steps.values():
                options = self._step_options(lang, step)
                for said in (step.say, step.invalid):
                    if said is None or said in seen or (said == step.say and step.literal):
                        continue
                    seen.add(said)
                    text = self._fill(lang, self.catalogs.gettext(lang, said))
                    yield Prompt(said, self._with_options(lang, text, options))
                if step.collect is not None:
                    whole = self._with_options(
                        lang, self._fill(lang, self.catalogs.gettext(lang, step.say or "")), options
                    )
                    for opt in step.collect.options:
                        if opt.label not in seen:
                            seen.add(opt.label)
                            yield Prompt(opt.label, whole)


def sms_text(lang: str, text: str) -> str:
    """What the SMS channel sends for `text` (bot/channels/render.py's rule)."""
    language = BY_CODE.get(lang)
    if language is not None and language.sms_policy is SmsPolicy.TRANSLITERATE:
        return transliterate_for_sms(text)
    return text


def language_report(
    lang: str, msgids: list[str], catalogs: Catalogs, renderer: PromptRenderer
) -> LanguageReport:
    catalog = catalogs.catalog(lang)
    reviewed = draft = 0
    for msgid in msgids:
        message = catalog.get(msgid) if catalog is not None else None
        if message is not None and message.string:
            if message.fuzzy:
                draft += 1
            else:
                reviewed += 1
    sent = [sms_text(lang, prompt.text) for prompt in renderer.prompts(lang)]
    segments = [segment_count(text) for text in sent]
    return LanguageReport(
        messages=len(msgids),
        reviewed=reviewed,
        draft=draft,
        missing=len(msgids) - reviewed - draft,
        sms_max_segments=max(segments, default=0),
        sms_mean_segments=round(sum(segments) / len(segments), 2) if segments else 0.0,
        sms_non_gsm=sum(not is_gsm7(text) for text in sent),
    )


def build_report(flows_dir: Path, translations_dir: Path) -> dict[str, dict[str, object]]:
    """`{lang: {messages, reviewed, draft, missing, sms_..., parts}}` for every catalog;
    `parts`: every part of the language's pack and how complete it is (bot/i18n/tools/parts)."""
    catalogs = Catalogs.load(translations_dir)
    flowset = load_flows(flows_dir, catalogs, required_languages=())
    renderer = PromptRenderer(flowset, catalogs)
    msgids = [str(m.id) for m in build_template(flows_dir) if m.id]
    order = [lang.code for lang in LANGUAGES]
    langs = sorted(catalogs.languages, key=lambda c: (order.index(c) if c in order else 99, c))
    everything = packs()
    report: dict[str, dict[str, object]] = {}
    for lang in langs:
        figures: dict[str, object] = asdict(language_report(lang, msgids, catalogs, renderer))
        pack = everything.get(lang)
        figures["parts"] = pack_parts(pack, everything) if pack else {"pack.yaml": "missing"}
        report[lang] = figures
    return report
