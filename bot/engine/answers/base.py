"""What every answer type shares: the contexts it reads, its two possible results, and the
whole plug-in: an answer type owns its parsing, its options, its branch keys, how its value is
shown, the parameters a step may give it and its retry message. The runner, the loader and the
display module ask it; none of them switches on a type's name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from bot.engine.models import Collect, OptionSpec
from bot.engine.session import Session
from bot.engine.shown import DisplayContext
from bot.messages import Option


@dataclass(frozen=True, slots=True)
class AnswerContext:
    lang: str
    today: date
    collect: Collect
    #: The options shown for this question (ids and translated titles), numbered from 1.
    options: tuple[Option, ...] = ()
    #: The slot's value before this answer (e.g. the guessed language that "yes" confirms).
    current: Any = None


@dataclass(frozen=True, slots=True)
class OptionContext:
    """What computing a question's options may read (no I/O: lists from the database are put
    in the session by the effect action before the question, bot/engine/options.py)."""

    lang: str
    collect: Collect
    slots: Mapping[str, Any]
    #: Port id -> display name (configured, or the booking API's last list).
    ports: Mapping[str, str]
    #: A msgid in this language.
    translate: Callable[[str], str]
    #: One of the engine's own messages (flows/messages.yaml) by key.
    message: Callable[[str], str]
    #: The one list of relationships (FlowSet.relationships): ids and English msgids.
    relationships: tuple[OptionSpec, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Accepted:
    #: JSON-serialisable (ISO date strings, ISO country codes, option ids...).
    value: Any
    #: The branch key for steps that branch on the answer ("yes"/"no", an option id).
    branch_key: str | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    #: Key of the retry message in flows/messages.yaml, used when the step has no `invalid`.
    message: str
    #: True when the step's own `invalid` text should not replace this message (e.g. a date
    #: that cannot exist is a different problem from a date we could not read).
    specific: bool = False


AnswerResult = Accepted | Rejected

#: `collect:` fields every answer type takes.
COMMON_FIELDS = frozenset({"slot", "type"})
#: The fields of a type that offers options.
OPTION_FIELDS = frozenset({"options", "options_from"})


class AnswerType(Protocol):
    name: str
    #: Message key used when a step does not give its own `invalid` text.
    default_invalid: str
    #: `collect:` fields besides slot and type a step may set for this type (the loader
    #: refuses others).
    parameters: frozenset[str]
    #: A step of this type must list options or name an option source.
    needs_options: bool
    #: Free text may be taken for one of the offered options by the NLU.
    understands_options: bool
    #: Keys of flows/messages.yaml it answers with besides `default_invalid` (checked at
    #: load time).
    extra_messages: frozenset[str]

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult: ...

    def options(self, ctx: OptionContext) -> tuple[Option, ...]: ...

    def branch_keys(self, collect: Collect) -> frozenset[str] | None:
        """The keys a step of this type can branch on; None: whatever the options are."""
        ...

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str: ...

    def empty(self, collect: Collect, ctx: DisplayContext) -> str:
        """How an answer of none (null: "no phone") is shown."""
        ...

    def accept(self, session: Session, value: Any) -> None:
        """Besides the slot: what an accepted answer changes (the language answer sets the
        conversation's language)."""
        ...


class BaseAnswer:
    """Defaults an answer type overrides where it differs."""

    name = ""
    default_invalid = "invalid_choice"
    parameters: frozenset[str] = frozenset()
    needs_options = False
    understands_options = False
    extra_messages: frozenset[str] = frozenset()

    def options(self, ctx: OptionContext) -> tuple[Option, ...]:
        return listed_options(ctx)

    def branch_keys(self, collect: Collect) -> frozenset[str] | None:
        return None

    def display(self, value: Any, collect: Collect, ctx: DisplayContext) -> str:
        return str(value)

    def empty(self, collect: Collect, ctx: DisplayContext) -> str:
        return ""

    def accept(self, session: Session, value: Any) -> None:
        return None


def listed_options(ctx: OptionContext) -> tuple[Option, ...]:
    """The step's options: from its source (`options_from`), else its own, translated."""
    if ctx.collect.options_from is not None:
        from bot.engine.options import OPTION_SOURCES

        return OPTION_SOURCES[ctx.collect.options_from].options(ctx)
    return tuple(Option(id=o.id, title=ctx.translate(o.label)) for o in ctx.collect.options)


def own_option_ids(collect: Collect) -> frozenset[str] | None:
    """Branch keys of a step with its own options (None with a source: known at run time)."""
    if collect.options_from is not None:
        return None
    return frozenset(o.id for o in collect.options)
