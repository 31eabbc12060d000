"""Every part of every language pack and how complete it is, for `frontdoor i18n report`.

Messages are one part; a pack also has command words, yes/no words, numbers, months, country
names, identification keywords, training data... Each part is reported as what the pack has
itself, what it borrows (its fallback's word tables, CLDR's names), or what is missing, so a
translator sees at once what to do next.
"""

from __future__ import annotations

from collections.abc import Mapping

from nlu.packs import REQUIRED_COMMANDS, Pack, check_pack
from nlu.training_data import load_rasa_yaml

#: The NLU word tables (pack.yaml `understanding:`), grouped as a translator thinks of them.
WORD_TABLES: dict[str, tuple[str, ...]] = {
    "yes/no words": ("yes_words", "no_words"),
    "thanks": ("thanks",),
    "numbers and ordinals": ("number_words", "tens", "day_ordinals"),
    "months, weekdays, days": ("month_words", "weekday_words", "relative_days"),
    "demonyms and country names": ("demonyms", "country_names"),
    "relationships": ("relationships",),
    "names (lead-ins, endings)": ("name_lead_ins", "name_endings"),
    "negation": ("negation",),
}


def _tables(pack: Pack, tables: tuple[str, ...]) -> str:
    have = [t for t in tables if pack.understanding.get(t)]
    if len(have) == len(tables):
        return "own" + (" (draft)" if pack.status == "draft" else "")
    if not have:
        return f"borrowed from {pack.fallback}" if pack.fallback else "missing"
    return f"partly own ({', '.join(have)}); the rest missing"


def pack_parts(pack: Pack, known: Mapping[str, Pack]) -> dict[str, str]:
    """Part -> how complete it is, in words (one line each in the report)."""
    draft = " (draft)" if pack.status == "draft" else ""
    commands = [c for c in REQUIRED_COMMANDS if pack.commands.get(c)]
    missing_commands = [c for c in REQUIRED_COMMANDS if not pack.commands.get(c)]
    parts: dict[str, str] = {
        "status": f"{pack.status}, {'enabled' if pack.enabled else 'not enabled'}"
        + (", every message required" if pack.required else ""),
        "own name": pack.name or "missing",
        "fallback": pack.fallback or "none (the root language)",
        "formatting locale": pack.formatting_locale or "none: own month and weekday names",
        "sms policy": pack.sms,
        "command words": f"{len(commands)}/{len(REQUIRED_COMMANDS)}{draft}"
        + (f", missing {', '.join(missing_commands)}" if missing_commands else ""),
        "stop/start words": f"{len(pack.commands['stop'])} stop, "
        f"{len(pack.commands['start'])} start{draft}",
        "list conjunction": pack.list_and or "CLDR's (or a plain comma list)",
        "month/weekday names": f"own ({len(pack.months)}/12, {len(pack.weekdays)}/7)"
        if pack.months or pack.weekdays else f"CLDR ({pack.formatting_locale})",
        "country names": f"own ({len(pack.countries)}), else {pack.fallback}"
        if pack.countries else f"CLDR ({pack.formatting_locale})",
        "port aliases": f"{sum(len(v) for v in pack.port_aliases.values())} names"
        if pack.port_aliases else "none (the ports' own names)",
        "identification keywords": f"{len(pack.keywords)}{draft}"
        + (", keywords only" if pack.keywords_only else "") if pack.keywords else "missing",
    }
    for label, tables in WORD_TABLES.items():
        parts[label] = _tables(pack, tables)
    danger = pack.understanding.get("danger")
    parts["danger words"] = (
        f"own words for {', '.join(sorted(danger))}, with the shared list"
        if isinstance(danger, dict) and danger else "the shared list (nlu/danger.py) only")
    if pack.has_training_data:
        examples = load_rasa_yaml(pack.training_path, pack.code)
        intents = {e.intent for e in examples}
        parts["training data"] = f"{len(examples)} examples, {len(intents)} intents"
    else:
        parts["training data"] = "none: text it cannot read goes to an interpreter"
    problems = check_pack(pack, known)
    parts["start-up check"] = "ok" if not problems else f"{len(problems)} problem(s): " + "; ".join(
        p.split(": ", 1)[-1] for p in problems)
    return parts
