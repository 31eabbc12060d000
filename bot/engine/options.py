"""Option sources: the options a question computes at run time (`collect.options_from`).

One registry the loader checks names against and the tests loop over. A source reads only
the turn (ports, the session's answers, the one list of relationships); lists that live in a
database (a shelter's households, waiting handoffs, appointments) are put in the session by
the effect action that runs before the question (bot/engine/actions/staff.py), as
`[[id, title], ...]` under the source's slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from bot import household
from bot.engine.answers.base import OptionContext
from bot.engine.shown import DisplayContext, as_language, as_port, as_text
from bot.languages import BY_CODE, LANGUAGES
from bot.messages import Option
from bot.ports import port_words
from nlu import packs
from nlu.entities.lexicon import Lexicon


class OptionSource(Protocol):
    name: str
    #: Known only at run time for one person (not synced as WhatsApp content in advance).
    dynamic: bool

    def options(self, ctx: OptionContext) -> tuple[Option, ...]: ...

    def display(self, value: Any, ctx: DisplayContext) -> str: ...

    def match(self, text: str, options: tuple[Option, ...]) -> Option | None:
        """Other words for an option than its number and title (None: no other words)."""
        ...


class _Source:
    dynamic = True

    def display(self, value: Any, ctx: DisplayContext) -> str:
        return as_text(value, ctx)

    def match(self, text: str, options: tuple[Option, ...]) -> Option | None:
        return None


class Ports(_Source):
    """Each port also by its other names: the Mexican city across from it and spellings
    ("tijuana", "juarez", "elpaso"), from bot/ports.py."""

    name = "ports"

    def options(self, ctx: OptionContext) -> tuple[Option, ...]:
        return tuple(Option(id=pid, title=name) for pid, name in ctx.ports.items())

    def display(self, value: Any, ctx: DisplayContext) -> str:
        return as_port(value, ctx)

    def match(self, text: str, options: tuple[Option, ...]) -> Option | None:
        port = _ports_lexicon(tuple((o.id, o.title) for o in options)).match(text)
        return next((o for o in options if o.id == port), None)


@lru_cache(maxsize=64)
def _ports_lexicon(ports: tuple[tuple[str, str], ...]) -> Lexicon:
    return Lexicon({port_id: port_words(port_id, name) for port_id, name in ports})


packs.on_reload(_ports_lexicon.cache_clear)  # the aliases are pack data (`port_aliases`)


@dataclass
class Languages(_Source):
    name: str = "languages"
    #: The language guessed from the first message comes first (the slot's current value).
    guess_first: bool = False
    dynamic = False

    def options(self, ctx: OptionContext) -> tuple[Option, ...]:
        languages = list(LANGUAGES)
        guess = ctx.slots.get(ctx.collect.slot)
        if self.guess_first and guess in BY_CODE:
            languages.sort(key=lambda lang: lang.code != guess)  # stable: the rest in order
        return tuple(Option(id=lang.code, title=lang.own_name) for lang in languages)

    def display(self, value: Any, ctx: DisplayContext) -> str:
        return as_language(value, ctx)


class Members(_Source):
    """The people added to the household (option ids are their indexes)."""

    name = "members"
    def options(self, ctx: OptionContext) -> tuple[Option, ...]:
        return tuple(
            Option(id=str(index), title=str(member.get("full_name", "")))
            for index, member in enumerate(household.members(ctx.slots))
        )


class Relationships(_Source):
    """The one list of relationships (flows/household.yaml's question), translated."""

    name = "relationships"
    dynamic = False

    def options(self, ctx: OptionContext) -> tuple[Option, ...]:
        return tuple(Option(id=r.id, title=ctx.translate(r.label)) for r in ctx.relationships)


@dataclass
class Listed(_Source):
    """A list an effect action put in the session (`slot`: `[[id, title], ...]`)."""

    name: str
    slot: str

    def options(self, ctx: OptionContext) -> tuple[Option, ...]:
        listed = ctx.slots.get(self.slot) or []
        return tuple(Option(id=str(item[0]), title=str(item[1])) for item in listed)


#: Slots of the lists staff actions load (bot/engine/actions/staff.py).
HOUSEHOLDS_SLOT = "_staff_households"
HANDOFFS_SLOT = "_staff_handoffs"
APPOINTMENTS_SLOT = "_staff_appointments"

OPTION_SOURCES: dict[str, OptionSource] = {
    s.name: s
    for s in (
        Ports(),
        Languages(),
        Languages("languages_guess_first", guess_first=True),
        Members(),
        Relationships(),
        Listed("households", HOUSEHOLDS_SLOT),
        Listed("handoffs", HANDOFFS_SLOT),
        Listed("appointments", APPOINTMENTS_SLOT),
    )
}
