"""The shape of a flow file. Parsing is strict (unknown keys are errors) so typos surface at
start-up, not in a conversation."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

#: A branch/next target: a step of the same flow, `flow:<name>` (start of another flow),
#: `return` (back to where a detour such as the language menu was opened), or `resume`
#: (back to where the conversation was when a mode such as staff mode was entered, without
#: asking anything: the person writes next).
FLOW_PREFIX = "flow:"
RETURN = "return"
RESUME = "resume"


class OptionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str


class Collect(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    slot: str
    type: str
    options: tuple[OptionSpec, ...] = ()
    #: Options computed at run time: a name of bot/engine/options.py OPTION_SOURCES.
    options_from: str | None = None
    #: Parameters of some answer types (each type says which it takes: `parameters`).
    past: bool = False
    min: int | None = None
    max: int | None = None
    optional: bool = False


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    say: str | None = None
    #: `say` is shown as written, not translated (the multilingual language menu only).
    literal: bool = False
    collect: Collect | None = None
    invalid: str | None = None
    #: A slot holding lines (a list of texts an action prepared) shown under `say`.
    lines: str | None = None
    #: Said after a question's numbered options (how to answer them).
    footer: str | None = None
    action: str | None = None
    #: Slots an effect action reads, kept with it while it waits (`PendingAction.values`).
    inputs: tuple[str, ...] = ()
    next: str | None = None
    branch: dict[str, str] = Field(default_factory=dict)


class Flow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    flow: str
    start: str
    steps: dict[str, Step]
    #: A mode of its own (staff mode): MENU, BACK and the other commands but LANGUAGE and
    #: HELP go to this flow; danger words, the NLU and the interpreter offer, which are the
    #: applicant's, stay off (a staff answer such as "they were kidnapped" is a message).
    menu: str | None = None
    source: Path = Path("<memory>")


class MessagesFile(BaseModel):
    """`flows/messages.yaml`: messages the engine itself says (not tied to a step)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    messages: dict[str, str]
