"""`frontdoor i18n new CODE --name NAME --fallback es`: a new language pack, ready to fill in.

It writes `translations/CODE/pack.yaml` (every part, commented, with empty word lists; not
enabled, so start-up does not refuse it while it is being written) and the catalog
`LC_MESSAGES/frontdoor.po` with every message of the template, untranslated. The translator
fills both in (docs/translating.md), checks `frontdoor i18n report`, and sets `enabled: true`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog

from bot.i18n import DOMAIN, po_path, write_catalog
from bot.i18n.tools.extract import build_template
from nlu.packs import COMMANDS, PACK_FILE, load_pack

_CODE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")

PACK_TEMPLATE = """\
# The language pack of {name} ({code}): everything the bot needs to speak it besides the
# messages in LC_MESSAGES/frontdoor.po. Fill in every part (docs/translating.md), check
# `frontdoor i18n report`, then set `enabled: true`.

# The language's own name, as its speakers write it (the language menu shows it).
name: {name_yaml}
# Offered to people once true; start-up then refuses the pack while a required part is missing.
enabled: false
# Place in the language menu (numbered from 1 in this order).
order: {order}
# reviewed: a native speaker checked this file; draft: not yet.
status: draft
# Every message must be reviewed in the catalog before the bot starts (the main languages only).
required: false
# Shown where a message is not translated (or only drafted) yet.
fallback: {fallback}
# Babel (CLDR) locale for dates, times and numbers; null: give months and weekdays below.
formatting_locale: {formatting}
# transliterate: letters that would force UCS-2 are sent as GSM-7 look-alikes (á -> a), 2-3x
# cheaper; unicode: as written.
sms: transliterate
# Words that work at every question when they are the whole message (any case, with or
# without accents): one or more each. A carrier keyword (STOP, END, QUIT, CANCEL, START, HELP,
# INFO, ...) may only mean what the carrier makes of it. voice and cancel may stay empty.
commands:
{commands}
# The word between the last two names of a list ("Ana, Luis ak Rosa"); null: CLDR's.
list_and: null
# Month names, January first, and weekday names, Monday first, if CLDR has none:
# months: [..., ...]
# weekdays: [..., ...]
# Frequent chat words of this language, to recognise it in a first message.
keywords: []
# No statistical model knows this language: its keywords alone identify it, and a message the
# bot cannot read goes to a person who speaks it (the interpreter path).
keywords_only: true
# The NLU's word tables (see translations/es/pack.yaml for every table); without them the
# fallback's are used:
# understanding:
#   yes_words: "..., ..."
#   no_words: "..., ..."
"""


def new_pack(
    translations: Path, flows: Path, code: str, name: str, fallback: str, formatting: str | None
) -> Path:
    """Write the new pack's folder; refuses a code that exists or is not a language code."""
    if not _CODE.match(code):
        raise ValueError(f"{code!r}: a language code (ISO 639: two or three lower-case letters)")
    folder = translations / code
    if (folder / PACK_FILE).exists():
        raise FileExistsError(f"{folder / PACK_FILE} exists already")
    if not (translations / fallback / PACK_FILE).exists():
        raise ValueError(f"fallback {fallback!r}: no pack translations/{fallback}/")
    orders = [load_pack(p.parent).order for p in translations.glob(f"*/{PACK_FILE}")]
    folder.mkdir(parents=True, exist_ok=True)
    text = PACK_TEMPLATE.format(
        name=name,
        code=code,
        name_yaml=yaml.safe_dump(name, allow_unicode=True).strip().removesuffix("\n..."),
        order=max(orders, default=0) + 1,
        fallback=fallback,
        formatting=formatting or "null",
        commands="\n".join(f"  {command}: []" for command in COMMANDS),
    )
    (folder / PACK_FILE).write_text(text, encoding="utf-8")
    catalog = Catalog(project="frontdoor", domain=DOMAIN)
    # Babel refuses locales without CLDR data (mam, kjb): keep the code as text.
    catalog.locale = None
    catalog._locale_identifier = code
    for message in build_template(flows):
        if message.id:
            catalog.add(message.id, "", locations=message.locations)
    write_catalog(po_path(translations, code), catalog)
    return folder
