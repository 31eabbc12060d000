"""Every content resource the flows and catalogs call for (`frontdoor whatsapp sync`).

* Interactive: each question step whose options are known before anyone writes (the step's
  own options, yes/no, the language menus, the language menu with each guess first), in each
  content language: a quick-reply or list-picker when they fit (interactive.py).
* Templates: each notice (flows/notices.yaml) in each content language, with the question
  the notice leads to (allocated -> "Do you confirm?" and its options), placeholders turned
  into numbered variables ({appointment_port} -> {{1}}); a quick-reply template when the
  question's options fit, else text. Submitted for WhatsApp approval (category UTILITY).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from bot.channels.twilio.content import ContentSpec
from bot.channels.twilio.interactive import (
    QUICK_REPLY,
    TEXT,
    interactive_for,
    kind_for,
    numbered,
)
from bot.engine.models import FLOW_PREFIX
from bot.engine.options import OPTION_SOURCES
from bot.engine.runner import Engine, TurnContext
from bot.languages import LANGUAGES
from bot.messages import Option

#: Languages with reviewed catalogs: their contents are created (others get numbered text).
CONTENT_LANGUAGES = ("es", "ht", "pt", "en")
NOTICES_FLOW = "notices"
BUTTON_MESSAGE = "choose_button"
#: Steps whose options depend on the person (their household, a shelter's lists) or on the
#: booking API: the option sources that say they are `dynamic`.
DYNAMIC = frozenset(name for name, source in OPTION_SOURCES.items() if source.dynamic)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def button_label(engine: Engine, lang: str) -> str:
    """The list-picker's button (the text of the button that opens the list)."""
    msgid = engine.flowset.messages.get(BUTTON_MESSAGE, "Options")
    return engine.catalogs.gettext(lang, msgid)


def _context() -> TurnContext:
    now = datetime.now(UTC)
    return TurnContext(now=now, today=now.date(), ports={})


def interactive_specs(
    engine: Engine, langs: Sequence[str] = CONTENT_LANGUAGES
) -> Iterator[ContentSpec]:
    ctx = _context()
    seen: set[tuple[str, str]] = set()
    for lang in langs:
        button = button_label(engine, lang)
        for flow_name, flow in engine.flowset.flows.items():
            if flow_name == NOTICES_FLOW:
                continue
            for step_name, step in flow.steps.items():
                collect = step.collect
                if collect is None or collect.options_from in DYNAMIC:
                    continue
                guesses: list[str | None] = [None]
                if collect.options_from == "languages_guess_first":
                    guesses = [language.code for language in LANGUAGES]
                for guess in guesses:
                    options = engine.offered(flow_name, step_name, lang, ctx, guess=guess)
                    content = interactive_for(options, lang, button)
                    if content is None or (content.key, lang) in seen:
                        continue
                    seen.add((content.key, lang))
                    yield ContentSpec(
                        key=content.key,
                        lang=lang,
                        kind=content.kind,
                        types=content.types(),
                        variables={"1": "…"},
                    )


def template_key(step: str) -> str:
    return f"notice.{step}"


def _numbered_variables(text: str) -> tuple[str, tuple[str, ...]]:
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return "{{" + str(names.index(name) + 1) + "}}"

    return _PLACEHOLDER.sub(number, text), tuple(names)


def template_fits(body: str) -> bool:
    """WhatsApp's rules: no variable at the start or the end, none side by side."""
    stripped = body.strip()
    return not (
        stripped.startswith("{{")
        or stripped.endswith("}}")
        or re.search(r"\}\}\s*\{\{", stripped) is not None
    )


def template_specs(
    engine: Engine, langs: Sequence[str] = CONTENT_LANGUAGES
) -> Iterator[ContentSpec]:
    ctx = _context()
    notices = engine.flowset.flows[NOTICES_FLOW]
    for lang in langs:
        for step_name, step in notices.steps.items():
            if not step.say:
                continue
            text = engine.catalogs.gettext(lang, step.say)
            options: tuple[Option, ...] = ()
            target = step.next or ""
            if target.startswith(FLOW_PREFIX):
                flow_name = target.removeprefix(FLOW_PREFIX).split(":")[0]
                flow = engine.flowset.flows[flow_name]
                first = flow.steps[flow.start]
                if first.collect is not None and first.say:
                    options = engine.offered(flow_name, flow.start, lang, ctx)
                    question = engine.catalogs.gettext(lang, first.say)
                    text = f"{text}\n\n{question}"
            body, names = _numbered_variables(text)
            if not template_fits(body):
                continue
            samples = {str(i): f"[{name}]" for i, name in enumerate(names, start=1)}
            with_numbers = f"{body}\n{numbered(options)}" if options else body
            types: dict[str, object] = {TEXT: {"body": with_numbers}}
            kind = TEXT
            if options and kind_for(options, "") == QUICK_REPLY:
                actions = [{"title": o.title, "id": o.id} for o in options]
                types = {
                    QUICK_REPLY: {"body": body, "actions": actions},
                    TEXT: {"body": with_numbers},
                }
                kind = QUICK_REPLY
            yield ContentSpec(
                key=template_key(step_name),
                lang=lang,
                kind=kind,
                types=types,
                variables=samples,
                names=names,
                template=True,
            )


def all_specs(engine: Engine, langs: Sequence[str] = CONTENT_LANGUAGES) -> list[ContentSpec]:
    return [*interactive_specs(engine, langs), *template_specs(engine, langs)]
