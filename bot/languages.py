"""The language table, read from the language packs (`translations/<code>/pack.yaml`).

Nothing about a language is written here: its own name, fallback, formatting locale, SMS
policy and whether its catalog must be complete all come from its pack (nlu/packs.py). This
module turns the enabled packs into the `Language` records the bot uses, and keeps
`LANGUAGES`, `BY_CODE` and `REQUIRED_LANGUAGES` current when the packs are read from
another directory (`nlu.packs.use_packs_dir`, done by `Catalogs.load` at start-up).

`formatting_locale` is the Babel locale for dates and numbers: Babel has no data for the Mayan
languages and only French data under `ht`, so the Mayan packs format like es_GT and `ht` has
its own month and weekday names in its pack. `required` languages must have every message
reviewed before the bot starts; the others may be partial and fall back (then an interpreter is
offered).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from nlu import packs as pack_files


class SmsPolicy(StrEnum):
    #: Transliterate letters that force UCS-2 into GSM-7 look-alikes (á -> a): 2-3x cheaper.
    TRANSLITERATE = "transliterate"
    #: Send as written, even if it costs UCS-2 segments.
    UNICODE = "unicode"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    own_name: str
    fallback: str | None
    formatting_locale: str | None
    direction: str = "ltr"
    sms_policy: SmsPolicy = SmsPolicy.TRANSLITERATE
    #: Whether the catalog's drafts (fuzzy entries) may be shown; off until reviewed.
    show_drafts: bool = False
    #: Every flow message must exist, reviewed, in this catalog (checked at start-up).
    required: bool = False
    #: Babel locale for digit grouping and the decimal mark, when not `formatting_locale`'s.
    number_locale: str | None = None
    #: Nothing in the pack has been reviewed by a native speaker yet.
    draft: bool = False
    #: Only the pack's keywords identify it; text the bot cannot read goes to an interpreter.
    keywords_only: bool = False
    #: The word before the last name of a list, where CLDR's is not this language's.
    list_and: str | None = None
    #: Month and weekday names (January, Monday first) and country and time zone names,
    #: where CLDR has none for this language (the pack's own; `ht`: Babel's are French).
    months: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ()
    countries: Mapping[str, str] = field(default_factory=dict)
    timezones: Mapping[str, str] = field(default_factory=dict)


def _language(pack: pack_files.Pack) -> Language:
    return Language(
        code=pack.code,
        own_name=pack.name,
        fallback=pack.fallback,
        formatting_locale=pack.formatting_locale,
        sms_policy=SmsPolicy(pack.sms),
        show_drafts=pack.show_drafts,
        required=pack.required,
        number_locale=pack.number_locale,
        draft=pack.status == "draft",
        keywords_only=pack.keywords_only,
        list_and=pack.list_and,
        months=pack.months,
        weekdays=pack.weekdays,
        countries=pack.countries,
        timezones=pack.timezones,
    )


#: Menu order is the order people see in the language menu (numbered from 1). These three
#: objects are updated in place when the packs are reloaded, so importers stay current.
LANGUAGES: list[Language] = []
BY_CODE: dict[str, Language] = {}
#: The catalogs that must be complete and reviewed (the flow loader refuses to start otherwise),
#: in a stable order so that start-up errors always name the same catalog first.
REQUIRED_LANGUAGES: list[str] = []


def _refresh() -> None:
    languages = [_language(pack) for pack in pack_files.enabled_packs().values()]
    LANGUAGES[:] = languages
    BY_CODE.clear()
    BY_CODE.update({lang.code: lang for lang in languages})
    REQUIRED_LANGUAGES[:] = sorted(lang.code for lang in languages if lang.required)


_refresh()
pack_files.on_reload(_refresh)


def use_packs(translations_dir: Path) -> None:
    """Read the packs of `translations_dir` (at start-up) and refuse to go on when an enabled
    pack lacks a required part or two packs give one word two meanings (PackError, naming
    each file to fix). A directory without any pack (catalogs only) keeps the packs read."""
    has_packs = any(translations_dir.glob(f"*/{pack_files.PACK_FILE}"))
    if has_packs and translations_dir.resolve() != pack_files.packs_dir():
        pack_files.use_packs_dir(translations_dir)
    else:
        pack_files.refresh()
    everything = pack_files.packs()
    enabled = pack_files.enabled_packs()
    problems = [problem for pack in enabled.values()
                for problem in pack_files.check_pack(pack, everything)]
    problems.extend(pack_files.conflicts(enabled.values()))
    if "es" not in enabled:
        problems.append(f"{pack_files.packs_dir()}/es/pack.yaml: the root language (every fallback "
                        "ends there) must be enabled")
    if problems:
        raise pack_files.PackError("\n".join(problems))


def get_language(code: str | None, default: str = "es") -> Language:
    return BY_CODE.get(code or default, BY_CODE[default])


def parse_codes(text: str) -> frozenset[str]:
    """Language codes from a setting such as ``"quc,mam"``; unknown codes are refused, so a
    typo in the configuration stops start-up instead of silently showing nothing."""
    codes = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = codes - set(BY_CODE)
    if unknown:
        raise ValueError(f"unknown language code(s) {sorted(unknown)}; known: {sorted(BY_CODE)}")
    return codes


def fallback_chain(code: str) -> list[str]:
    """The catalogs to try, in order, for a message in `code` (ends with the source, English)."""
    chain: list[str] = []
    current: str | None = code
    while current is not None and current not in chain:
        chain.append(current)
        current = BY_CODE[current].fallback if current in BY_CODE else None
    return chain
