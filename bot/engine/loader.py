"""Load every flow in a folder and validate it completely before the bot answers anyone.

Errors are for operators: each names the file, the step and the cause, e.g.
``flows/register.yaml: step 'ask_name': unknown answer type 'nmae'``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.engine.actions import EFFECT_ACTIONS, outcomes_of
from bot.engine.answers import ANSWER_TYPES
from bot.engine.answers.base import COMMON_FIELDS
from bot.engine.flowset import (
    LANGUAGE_FLOW,
    MENU_FLOW,
    REQUIRED_MESSAGES,
    WELCOME_FLOW,
    FlowSet,
)
from bot.engine.models import FLOW_PREFIX, RESUME, RETURN, Collect, Flow, MessagesFile, Step
from bot.engine.options import OPTION_SOURCES
from bot.i18n import Catalogs
from bot.languages import REQUIRED_LANGUAGES

MESSAGES_FILE = "messages.yaml"
#: `<module>.messages.yaml`: another module's messages (not flows), checked like the engine's.
EXTRA_MESSAGES_SUFFIX = ".messages.yaml"
HOME = "home"
SPECIAL_TARGETS = frozenset({RETURN, HOME, RESUME})


class FlowError(ValueError):
    def __init__(self, path: Path, step: str | None, cause: str) -> None:
        where = f"{path}: step '{step}'" if step else str(path)
        super().__init__(f"{where}: {cause}")
        self.path, self.step, self.cause = path, step, cause


#: libyaml's safe loader when PyYAML was built with it (a fifth of start-up in pure Python);
#: tests/engine/test_flow_loader.py checks it reads every flow as the pure one does.
FAST_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_SAFE_LOADER)  # noqa: S506
    except yaml.YAMLError as exc:
        raise FlowError(path, None, f"not valid YAML: {exc}") from exc


def _schema_error(path: Path, exc: ValidationError) -> FlowError:
    first = exc.errors()[0]
    loc = [str(part) for part in first["loc"]]
    step = loc[1] if len(loc) > 1 and loc[0] == "steps" else None
    field = ".".join(loc[2:] if step else loc)
    return FlowError(path, step, f"{field}: {first['msg']}")


def _parse_flow(path: Path) -> Flow:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise FlowError(path, None, "a flow file must be a mapping with flow, start and steps")
    try:
        return Flow.model_validate({**data, "source": path})
    except ValidationError as exc:
        raise _schema_error(path, exc) from exc


def _check_target(flow: Flow, flows: dict[str, Flow], step: str, target: str) -> None:
    if target in SPECIAL_TARGETS:
        return
    if target.startswith(FLOW_PREFIX):
        # `flow:name` (its start) or `flow:name:step` (a step of another flow).
        name, _, other_step = target.removeprefix(FLOW_PREFIX).partition(":")
        if name not in flows:
            raise FlowError(flow.source, step, f"goes to unknown flow '{target}'")
        if other_step and other_step not in flows[name].steps:
            raise FlowError(flow.source, step, f"goes to unknown step '{target}'")
    elif target not in flow.steps:
        raise FlowError(flow.source, step, f"goes to unknown step '{target}'")


def _branch_keys(flow: Flow, name: str, step: Step) -> frozenset[str] | None:
    """The keys a step can branch on (None: any key is acceptable)."""
    if step.action is not None:
        outcomes = outcomes_of(step.action)
        if outcomes is None:
            raise FlowError(flow.source, name, f"unknown action '{step.action}'")
        return outcomes
    if step.collect is None:
        return frozenset()
    return ANSWER_TYPES[step.collect.type].branch_keys(step.collect)


def _check_collect(flow: Flow, name: str, collect: Collect) -> None:
    answer_type = ANSWER_TYPES.get(collect.type)
    if answer_type is None:
        known = ", ".join(sorted(ANSWER_TYPES))
        raise FlowError(flow.source, name, f"unknown answer type '{collect.type}' (known: {known})")
    extra = sorted(collect.model_fields_set - COMMON_FIELDS - answer_type.parameters)
    if extra:
        raise FlowError(flow.source, name, f"answer type '{collect.type}' takes no {extra}")
    if collect.options_from is not None and collect.options_from not in OPTION_SOURCES:
        raise FlowError(flow.source, name, f"unknown options_from '{collect.options_from}'")
    if answer_type.needs_options and not collect.options and collect.options_from is None:
        raise FlowError(flow.source, name, f"a {collect.type} needs options or options_from")


def _check_step(flow: Flow, flows: dict[str, Flow], name: str, step: Step) -> None:
    if step.collect is not None and step.action is not None:
        raise FlowError(flow.source, name, "a step either collects an answer or runs an action")
    if step.inputs and step.action not in EFFECT_ACTIONS:
        raise FlowError(flow.source, name, "inputs are kept for an effect action only")
    if step.footer is not None and step.collect is None:
        raise FlowError(flow.source, name, "a footer follows a question's options: no collect")
    if step.collect is not None:
        _check_collect(flow, name, step.collect)
    keys = _branch_keys(flow, name, step)
    if keys is not None:
        extra = set(step.branch) - keys
        if extra:
            raise FlowError(flow.source, name, f"branches on unknown answer(s) {sorted(extra)}")
        if step.next is None and set(step.branch) != keys and (step.action or step.collect):
            missing = sorted(keys - set(step.branch))
            raise FlowError(flow.source, name, f"no branch and no next for {missing}")
    if step.next is None and not step.branch:
        raise FlowError(flow.source, name, "dangling step: no next and no branch")
    for target in [*step.branch.values(), *([step.next] if step.next else [])]:
        _check_target(flow, flows, name, target)


def _step_messages(step: Step) -> Iterable[str]:
    if step.say and not step.literal:
        yield step.say
    if step.invalid:
        yield step.invalid
    if step.footer:
        yield step.footer
    if step.collect is not None:
        yield from (opt.label for opt in step.collect.options)


def _check_catalogs(
    path: Path, step: str | None, msgids: Iterable[str], catalogs: Catalogs, langs: Iterable[str]
) -> None:
    for msgid in msgids:
        for lang in langs:
            if not catalogs.has(lang, msgid, reviewed_only=True):
                short = msgid if len(msgid) < 60 else msgid[:57] + "..."
                raise FlowError(path, step, f"message missing from the '{lang}' catalog: {short!r}")


def load_flows(
    flows_dir: Path, catalogs: Catalogs, required_languages: Iterable[str] = REQUIRED_LANGUAGES
) -> FlowSet:
    langs = tuple(required_languages)
    messages_path = flows_dir / MESSAGES_FILE
    if not messages_path.exists():
        raise FlowError(messages_path, None, "file is missing")
    try:
        messages = MessagesFile.model_validate(_read_yaml(messages_path)).messages
    except ValidationError as exc:
        raise _schema_error(messages_path, exc) from exc
    # The engine's own messages, and every message an answer type may answer with.
    needed = set(REQUIRED_MESSAGES)
    for answer_type in ANSWER_TYPES.values():
        needed |= {answer_type.default_invalid, *answer_type.extra_messages}
    missing = needed - set(messages)
    if missing:
        raise FlowError(messages_path, None, f"required messages missing: {sorted(missing)}")
    _check_catalogs(messages_path, None, messages.values(), catalogs, langs)
    for extra_path in sorted(flows_dir.glob(f"*{EXTRA_MESSAGES_SUFFIX}")):
        # Messages of modules besides the engine (`staff.messages.yaml` -> keys `staff.*`):
        # held to the same catalogs, so a missing translation stops start-up here too.
        try:
            extra = MessagesFile.model_validate(_read_yaml(extra_path)).messages
        except ValidationError as exc:
            raise _schema_error(extra_path, exc) from exc
        _check_catalogs(extra_path, None, extra.values(), catalogs, langs)
        prefix = extra_path.name.removesuffix(EXTRA_MESSAGES_SUFFIX)
        messages.update({f"{prefix}.{key}": text for key, text in extra.items()})

    flows: dict[str, Flow] = {}
    # flows/*.yaml, and the flows of a mode in a folder of their own (flows/staff/*.yaml).
    for path in [*sorted(flows_dir.glob("*.yaml")), *sorted(flows_dir.glob("*/*.yaml"))]:
        if path.name == MESSAGES_FILE or path.name.endswith(EXTRA_MESSAGES_SUFFIX):
            continue
        flow = _parse_flow(path)
        if flow.flow in flows:
            raise FlowError(
                path, None, f"flow '{flow.flow}' is also defined in {flows[flow.flow].source}"
            )
        flows[flow.flow] = flow
    for required in (WELCOME_FLOW, MENU_FLOW, LANGUAGE_FLOW):
        if required not in flows:
            raise FlowError(flows_dir, None, f"required flow '{required}' is missing")

    slot_specs: dict[str, Collect] = {}
    for flow in flows.values():
        if flow.start not in flow.steps:
            raise FlowError(flow.source, None, f"start step '{flow.start}' does not exist")
        if flow.menu is not None and flow.menu not in flows:
            raise FlowError(flow.source, None, f"menu flow '{flow.menu}' does not exist")
        for name, step in flow.steps.items():
            _check_step(flow, flows, name, step)
            _check_catalogs(flow.source, name, _step_messages(step), catalogs, langs)
            if step.collect is not None:
                slot_specs.setdefault(step.collect.slot, step.collect)
    return FlowSet(flows=flows, messages=messages, slot_specs=slot_specs)
