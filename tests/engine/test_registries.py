"""Every registry of the engine, looped over the way goflow's TestActionTypes loops over its
action types: each answer type, option source, local action and effect action has a row here,
and adding one without its row fails this test. Each row runs the plug-in (parses, offers,
branches, shows; a local action gives each of its outcomes) and every action's outcomes are
branched (or followed by `next`) wherever the flows run it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.engine.actions import EFFECT_ACTIONS, LOCAL_ACTIONS, LocalContext
from bot.engine.answers import ANSWER_TYPES, Accepted, AnswerContext, OptionContext
from bot.engine.loader import load_flows
from bot.engine.models import Collect, OptionSpec
from bot.engine.options import OPTION_SOURCES
from bot.engine.session import PendingAction, Session
from bot.engine.shown import DisplayContext
from bot.i18n import Catalogs
from bot.messages import ChannelKind

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 3, 14)
NOW = datetime(2026, 3, 14, 15, 0, tzinfo=UTC)
PORTS = {"SYS": "San Ysidro", "ELP": "El Paso"}
RELATIONSHIPS = (OptionSpec(id="spouse", label="Spouse or partner"),)


@dataclass(frozen=True)
class AnswerRow:
    collect: dict[str, Any]
    #: A typed answer and the value it is stored as.
    text: str
    value: Any
    #: How that value is shown in Spanish.
    shown: str
    #: The option ids the question offers (no source data beyond PORTS/RELATIONSHIPS).
    options: tuple[str, ...] = ()
    branch_keys: frozenset[str] | None = None
    slots: dict[str, Any] = field(default_factory=dict)


HOUSEHOLDS = [["h1", "Rosa +1"], ["h2", "Pedro"]]
ANSWER_ROWS: dict[str, AnswerRow] = {
    "choice": AnswerRow(
        {"options": [{"id": "a", "label": "Yes"}, {"id": "b", "label": "No"}]},
        "2", "b", "b", ("a", "b"), frozenset({"a", "b"}),
    ),
    "yes_no": AnswerRow({}, "si", True, "Sí", ("yes", "no"), frozenset({"yes", "no"})),
    "date": AnswerRow({"past": True}, "14/02/1992", "1992-02-14", "14 de febrero de 1992"),
    "country": AnswerRow({}, "hondureña", "HN", "Honduras"),
    "name": AnswerRow({}, "me llamo ana lopez", "Ana Lopez", "Ana Lopez",
                      branch_keys=frozenset({"reworded"})),
    "number": AnswerRow({"min": 1, "max": 5}, "tres", 3, "3"),
    "language": AnswerRow({}, "2", "ht", "Kreyòl ayisyen",
                          ("es", "ht", "pt", "en", "quc", "mam", "kjb")),
    "relationship": AnswerRow(
        {"options_from": "relationships"}, "mi esposa", "spouse", "spouse", ("spouse",)
    ),
    "picks": AnswerRow({"options_from": "households"}, "0", ["h1", "h2"], "h1, h2",
                       ("h1", "h2"), slots={"_staff_households": HOUSEHOLDS}),
    "phone": AnswerRow({"optional": True}, "+52 55 1234 5678", "+525512345678",
                       "+525512345678", branch_keys=frozenset({"given", "none"})),
    "text": AnswerRow({}, "Venga a las 3.", "Venga a las 3.", "Venga a las 3."),
}


@dataclass(frozen=True)
class SourceRow:
    slots: dict[str, Any]
    ids: tuple[str, ...]
    #: An option id and how a value of it is shown in Spanish.
    shown: tuple[str, str] = ("", "")


SOURCE_ROWS: dict[str, SourceRow] = {
    "ports": SourceRow({}, ("SYS", "ELP"), ("ELP", "El Paso")),
    "languages": SourceRow({}, ("es", "ht", "pt", "en", "quc", "mam", "kjb"), ("pt", "Português")),
    "languages_guess_first": SourceRow(
        {"x": "pt"}, ("pt", "es", "ht", "en", "quc", "mam", "kjb"), ("ht", "Kreyòl ayisyen")
    ),
    "members": SourceRow({"members": [{"full_name": "Luis"}, {"full_name": "Eva"}]}, ("0", "1")),
    "relationships": SourceRow({}, ("spouse",)),
    "households": SourceRow({"_staff_households": HOUSEHOLDS}, ("h1", "h2")),
    "handoffs": SourceRow({"_staff_handoffs": [["t1", "Kreyòl: bonjou"]]}, ("t1",)),
    "appointments": SourceRow({"_staff_appointments": [["h2", "Pedro: 10:00"]]}, ("h2",)),
}

#: Local actions: for each outcome, a session that leads to it.
LOCAL_ROWS: dict[str, dict[str, dict[str, Any]]] = {
    "is_registered": {
        "yes": {"registration_id": "reg_1"},
        "no": {},
        "waiting": {"queued": [PendingAction(name="register", idempotency_key="k")]},
    },
    "is_returning": {"yes": {"registration_id": "r", "slots": {"_returning": True}}, "no": {}},
    "has_consented": {"yes": {"consented_at": NOW}, "no": {}},
    "record_consent": {"ok": {}},
    "forget_answers": {"ok": {"slots": {"full_name": "Ana"}}},
    "open_handoff": {"ok": {}, "urgent": {"slots": {"_urgent": "nos extorsionan"}}},
    "reminders_offered": {"yes": {"slots": {"daily_reminder": False}}, "no": {}},
    "sms_fallback_unasked": {"yes": {"channel": ChannelKind.WHATSAPP}, "no": {}},
    "stop_notices": {"ok": {}},
    "toggle_voice": {
        "on": {"channel": ChannelKind.WHATSAPP},
        "off": {"channel": ChannelKind.WHATSAPP, "slots": {"_voice": True}},
        "not_here": {},
    },
    "primary_is_adult": {
        "yes": {"slots": {"birth_date": "1990-01-01"}},
        "no": {"slots": {"birth_date": "2015-01-01"}},
    },
    "household_has_room": {
        "yes": {},
        "full": {"slots": {"members": [{"full_name": "x"}] * 9}},
    },
    "save_member": {"ok": {"slots": {"member_name": "Luis"}}},
    "has_members": {"yes": {"slots": {"members": [{"full_name": "Luis"}]}}, "no": {}},
    "edit_member": {"ok": {"slots": {"members": [{"full_name": "Luis"}], "member_pick": "0"}}},
    "remove_member": {"ok": {"slots": {"members": [{"full_name": "Luis"}], "member_pick": "0"}}},
    "staff_primary_is_adult": {
        "yes": {"slots": {"staff_birth_date": "1990-01-01"}},
        "no": {"slots": {"staff_birth_date": "2015-01-01"}},
    },
    "staff_forget_draft": {"ok": {"slots": {"staff_full_name": "Ana", "_staff_lines": ["x"]}}},
    "staff_save_member": {
        "ok": {"slots": {"staff_member_name": "Luis"}},
        "full": {"slots": {"staff_members": [{"full_name": "x"}] * 8}},
    },
}

#: Effect actions talk to the booking API or the staff database: each names the test that
#: runs it for real (a file, and a test function in it or None for a golden conversation).
EFFECT_ROWS: dict[str, tuple[str, str | None]] = {
    "register": ("tests/conversations/test_household_booking.py",
                 "test_household_of_four_gets_one_appointment_and_the_status_names_all_four"),
    "request_slot": ("tests/conversations/test_household_booking.py",
                     "test_household_of_four_gets_one_appointment_and_the_status_names_all_four"),
    "status": ("tests/conversations/test_not_selected_explained.py",
               "test_not_selected_households_are_told_why_in_their_language"),
    "confirm_appointment": ("tests/jobs/test_jobs_allocated_confirm.py",
                            "test_allocated_household_is_told_in_kreyol_and_confirms_by_replying"),
    "cancel_appointment": ("tests/conversations/golden/es_sms_give_up_and_delete.yaml", None),
    "delete_my_data": ("tests/privacy/test_privacy_audit.py",
                       "test_deletion_during_a_booking_api_outage_finishes_when_it_is_back"),
    "update_household": ("tests/conversations/test_household_booking.py",
                         "test_changes_after_registration_reach_the_booking_api"),
    # Staff mode (flows/staff/, bot/staff/actions.py): the staff golden conversations.
    **dict.fromkeys(
        ("staff_households", "staff_request", "staff_statuses", "staff_register",
         "staff_mode_off"),
        ("tests/conversations/golden/es_sms_staff_register_request_status.yaml", None),
    ),
    **dict.fromkeys(
        ("staff_inbox", "staff_reply"),
        ("tests/conversations/golden/es_whatsapp_staff_answers_a_person.yaml", None),
    ),
    **dict.fromkeys(
        ("staff_appointments", "staff_confirm", "staff_give_up"),
        ("tests/conversations/golden/es_sms_staff_confirm_and_give_up.yaml", None),
    ),
}


@pytest.fixture(scope="module")
def flowset() -> Any:
    catalogs = Catalogs.load(ROOT / "translations")
    return load_flows(ROOT / "flows", catalogs), catalogs


def test_every_registry_has_its_rows() -> None:
    assert set(ANSWER_ROWS) == set(ANSWER_TYPES), "an answer type without its row (or a stale row)"
    assert set(SOURCE_ROWS) == set(OPTION_SOURCES), "an option source without its row"
    assert set(LOCAL_ROWS) == set(LOCAL_ACTIONS), "a local action without its row"
    assert set(EFFECT_ROWS) == set(EFFECT_ACTIONS), "an effect action without its row"


def _option_context(collect: Collect, slots: dict[str, Any], catalogs: Any) -> OptionContext:
    return OptionContext(
        lang="es",
        collect=collect,
        slots=slots,
        ports=PORTS,
        translate=lambda msgid: catalogs.gettext("es", msgid),
        message=lambda key: {"yes": "Si", "no": "No"}[key],
        relationships=RELATIONSHIPS,
    )


@pytest.mark.parametrize("name", sorted(ANSWER_TYPES))
def test_answer_type_is_a_whole_plug_in(name: str, flowset: Any) -> None:
    row = ANSWER_ROWS[name]
    _, catalogs = flowset
    answer_type = ANSWER_TYPES[name]
    collect = Collect(slot="x", type=name, **row.collect)
    assert set(row.collect) <= answer_type.parameters, "the row uses a parameter it does not take"
    options = answer_type.options(_option_context(collect, row.slots, catalogs))
    assert tuple(o.id for o in options) == row.options
    actx = AnswerContext(lang="es", today=TODAY, collect=collect, options=options)
    result = answer_type.parse(row.text, None, actx)
    assert isinstance(result, Accepted) and result.value == row.value, result
    assert answer_type.branch_keys(collect) == row.branch_keys
    if row.branch_keys is not None and result.branch_key is not None:
        assert result.branch_key in row.branch_keys
    shown = answer_type.display(result.value, collect, DisplayContext("es", PORTS, catalogs))
    assert shown == row.shown
    assert answer_type.default_invalid in flowset[0].messages


@pytest.mark.parametrize("name", sorted(OPTION_SOURCES))
def test_option_source_offers_and_shows(name: str, flowset: Any) -> None:
    row = SOURCE_ROWS[name]
    _, catalogs = flowset
    collect = Collect(slot="x", type="choice", options_from=name)
    options = OPTION_SOURCES[name].options(_option_context(collect, row.slots, catalogs))
    assert tuple(o.id for o in options) == row.ids
    assert all(o.title for o in options)
    if row.shown[0]:
        value, text = row.shown
        assert OPTION_SOURCES[name].display(value, DisplayContext("es", PORTS, catalogs)) == text


@pytest.mark.parametrize("name", sorted(LOCAL_ACTIONS))
def test_local_action_gives_each_of_its_outcomes(name: str) -> None:
    action = LOCAL_ACTIONS[name]
    rows = LOCAL_ROWS[name]
    assert set(rows) == set(action.outcomes), "each outcome needs a row"
    for outcome, fields in rows.items():
        session = Session(phone="+525512345678", **fields)
        got = action.run(session, LocalContext(NOW, TODAY, max_household_size=10, adult_age=18))
        assert got.key == outcome, (name, fields)


@pytest.mark.parametrize("name", sorted(EFFECT_ACTIONS))
def test_effect_action_names_the_test_that_runs_it(name: str) -> None:
    path, function = EFFECT_ROWS[name]
    text = (ROOT / path).read_text(encoding="utf-8")
    if function is not None:
        assert f"def {function}(" in text


@pytest.mark.parametrize("name", sorted({*LOCAL_ACTIONS, *EFFECT_ACTIONS}))
def test_every_action_runs_somewhere_with_each_outcome_branched(name: str, flowset: Any) -> None:
    flows, _ = flowset
    action = LOCAL_ACTIONS.get(name) or EFFECT_ACTIONS[name]
    steps = [
        (flow.flow, step_name, step)
        for flow in flows.flows.values()
        for step_name, step in flow.steps.items()
        if step.action == name
    ]
    assert steps, f"no flow runs the action {name!r}"
    for flow, step_name, step in steps:
        unbranched = set(action.outcomes) - set(step.branch)
        assert step.next is not None or not unbranched, (flow, step_name, sorted(unbranched))


def test_every_staff_effect_action_has_its_handler_on_the_staff_side() -> None:
    from bot.engine.actions.staff import STAFF_EFFECTS, StaffAction
    from bot.staff.actions import HANDLERS

    assert set(HANDLERS) == {a.name for a in STAFF_EFFECTS}
    for action in STAFF_EFFECTS:
        assert isinstance(action, StaffAction) and action.fallback in action.outcomes
