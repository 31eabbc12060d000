"""Action registries: the loader checks every `action:` against these, tests loop over them."""

from __future__ import annotations

from bot.engine.actions.base import EffectAction, EffectContext, LocalAction, Outcome
from bot.engine.actions.booking import (
    QUEUED,
    UNAVAILABLE,
    CancelAppointment,
    CheckStatus,
    ConfirmAppointment,
    DeleteMyData,
    Register,
    RequestSlot,
)
from bot.engine.actions.local import (
    ForgetAnswers,
    HasConsented,
    IsRegistered,
    OnWhatsApp,
    RecordConsent,
    RemindersOffered,
)

LOCAL_ACTIONS: dict[str, LocalAction] = {
    a.name: a
    for a in (
        IsRegistered(),
        HasConsented(),
        RecordConsent(),
        ForgetAnswers(),
        OnWhatsApp(),
        RemindersOffered(),
    )
}
EFFECT_ACTIONS: dict[str, EffectAction] = {
    a.name: a
    for a in (
        Register(),
        RequestSlot(),
        CheckStatus(),
        ConfirmAppointment(),
        CancelAppointment(),
        DeleteMyData(),
    )
}


def outcomes_of(name: str) -> frozenset[str] | None:
    action = LOCAL_ACTIONS.get(name) or EFFECT_ACTIONS.get(name)
    return None if action is None else action.outcomes


__all__ = [
    "EFFECT_ACTIONS",
    "LOCAL_ACTIONS",
    "QUEUED",
    "UNAVAILABLE",
    "EffectContext",
    "Outcome",
    "outcomes_of",
]
