"""A not-selected household's "why", from the booking API's explanation to message values.

The same figures reach the person two ways: in the "not selected" notice (the event carries
them, `data.explanation`) and in their status answer (`GET /v1/slot-requests/{id}/explanation`).
Both become the `why_*` values below, and one of three wordings (flows/status.yaml,
flows/notices.yaml) is chosen by `wording`, so no message says "0 places went to..." or
"a chance of 1 in nothing".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Explanation field -> message value (shown as a number in the person's language).
FIELDS = {
    "capacity": "why_capacity",
    "places_waited_longest": "why_places_longest",
    "longest_waiting_cutoff_days": "why_cutoff_days",
    "places_drawn": "why_places_drawn",
    "households_in_draw": "why_households_in_draw",
    "waited_days": "why_waited_days",
    "chance_one_in": "why_chance",
}
NUMBER_VALUES = frozenset(FIELDS.values())
#: Wordings, each a step suffix: `not_selected_<wording>` in notices.yaml and status.yaml.
WORDINGS = ("explained", "all_drawn", "none_drawn")


def why_values(explanation: Mapping[str, Any] | None) -> dict[str, str]:
    """The `why_*` values of an explanation (empty when there is none)."""
    if not explanation:
        return {}
    return {
        name: str(int(explanation[field]))
        for field, name in FIELDS.items()
        if explanation.get(field) is not None
    }


def wording(values: Mapping[str, Any]) -> str | None:
    """Which wording fits the figures, or None (then the plain "not chosen" message)."""
    if "why_capacity" not in values or int(values["why_capacity"]) == 0:
        return None
    drawn = "why_chance" in values and int(values.get("why_places_drawn", 0)) > 0
    longest = "why_cutoff_days" in values and int(values.get("why_places_longest", 0)) > 0
    if drawn and longest:
        return "explained"
    if drawn:
        return "all_drawn"
    if longest:
        return "none_drawn"
    return None


def not_selected_step(values: Mapping[str, Any]) -> str:
    """The step (in notices.yaml or status.yaml) that says a not-selected result."""
    chosen = wording(values)
    return f"not_selected_{chosen}" if chosen else "not_selected"
