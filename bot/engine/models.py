"""The shape of a flow file. Parsing is strict (unknown keys are errors) so typos surface at
start-up, not in a conversation."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

#: A branch/next target: a step of the same flow, `flow:<name>` (start of another flow),
#: or `return` (back to where a detour such as the language menu was opened).
FLOW_PREFIX = "flow:"
RETURN = "return"


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
    action: str | None = None
    next: str | None = None
    branch: dict[str, str] = Field(default_factory=dict)


class Flow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    flow: str
    start: str
    steps: dict[str, Step]
    source: Path = Path("<memory>")


class MessagesFile(BaseModel):
    """`flows/messages.yaml`: messages the engine itself says (not tied to a step)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    messages: dict[str, str]
