"""Action registries: the loader checks every `action:` against these, tests loop over them."""

from __future__ import annotations

from bot.engine.actions.base import (
    QUEUED,
    UNAVAILABLE,
    EffectAction,
    EffectContext,
    LocalAction,
    LocalContext,
    Outcome,
)
from bot.engine.actions.booking import (
    CancelAppointment,
    CheckStatus,
    ConfirmAppointment,
    DeleteMyData,
    Register,
    RequestSlot,
)
from bot.engine.actions.household import (
    EditMember,
    HasMembers,
    HouseholdHasRoom,
    PrimaryIsAdult,
    RemoveMember,
    SaveMember,
    UpdateHousehold,
)
from bot.engine.actions.local import (
    ForgetAnswers,
    HasConsented,
    IsRegistered,
    IsReturning,
    OpenHandoff,
    RecordConsent,
    RemindersOffered,
    SmsFallbackUnasked,
    StopNotices,
    ToggleVoice,
)
from bot.engine.actions.staff import STAFF_EFFECTS, StaffForgetDraft, StaffSaveMember

LOCAL_ACTIONS: dict[str, LocalAction] = {
    a.name: a
    for a in (
        IsRegistered(),
        IsReturning(),
        HasConsented(),
        RecordConsent(),
        ForgetAnswers(),
        OpenHandoff(),
        RemindersOffered(),
        SmsFallbackUnasked(),
        StopNotices(),
        ToggleVoice(),
        PrimaryIsAdult(),
        HouseholdHasRoom(),
        SaveMember(),
        HasMembers(),
        EditMember(),
        RemoveMember(),
        # Staff mode (flows/staff/): the applicant's own check on the staff draft.
        PrimaryIsAdult("staff_primary_is_adult", "staff_birth_date"),
        StaffForgetDraft(),
        StaffSaveMember(),
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
EFFECT_ACTIONS[UpdateHousehold.name] = UpdateHousehold()
EFFECT_ACTIONS.update((a.name, a) for a in STAFF_EFFECTS)


def outcomes_of(name: str) -> frozenset[str] | None:
    action = LOCAL_ACTIONS.get(name) or EFFECT_ACTIONS.get(name)
    return None if action is None else action.outcomes


__all__ = [
    "EFFECT_ACTIONS",
    "LOCAL_ACTIONS",
    "QUEUED",
    "UNAVAILABLE",
    "EffectContext",
    "LocalAction",
    "LocalContext",
    "Outcome",
    "outcomes_of",
]
