"""Language packs: one folder per language, `translations/<code>/`, read here and nowhere else.

A pack is what a community translator edits to add or improve a language, without Python:

    translations/<code>/LC_MESSAGES/frontdoor.po   the messages (gettext; drafts are fuzzy)
    translations/<code>/pack.yaml                  everything else (docs/translating.md):
        name, enabled, required, status, fallback, formatting_locale, number_locale, sms,
        commands (menu, back, help, language, person, staff, stop, start, ...), list_and,
        months / weekdays / countries / timezones where CLDR has none, port_aliases,
        keywords (to recognise the language), understanding (the NLU's word tables)
    translations/<code>/nlu.yml                    NLU training examples (Rasa format; optional)

This module is the lowest layer (the NLU and the bot both read packs through it), so it
knows the file format and the checks, not what the bot does with a pack. The directory is
the project's `translations/` unless `use_packs_dir` says otherwise (a deployment's
`FRONTDOOR_TRANSLATIONS_DIR`, a test's folder); every table built from packs is rebuilt then
(`on_reload`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CARRIER_MEANINGS",
    "COMMANDS",
    "DEFAULT_DIR",
    "Pack",
    "PackError",
    "PackTable",
    "check_pack",
    "conflicts",
    "enabled_packs",
    "load_pack",
    "on_reload",
    "packs",
    "packs_dir",
    "refresh",
    "table_languages",
    "understanding",
    "use_packs_dir",
]

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "translations"
PACK_FILE = "pack.yaml"
CATALOG = Path("LC_MESSAGES") / "frontdoor.po"
TRAINING_FILE = "nlu.yml"

#: The command words every enabled pack must have (a person must be able to stop, get help,
#: go to the menu and reach a person in their own words); `voice` and `cancel` may be empty.
REQUIRED_COMMANDS: tuple[str, ...] = (
    "menu", "back", "help", "language", "person", "staff", "stop", "start",
)  # fmt: skip
COMMANDS: tuple[str, ...] = (*REQUIRED_COMMANDS, "voice", "cancel")
#: Carrier keywords (Twilio's opt-out, opt-in and help words) and the one command each may
#: stand for: the carrier acts on them before we see them, so a pack may list one only with
#: the carrier's own meaning ("stop" to stop), never as another command ("end" for back).
CARRIER_MEANINGS: dict[str, frozenset[str]] = {
    "stop": frozenset({"stop"}),
    "stopall": frozenset({"stop"}),
    "unsubscribe": frozenset({"stop"}),
    "end": frozenset({"stop"}),
    "quit": frozenset({"stop"}),
    "revoke": frozenset({"stop"}),
    "optout": frozenset({"stop"}),
    # CANCEL: an opt-out on SMS, the cancel command on WhatsApp (bot/optout.py).
    "cancel": frozenset({"stop", "cancel"}),
    "start": frozenset({"start"}),
    "unstop": frozenset({"start"}),
    "help": frozenset({"help"}),
    "info": frozenset({"help"}),
    "yes": frozenset(),
}
SMS_POLICIES = frozenset({"transliterate", "unicode"})
#: The categories of danger words (nlu/danger.py) a pack may add words to.
DANGER_CATEGORIES = frozenset({"extortion", "kidnapping", "violence", "medical"})
STATUSES = frozenset({"reviewed", "draft"})


class PackError(ValueError):
    """A pack that cannot be used: the message starts with the file to fix."""


@dataclass(frozen=True, slots=True)
class Pack:
    code: str
    folder: Path
    name: str
    enabled: bool
    order: int
    #: "draft": nothing in pack.yaml has been checked by a native speaker yet.
    status: str
    #: Every flow message must exist, reviewed, in this catalog (checked at start-up).
    required: bool
    fallback: str | None
    formatting_locale: str | None
    number_locale: str | None
    sms: str
    show_drafts: bool
    #: Command -> whole-message words (as written; compared folded). `sms_only_stop`: stop
    #: words only on SMS, where the carrier acted on them already (English CANCEL).
    commands: Mapping[str, tuple[str, ...]]
    sms_only_stop: tuple[str, ...]
    list_and: str | None
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    countries: Mapping[str, str]
    timezones: Mapping[str, str]
    port_aliases: Mapping[str, tuple[str, ...]]
    #: Words that say a message is in this language (the identifier's chat words).
    keywords: tuple[str, ...]
    #: Keywords alone settle the language (no statistical model knows it: the Mayan packs).
    keywords_only: bool
    #: Languages of the statistical identifier that count as this one (``ht``: ``fr``).
    identified_as: tuple[str, ...]
    #: The NLU's word tables for this language, by table name (nlu/entities/*).
    understanding: Mapping[str, Any] = field(default_factory=dict)
    #: The same tables for text written as another language that counts as this one
    #: (``ht``: Kreyòl with French spelling, ``fr``).
    understanding_as: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / PACK_FILE

    @property
    def catalog_path(self) -> Path:
        return self.folder / CATALOG

    @property
    def training_path(self) -> Path:
        return self.folder / TRAINING_FILE

    @property
    def has_training_data(self) -> bool:
        return self.training_path.is_file()


def _words(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise PackError(f"{path}: {where}: a list of words")
    return tuple(w.strip() for w in value)


def _mapping(path: Path, where: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PackError(f"{path}: {where}: a mapping")
    odd = [k for k in value if isinstance(k, bool)]
    if odd:  # YAML reads yes/no/on/off as true/false
        raise PackError(f"{path}: {where}: a key read as {odd[0]}: put it in quotes ('no')")
    return {str(k): v for k, v in value.items()}


def load_pack(folder: Path) -> Pack:
    """Read `folder/pack.yaml`; a malformed file raises PackError naming it."""
    path = folder / PACK_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise PackError(f"{path}: not a mapping")
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise PackError(f"{path}: unknown key(s) {sorted(unknown)}")
    commands_raw = _mapping(path, "commands", raw.get("commands"))
    unknown_commands = set(commands_raw) - set(COMMANDS)
    if unknown_commands:
        raise PackError(f"{path}: commands: unknown {sorted(unknown_commands)}; "
                        f"known: {list(COMMANDS)}")
    sms = str(raw.get("sms", "transliterate"))
    if sms not in SMS_POLICIES:
        raise PackError(f"{path}: sms: {sms!r}, not one of {sorted(SMS_POLICIES)}")
    status = str(raw.get("status", "draft"))
    if status not in STATUSES:
        raise PackError(f"{path}: status: {status!r}, not one of {sorted(STATUSES)}")
    aliases = _mapping(path, "port_aliases", raw.get("port_aliases"))
    return Pack(
        code=folder.name,
        folder=folder,
        name=str(raw.get("name") or ""),
        enabled=bool(raw.get("enabled", False)),
        order=int(raw.get("order", 1000)),
        status=status,
        required=bool(raw.get("required", False)),
        fallback=raw.get("fallback"),
        formatting_locale=raw.get("formatting_locale"),
        number_locale=raw.get("number_locale"),
        sms=sms,
        show_drafts=bool(raw.get("show_drafts", False)),
        commands={c: _words(path, f"commands.{c}", commands_raw.get(c)) for c in COMMANDS},
        sms_only_stop=_words(path, "sms_only_stop", raw.get("sms_only_stop")),
        list_and=raw.get("list_and"),
        months=_words(path, "months", raw.get("months")),
        weekdays=_words(path, "weekdays", raw.get("weekdays")),
        countries={k: str(v) for k, v in _mapping(path, "countries", raw.get("countries")).items()},
        timezones={k: str(v) for k, v in _mapping(path, "timezones", raw.get("timezones")).items()},
        port_aliases={k: _words(path, f"port_aliases.{k}", v) for k, v in aliases.items()},
        keywords=_words(path, "keywords", raw.get("keywords")),
        keywords_only=bool(raw.get("keywords_only", False)),
        identified_as=_words(path, "identified_as", raw.get("identified_as")),
        understanding=_mapping(path, "understanding", raw.get("understanding")),
        understanding_as={
            k: _mapping(path, f"understanding_as.{k}", v)
            for k, v in _mapping(path, "understanding_as", raw.get("understanding_as")).items()
        },
    )


_KNOWN_KEYS = frozenset({
    "name", "enabled", "order", "status", "required", "fallback", "formatting_locale",
    "number_locale", "sms", "show_drafts", "commands", "sms_only_stop", "list_and", "months",
    "weekdays", "countries", "timezones", "port_aliases", "keywords", "keywords_only",
    "identified_as", "understanding_as",
    "understanding",
})  # fmt: skip


def _has_cldr_dates(locale: str | None, code: str) -> bool:
    """Whether Babel has month names for `locale` in the pack's own language."""
    if not locale:
        return False
    from babel import Locale, UnknownLocaleError

    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return False
    return parsed.language == code.split("_")[0] and bool(parsed.months)


def check_pack(pack: Pack, known: Mapping[str, Pack]) -> list[str]:
    """Why an enabled pack cannot be used (each problem names its file); empty when usable."""
    problems: list[str] = []
    where = str(pack.path)
    if not pack.name:
        problems.append(f"{where}: name: missing (the language's own name, as its speakers "
                        "write it)")
    if pack.fallback is not None and pack.fallback not in known:
        problems.append(f"{where}: fallback: {pack.fallback!r} is not a pack")
    if pack.fallback is None and pack.code != "es":
        problems.append(f"{where}: fallback: missing (the language shown where a message is "
                        "not translated yet, usually es)")
    if not pack.catalog_path.is_file():
        problems.append(f"{pack.catalog_path}: missing (the messages; frontdoor i18n new)")
    if pack.formatting_locale is None and not (pack.months and pack.weekdays):
        problems.append(f"{where}: formatting_locale: missing, and no months/weekdays of its "
                        "own (dates could not be written)")
    if pack.formatting_locale is not None:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(pack.formatting_locale)
        except (UnknownLocaleError, ValueError):
            problems.append(f"{where}: formatting_locale: {pack.formatting_locale!r} is not a "
                            "locale Babel knows")
    if pack.months and len(pack.months) != 12:
        problems.append(f"{where}: months: 12 names, January first")
    if pack.weekdays and len(pack.weekdays) != 7:
        problems.append(f"{where}: weekdays: 7 names, Monday first")
    for command in REQUIRED_COMMANDS:
        if not pack.commands.get(command):
            problems.append(f"{where}: commands.{command}: missing (at least one word)")
    problems.extend(_carrier_problems(pack))
    danger = pack.understanding.get("danger") or {}
    unknown = set(danger) - DANGER_CATEGORIES if isinstance(danger, dict) else {"(not a mapping)"}
    if unknown:
        problems.append(f"{where}: understanding.danger: unknown {sorted(unknown)}; known: "
                        f"{sorted(DANGER_CATEGORIES)}")
    if not pack.keywords:
        problems.append(f"{where}: keywords: missing (frequent words of the language, to "
                        "recognise it)")
    return problems


def _carrier_problems(pack: Pack) -> list[str]:
    from nlu.normalize import match_key

    problems: list[str] = []
    for command, words in pack.commands.items():
        for word in words:
            meanings = CARRIER_MEANINGS.get(match_key(word))
            if meanings is not None and command not in meanings:
                problems.append(
                    f"{pack.path}: commands.{command}: {word!r} is a carrier keyword "
                    "(the carrier acts on it before the bot sees it)")
    for word in pack.sms_only_stop:
        if match_key(word) not in CARRIER_MEANINGS:
            problems.append(f"{pack.path}: sms_only_stop: {word!r} is not a carrier keyword")
    return problems


def conflicts(enabled: Iterable[Pack]) -> list[str]:
    """Words that two commands claim (in one pack or across packs): a whole message must mean
    one thing. English CANCEL is both a stop word on SMS and the cancel command elsewhere."""
    from nlu.normalize import match_key

    claims: dict[str, dict[str, Path]] = {}
    for pack in enabled:
        sms_only = {match_key(w) for w in pack.sms_only_stop}
        for command, words in pack.commands.items():
            for word in words:
                key = match_key(word) or word.strip()
                claims.setdefault(key, {}).setdefault(command, pack.path)
        for key in sms_only:
            claims.setdefault(key, {}).pop("stop", None)
    problems = []
    for word, by_command in sorted(claims.items()):
        if len(by_command) > 1:
            where = ", ".join(f"{path} commands.{c}" for c, path in sorted(by_command.items()))
            problems.append(f"{word!r} means two things: {where}")
    return problems


_dir: Path = DEFAULT_DIR
_packs: dict[str, Pack] | None = None
_read_signature: tuple[tuple[str, int], ...] = ()
_listeners: list[Callable[[], None]] = []


def packs_dir() -> Path:
    return _dir


def use_packs_dir(path: Path) -> None:
    """Read packs from `path` from now on; every table built from packs is rebuilt."""
    global _dir, _packs
    _dir = path.resolve()
    _packs = None
    for listener in list(_listeners):
        listener()


def _signature() -> tuple[tuple[str, int], ...]:
    return tuple((str(p), p.stat().st_mtime_ns) for p in sorted(_dir.glob(f"*/{PACK_FILE}")))


def refresh() -> None:
    """Read the packs again if a pack file was added, removed or edited since they were read
    (start-up of another app in the same process; a translator's edit before a restart)."""
    if _packs is not None and _signature() != _read_signature:
        use_packs_dir(_dir)


def on_reload(listener: Callable[[], None]) -> None:
    """Call `listener` whenever the packs change (a cache over pack data clears itself)."""
    _listeners.append(listener)


def packs() -> dict[str, Pack]:
    """Every pack in the directory (enabled or not), by code, in menu order."""
    global _packs, _read_signature
    if _packs is None:
        _read_signature = _signature()
        found = [load_pack(p.parent) for p in sorted(_dir.glob(f"*/{PACK_FILE}"))]
        _packs = {p.code: p for p in sorted(found, key=lambda p: (p.order, p.code))}
    return _packs


def enabled_packs() -> dict[str, Pack]:
    return {code: pack for code, pack in packs().items() if pack.enabled}


def understanding(table: str) -> dict[str, Any]:
    """One NLU word table over the enabled packs: language code -> that pack's entry (then
    the entries of the codes a pack is also identified as: ``fr`` for ``ht``)."""
    entries = {code: pack.understanding[table] for code, pack in enabled_packs().items()
               if table in pack.understanding}
    for pack in enabled_packs().values():
        for alias, tables in pack.understanding_as.items():
            if table in tables:
                entries.setdefault(alias, tables[table])
    return entries


def table_languages() -> tuple[str, ...]:
    """Every language with word tables of its own, packs first (menu order), then aliases."""
    own = [code for code, pack in enabled_packs().items() if pack.understanding]
    aliases = [a for pack in enabled_packs().values() for a in pack.understanding_as]
    return tuple(dict.fromkeys([*own, *aliases]))


class PackTable(Mapping[str, Any]):
    """One NLU word table (language -> entry), read from the packs when first used and again
    after they are reloaded: a module keeps its table as a constant without going stale."""

    def __init__(self, table: str) -> None:
        self.table = table
        self._entries: dict[str, Any] | None = None
        on_reload(self._forget)

    def _forget(self) -> None:
        self._entries = None

    def _data(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = understanding(self.table)
        return self._entries

    def __getitem__(self, lang: str) -> Any:
        return self._data()[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())
