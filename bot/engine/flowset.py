"""A loaded, validated set of flows plus the engine's own messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine.models import FLOW_PREFIX, Collect, Flow, OptionSpec, Step

#: Messages the engine itself needs (keys of flows/messages.yaml); checked at load time.
REQUIRED_MESSAGES = frozenset(
    {
        "yes",
        "no",
        "invalid_choice",
        "invalid_yes_no",
        "invalid_date",
        "impossible_date",
        "date_not_past",
        "invalid_country",
        "invalid_name",
        "invalid_number",
        "invalid_language",
        "received_later",
        "flooding",
        "thanks_reply",
        "thanks_home",
        "stuck",
        "help_here",
        "media_only",
        "no_text",
        "too_long",
        "replayed",
        "opted_out",
        "opted_in",
    }
)

#: The household question whose options are the relationships (ids the booking API, staff
#: mode and the portal use; labels translated like every flow message): the one list of them.
RELATIONSHIP_SLOT = "member_relationship"

WELCOME_FLOW = "welcome"
MENU_FLOW = "menu"
#: Notifications the worker sends (one step per purpose, see bot/jobs/models.py PURPOSES).
NOTICES_FLOW = "notices"
LANGUAGE_FLOW = "language"
#: Optional: offered once when a question falls back to another language (see runner).
INTERPRETER_FLOW = "interpreter"
#: Optional step of the welcome flow: "It looks like you write in X. Continue in X?"
CONFIRM_LANGUAGE_STEP = "confirm_language"


@dataclass(frozen=True)
class FlowSet:
    flows: dict[str, Flow]
    messages: dict[str, str]
    #: slot name -> the collect spec that fills it (decides how a value is displayed).
    slot_specs: dict[str, Collect] = field(default_factory=dict)

    @property
    def relationships(self) -> tuple[OptionSpec, ...]:
        """Relationship ids and their English labels (msgids), from flows/household.yaml."""
        spec = self.slot_specs.get(RELATIONSHIP_SLOT)
        return spec.options if spec is not None else ()

    def step(self, flow: str, step: str) -> Step:
        return self.flows[flow].steps[step]

    def resolve(self, current_flow: str, target: str) -> tuple[str, str]:
        """`step`, `flow:name` or `flow:name:step` -> (flow, step). Special targets are
        handled by the runner."""
        if target.startswith(FLOW_PREFIX):
            name, _, step = target.removeprefix(FLOW_PREFIX).partition(":")
            return name, step or self.flows[name].start
        return current_flow, target
