"""The flow runner: given a session and what the person wrote, move the conversation on.

It is synchronous and does no I/O: effect actions are recorded on the session as pending and
carried out by the conversation service after the session is saved (see actions/base.py).
This keeps golden conversation tests fast and makes every step replayable.
"""

from __future__ import annotations

import logging
import re
import string
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.engine.actions import (
    EFFECT_ACTIONS,
    LOCAL_ACTIONS,
    UNAVAILABLE,
    LocalContext,
    Outcome,
)
from bot.engine.answers import ANSWER_TYPES, Accepted, AnswerContext, OptionContext
from bot.engine.commands import Command, match_command
from bot.engine.display import display_values
from bot.engine.flowset import (
    CONFIRM_LANGUAGE_STEP,
    INTERPRETER_FLOW,
    LANGUAGE_FLOW,
    MENU_FLOW,
    NOTICES_FLOW,
    WELCOME_FLOW,
    FlowSet,
)
from bot.engine.loader import HOME
from bot.engine.models import FLOW_PREFIX, RESUME, RETURN, Step
from bot.engine.session import PendingAction, Session
from bot.i18n import Catalogs
from bot.languages import BY_CODE
from bot.messages import Option, Reply
from bot.understanding import DETOUR_CONFIDENCE, OPTION_CONFIDENCE, THANKS_INTENT, Understood
from nlu.danger import danger
from nlu.langid import guess_language, reads_language, unreadable_language
from nlu.normalize import match_key

log = logging.getLogger(__name__)

MAX_HOPS = 64
#: Intents that mean "take me somewhere else" wherever they are said.
DETOUR_COMMANDS: dict[str, Command] = {
    "change_language": Command.LANGUAGE,
    "help": Command.HELP,
    "talk_to_human": Command.HUMAN,
}
RETURN_SLOT = "_return"
#: Where the conversation was when a mode (staff mode) was entered: `resume` goes back there.
RESUME_SLOT = "_resume"
#: Set once the interpreter has been offered (the offer is made once per conversation).
INTERPRETER_OFFERED_SLOT = "_interpreter_offered"
#: The interpreter path (flows/unreadable.yaml): a handoff marked "interpreter needed".
UNREADABLE_FLOW = "unreadable"
#: Flows that are about choosing a language: no interpreter offer in the middle of them.
_LANGUAGE_FLOWS = frozenset({WELCOME_FLOW, LANGUAGE_FLOW, INTERPRETER_FLOW, UNREADABLE_FLOW})
_LETTERS = re.compile(r"[^\W\d_]{2,}")
#: Optional: talk to a person (the word PERSONA/MOUN/PESSOA... at any step).
HUMAN_FLOW = "human"
#: Set to what the person wrote when it speaks of danger (extortion, kidnapping, violence, a
#: sick child): the handoff it opens is marked urgent and starts with that message.
URGENT_SLOT = "_urgent"
#: What the person wrote that opened a handoff without danger words (the interpreter path):
#: the staff hub makes it the handoff's first message, as it does with `URGENT_SLOT`.
FIRST_LINE_SLOT = "_first_line"
#: Set when the person said whether they want an interpreter (flows/interpreter.yaml).
INTERPRETER_SLOT = "_interpreter"
#: "Thanks" where an answer was expected: said back, and the question stays open.
THANKED = "thanked"
#: Optional: voice notes on or off (the word VOZ/VWA/VOICE at any step, even before consent).
VOICE_FLOW = "voice"
#: Optional: "cancelar" alone asks what to cancel (an appointment, or reminders and notices).
CANCEL_FLOW = "cancel"


@dataclass(frozen=True, slots=True)
class TurnContext:
    """What the runner may know about the world for one turn."""

    now: datetime
    today: date
    #: Port id -> display name, from the booking API (in its order).
    ports: Mapping[str, str]
    default_language: str = "es"
    #: People per household the booking API accepts (primary applicant included).
    max_household_size: int = 10
    #: Minimum age of the primary applicant (a child cannot be registered alone).
    adult_age: int = 18


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        log.warning("message placeholder {%s} has no value", key)
        return "-"


class Engine:
    def __init__(
        self,
        flowset: FlowSet,
        catalogs: Catalogs,
        *,
        max_failures: int = 3,
        identify_language: Callable[[str], str | None] = guess_language,
        understand: Callable[[str, str | None], Understood] | None = None,
    ) -> None:
        self.flowset = flowset
        self.catalogs = catalogs
        self.max_failures = max_failures
        self.identify_language = identify_language
        #: The NLU (bot/understanding.py): free text where a number or a word was expected.
        self.understand = understand

    # ---- entry points -------------------------------------------------------------------

    def handle(
        self, session: Session, text: str, button: str | None, ctx: TurnContext
    ) -> list[Reply]:
        """One inbound message. Returns the replies; may leave `session.pending` set."""
        out: list[Reply] = []
        if session.flow is None or session.step is None:
            self._welcome(session, text, button, out, ctx)
            return out
        if not self._position_exists(session):
            # The flows changed under a saved conversation (a deploy): start again from the
            # menu, keeping every answer, rather than fail.
            log.warning("position %s:%s no longer exists", session.flow, session.step)
            start = MENU_FLOW if session.consented_at else WELCOME_FLOW
            self._go(session, f"{FLOW_PREFIX}{start}", out, ctx)
            return out
        command = None if button else match_command(text)
        if command is not None:
            self._command(session, command, out, ctx)
            return out
        if not match_key(text) and not button:
            return self.reask(session, "no_text", ctx)
        mode = self._mode_menu(session)
        if not button and mode is None and danger(text) is not None:
            # "nos están extorsionando", "pitit mwen malad": a person, now, whatever the question.
            session.slots[URGENT_SLOT] = text
            self._command(session, Command.HUMAN, out, ctx)
            return out
        step = self._current(session)
        if step.collect is None:  # only collect steps wait; recover by going home
            self._go(session, HOME, out, ctx)
            return out
        if not button and UNREADABLE_FLOW in self.flowset.flows:
            # A sentence in a language the NLU cannot read is not an answer, even where any
            # text would be one (a name): two of its words are that language's keywords.
            unreadable = unreadable_language(text, min_keywords=2)
            if unreadable is not None:
                self._interpreter_path(session, unreadable, text, out, ctx)
                return out
        answer_type = ANSWER_TYPES[step.collect.type]
        actx = AnswerContext(
            lang=self._lang(session, ctx),
            today=ctx.today,
            collect=step.collect,
            options=self._options(step, session, ctx),
            current=session.slots.get(step.collect.slot),
        )
        result = answer_type.parse(text, button, actx)
        understand = self.understand is not None and not button and mode is None
        if not isinstance(result, Accepted) and understand:
            understood = self._understood(step, text, actx)
            if isinstance(understood, Command):
                self._command(session, understood, out, ctx)
                return out
            if isinstance(understood, str):  # THANKED
                self._thanked(session, step, out, ctx)
                return out
            result = understood or result
        if not isinstance(result, Accepted) and not result.specific:
            unreadable = self._unreadable(session, text)
            if unreadable is not None:
                self._interpreter_path(session, unreadable, text, out, ctx)
                return out
        if not isinstance(result, Accepted):
            session.failures += 1
            key = result.message
            text_out = (
                self._t(session, ctx, self.flowset.messages[key])
                if result.specific or step.invalid is None
                else self._t(session, ctx, step.invalid)
            )
            reply_options = actx.options
            if reply_options:
                text_out += "\n" + _numbered(reply_options)
            out.append(Reply(text=text_out, options=reply_options))
            if session.failures >= self.max_failures:
                session.failures = 0
                out.append(Reply(text=self._msg(session, ctx, "stuck")))
            return out
        session.failures = 0
        session.slots[step.collect.slot] = result.value
        answer_type.accept(session, result.value)
        session.history.append(f"{session.flow}:{session.step}")
        target = step.branch.get(result.branch_key or "", step.next) if step.branch else step.next
        assert target is not None  # guaranteed by the loader
        self._go(session, target, out, ctx)
        return out

    def _thanked(self, session: Session, step: Step, out: list[Reply], ctx: TurnContext) -> None:
        """'gracias', 'mesi', 'obrigado': neither yes nor no nor a choice. At the menu the
        conversation is over for now; at a question, the question is asked again."""
        if session.flow == MENU_FLOW:
            out.append(Reply(text=self._msg(session, ctx, "thanks_home")))
            return
        out.append(Reply(text=self._msg(session, ctx, "thanks_reply")))
        out.extend(self._ask(session, step, ctx))

    def _understood(
        self, step: Step, text: str, actx: AnswerContext
    ) -> Accepted | Command | str | None:
        """What the NLU makes of free text the answer type refused, if it is sure enough:
        an offered option ("kiero sacar sita" -> "Request today's appointment") or a global
        command ("no entiendo" -> help). Never consulted before the answer type: a name such
        as "Persona Prueba" or "Socorro" must stay a name."""
        assert step.collect is not None and self.understand is not None
        understood = self.understand(text, actx.lang)
        if understood.intent == THANKS_INTENT and understood.confidence >= OPTION_CONFIDENCE:
            return THANKED
        if ANSWER_TYPES[step.collect.type].understands_options:
            offered = {option.id for option in actx.options}
            if understood.option in offered and understood.confidence >= OPTION_CONFIDENCE:
                return Accepted(understood.option, branch_key=understood.option)
        wanted = DETOUR_COMMANDS.get(understood.intent)
        if wanted is None or understood.confidence < DETOUR_CONFIDENCE:
            return None
        return wanted

    def after_action(self, session: Session, outcome: Outcome, ctx: TurnContext) -> list[Reply]:
        """Continue after the conversation service carried out `session.pending`."""
        pending = session.pending
        session.pending = None
        session.slots.update(outcome.values)
        if pending is not None and outcome.key != UNAVAILABLE:
            # The action reached a decision: a later attempt is a new request with a new key.
            session.slots.pop(_key_slot(pending.name), None)
        step = self._current(session)
        target = step.branch.get(outcome.key, step.next)
        out: list[Reply] = []
        if target is None:
            log.error("no branch for outcome %r at %s:%s", outcome.key, session.flow, session.step)
            target = HOME
        self._go(session, target, out, ctx)
        return out

    def describe_outcome(
        self, session: Session, action: PendingAction, outcome: Outcome, ctx: TurnContext
    ) -> list[Reply]:
        """What to tell the person about a replayed call, without moving the conversation:
        the messages of the steps its outcome branches to, up to the next question or flow."""
        session.slots.update(outcome.values)
        if action.flow is None or action.step is None:
            return []
        flow = self.flowset.flows.get(action.flow)
        step = flow.steps.get(action.step) if flow else None
        target = step.branch.get(outcome.key, step.next) if step else None
        out: list[Reply] = []
        for _ in range(MAX_HOPS):
            if flow is None or target is None or target not in flow.steps:
                break  # home, return, flow:..., or nothing: the person's turn again
            step = flow.steps[target]
            if step.collect is not None or step.action is not None:
                break
            if step.say or step.lines:
                out.append(Reply(text=self._say(session, step, ctx)))
            target = step.next
        return out

    def notice(
        self, session: Session, name: str, ctx: TurnContext, *, move: bool
    ) -> list[Reply]:
        """A notification (a step of flows/notices.yaml) in the person's language.

        A notice whose `next` is another flow asks that flow's first question (allocated ->
        "confirm?"); with `move` the conversation goes there, so the answer is understood.
        `next: home` leaves the conversation where it was. Without `move` the same text is
        rendered and nothing changes (a job run again must not move the person twice).
        """
        step = self.flowset.step(NOTICES_FLOW, name)
        out = [Reply(text=self._say(session, step, ctx))] if step.say else []
        target = step.next or HOME
        if target.startswith(FLOW_PREFIX):
            if move:
                session.slots.pop(RETURN_SLOT, None)
                session.failures = 0
                self._go(session, target, out, ctx)
            else:
                flow = self.flowset.flows[target.removeprefix(FLOW_PREFIX)]
                out.extend(self._ask(session, flow.steps[flow.start], ctx))
        return out

    def display(self, session: Session, names: Sequence[str], ctx: TurnContext) -> list[str]:
        """Slot values as the person's language shows them (for WhatsApp template variables)."""
        values = display_values(
            session.slots, self.flowset.slot_specs, self._lang(session, ctx), ctx.ports,
            self.catalogs,
        )
        return [values.get(name, "-") or "-" for name in names]

    def offered(
        self, flow: str, step: str, lang: str, ctx: TurnContext, *, guess: str | None = None
    ) -> tuple[Option, ...]:
        """The options a step offers in a language, for anyone (`guess`: the language guessed
        first). For the WhatsApp content sync (bot/channels/twilio/derive.py)."""
        st = self.flowset.step(flow, step)
        session = Session(phone="", lang=lang)
        if guess is not None and st.collect is not None:
            session.slots[st.collect.slot] = guess
        return self._options(st, session, ctx)

    def reask(self, session: Session, message_key: str, ctx: TurnContext) -> list[Reply]:
        """Say why the last message could not be used, then ask the current question again."""
        out = [Reply(text=self._msg(session, ctx, message_key))]
        if session.flow is None or session.step is None:
            self._go(session, f"{FLOW_PREFIX}{WELCOME_FLOW}", out, ctx)
        else:
            out.extend(self._ask(session, self._current(session), ctx))
        return out

    def question(self, session: Session, ctx: TurnContext) -> list[Reply]:
        """The question the conversation waits at, asked again without a message before it
        (the phone line repeats it after silence, or after the main menu was left unsaid)."""
        if session.flow is None or session.step is None or not self._position_exists(session):
            return []
        return self._ask(session, self._current(session), ctx)

    # ---- internals ----------------------------------------------------------------------

    def _welcome(
        self, session: Session, text: str, button: str | None, out: list[Reply], ctx: TurnContext
    ) -> None:
        """First contact: a first message in words is identified and the guess confirmed in
        that language; anything else (a number, an emoji, no clear guess) gets the menu."""
        welcome = self.flowset.flows[WELCOME_FLOW]
        if not button and match_command(text) is Command.VOICE and VOICE_FLOW in self.flowset.flows:
            # "VOZ" as a first message: voice notes on, then the language menu (spoken).
            session.flow, session.step = WELCOME_FLOW, welcome.start
            self._command(session, Command.VOICE, out, ctx)
            return
        guess = None
        if not button and match_command(text) is None and CONFIRM_LANGUAGE_STEP in welcome.steps:
            unreadable = unreadable_language(text)
            if unreadable is not None and UNREADABLE_FLOW in self.flowset.flows:
                session.flow, session.step = WELCOME_FLOW, welcome.start
                self._interpreter_path(session, unreadable, text, out, ctx)
                return
            guess = self.identify_language(text)
        if guess is None or guess not in BY_CODE:
            self._go(session, f"{FLOW_PREFIX}{WELCOME_FLOW}", out, ctx)
            return
        session.lang = guess
        session.slots["language"] = guess
        session.flow = WELCOME_FLOW
        self._go(session, CONFIRM_LANGUAGE_STEP, out, ctx)

    def _unreadable(self, session: Session, text: str) -> str | None:
        """The language of free text the bot could not read, when the NLU cannot read that
        language at all (a pack without training data): text identified as one ("kinwaj
        jun q'ij"), or any words from someone who chose one. None: ask again as usual."""
        if UNREADABLE_FLOW not in self.flowset.flows or not _LETTERS.search(text):
            return None
        found = unreadable_language(text)
        if found is not None:
            return found
        lang = session.lang
        return lang if lang in BY_CODE and not reads_language(lang) else None

    def _interpreter_path(
        self, session: Session, lang: str, text: str, out: list[Reply], ctx: TurnContext
    ) -> None:
        """In one step, a person who speaks `lang`: the handoff (marked with the language
        and "interpreter needed", what they wrote as its first line) and a message saying a
        person who speaks it will be looked for; then back where they were."""
        session.lang = lang
        session.slots["language"] = lang
        session.slots[INTERPRETER_SLOT] = True
        session.slots[INTERPRETER_OFFERED_SLOT] = True
        session.slots[FIRST_LINE_SLOT] = text
        session.failures = 0
        if session.flow == INTERPRETER_FLOW:
            pass  # the offer answered in their language: where they were is kept already
        elif session.consented_at is None:
            session.slots[RETURN_SLOT] = f"{session.flow}:{session.step}"
        else:
            session.slots.pop(RETURN_SLOT, None)
        self._go(session, f"{FLOW_PREFIX}{UNREADABLE_FLOW}", out, ctx)

    def _offer_interpreter(self, session: Session, step: Step, ctx: TurnContext) -> bool:
        """Whether to offer an interpreter before asking `step` (then the detour is set up).

        Offered once per conversation, the first time a question cannot be shown in the
        person's language (its catalog has no reviewed text and the fallback is used). The
        talk-to-a-person path (issue 6) reads the wish from `slots["_interpreter"]`.
        """
        lang = session.lang
        if (
            lang is None
            or self._mode_menu(session) is not None
            or INTERPRETER_FLOW not in self.flowset.flows
            or session.flow in _LANGUAGE_FLOWS
            or session.slots.get(INTERPRETER_OFFERED_SLOT)
        ):
            return False
        msgids = [step.say] if step.say and not step.literal else []
        if step.collect is not None:
            msgids += [opt.label for opt in step.collect.options]
        if not any(self.catalogs.lookup(lang, m).is_fallback_for(lang) for m in msgids):
            return False
        session.slots[INTERPRETER_OFFERED_SLOT] = True
        session.slots["language"] = lang
        session.slots[RETURN_SLOT] = f"{session.flow}:{session.step}"
        return True

    def _mode_menu(self, session: Session) -> str | None:
        """The menu flow of the mode the conversation is in (staff mode), or None."""
        flow = self.flowset.flows.get(session.flow or "")
        return flow.menu if flow is not None else None

    def _command(
        self, session: Session, command: Command, out: list[Reply], ctx: TurnContext
    ) -> None:
        mode = self._mode_menu(session)
        if mode is not None and command not in (Command.LANGUAGE, Command.HELP):
            # In a mode of its own, MENU, BACK (and the applicant's commands) are its menu.
            session.failures = 0
            self._go(session, f"{FLOW_PREFIX}{mode}", out, ctx)
        elif command is Command.LANGUAGE and session.flow == WELCOME_FLOW:
            # Still at the first question: the menu, then on to the privacy notice as usual.
            self._go(session, f"{FLOW_PREFIX}{WELCOME_FLOW}", out, ctx)
        elif command is Command.LANGUAGE:
            if session.flow not in _LANGUAGE_FLOWS:
                session.slots[RETURN_SLOT] = f"{session.flow}:{session.step}"
            self._go(session, f"{FLOW_PREFIX}{LANGUAGE_FLOW}", out, ctx)
        elif command is Command.VOICE and VOICE_FLOW in self.flowset.flows:
            # How someone who cannot read gets in: allowed before the privacy notice too.
            if session.flow != VOICE_FLOW:
                session.slots[RETURN_SLOT] = f"{session.flow}:{session.step}"
            self._go(session, f"{FLOW_PREFIX}{VOICE_FLOW}", out, ctx)
        elif command is Command.HUMAN and HUMAN_FLOW in self.flowset.flows:
            if session.consented_at is None:
                # Someone who does not understand the privacy notice (or the language menu)
                # reaches a person too; back at that question afterwards (see HOME in _go).
                session.slots[RETURN_SLOT] = f"{session.flow}:{session.step}"
            else:
                session.slots.pop(RETURN_SLOT, None)
            self._go(session, f"{FLOW_PREFIX}{HUMAN_FLOW}", out, ctx)
        elif session.consented_at is None:
            # Before consent only the language and the privacy notice exist.
            out.extend(self._ask(session, self._current(session), ctx))
        elif command is Command.CANCEL and CANCEL_FLOW in self.flowset.flows:
            session.slots[RETURN_SLOT] = f"{session.flow}:{session.step}"
            self._go(session, f"{FLOW_PREFIX}{CANCEL_FLOW}", out, ctx)
        elif command is Command.MENU:
            session.slots.pop(RETURN_SLOT, None)
            self._go(session, f"{FLOW_PREFIX}{MENU_FLOW}", out, ctx)
        elif command is Command.BACK:
            session.failures = 0
            if session.history:
                flow, _, step = session.history.pop().partition(":")
                session.flow, session.step = flow, step
            out.extend(self._ask(session, self._current(session), ctx))
        else:
            out.append(Reply(text=self._msg(session, ctx, "help_here")))
            out.extend(self._ask(session, self._current(session), ctx))

    def _go(self, session: Session, target: str, out: list[Reply], ctx: TurnContext) -> None:
        flow = session.flow or WELCOME_FLOW
        for _ in range(MAX_HOPS):
            if target == HOME:
                if session.consented_at is None and RETURN_SLOT in session.slots:
                    # Not past the privacy notice yet: home is the question they were at.
                    back = str(session.slots.pop(RETURN_SLOT))
                    session.flow, _, session.step = back.partition(":")
                    return
                session.flow, session.step = MENU_FLOW, self.flowset.flows[MENU_FLOW].start
                return
            if target == RESUME:
                # Back where the mode was entered; nowhere: the conversation starts anew.
                resume = str(session.slots.pop(RESUME_SLOT, None) or "")
                if resume:
                    session.flow, _, session.step = resume.partition(":")
                else:
                    session.flow = session.step = None
                return
            if target == RETURN:
                back = session.slots.pop(RETURN_SLOT, None)
                if back is None:
                    target = f"{FLOW_PREFIX}{MENU_FLOW}" if session.consented_at else HOME
                    continue
                session.flow, _, session.step = str(back).partition(":")
                if self._offer_interpreter(session, self._current(session), ctx):
                    target = f"{FLOW_PREFIX}{INTERPRETER_FLOW}"
                    continue
                out.extend(self._ask(session, self._current(session), ctx))
                return
            flow, name = self.flowset.resolve(flow, target)
            session.flow, session.step = flow, name
            step = self.flowset.step(flow, name)
            if (step.say or step.lines) and step.collect is None:
                out.append(Reply(text=self._say(session, step, ctx)))
            if step.collect is not None:
                if self._offer_interpreter(session, step, ctx):
                    target = f"{FLOW_PREFIX}{INTERPRETER_FLOW}"
                    continue
                out.extend(self._ask(session, step, ctx))
                return
            if step.action in EFFECT_ACTIONS:
                key = session.slots.setdefault(_key_slot(step.action), str(uuid.uuid4()))
                session.pending = PendingAction(
                    name=step.action,
                    idempotency_key=key,
                    created_at=ctx.now,
                    flow=flow,
                    step=name,
                    values={slot: session.slots.get(slot) for slot in step.inputs},
                )
                return
            if step.action in LOCAL_ACTIONS:
                outcome = LOCAL_ACTIONS[step.action].run(session, local_context(ctx))
                session.slots.update(outcome.values)
                next_target = step.branch.get(outcome.key, step.next)
            else:
                next_target = step.next
            assert next_target is not None  # guaranteed by the loader
            target = next_target
        raise RuntimeError(f"flow loop: more than {MAX_HOPS} steps without a question at {flow}")

    def _ask(self, session: Session, step: Step, ctx: TurnContext) -> list[Reply]:
        options = self._options(step, session, ctx)
        text = self._say(session, step, ctx) if step.say else ""
        if options:
            text = (text + "\n" if text else "") + _numbered(options)
        if step.footer:
            text = (text + "\n" if text else "") + self._fill(
                session, self._t(session, ctx, step.footer), ctx
            )
        return [Reply(text=text, options=options)] if text else []

    def _options(self, step: Step, session: Session, ctx: TurnContext) -> tuple[Option, ...]:
        collect = step.collect
        if collect is None:
            return ()
        octx = OptionContext(
            lang=self._lang(session, ctx),
            collect=collect,
            slots=session.slots,
            ports=ctx.ports,
            translate=lambda msgid: self._t(session, ctx, msgid),
            message=lambda key: self._msg(session, ctx, key),
            relationships=self.flowset.relationships,
        )
        return ANSWER_TYPES[collect.type].options(octx)

    def _say(self, session: Session, step: Step, ctx: TurnContext) -> str:
        template = "" if step.say is None else step.say if step.literal else self._t(
            session, ctx, step.say
        )
        lines = [str(line) for line in session.slots.get(step.lines or "") or []]
        return "\n".join([self._fill(session, template, ctx), *lines] if template else lines)

    def _fill(self, session: Session, template: str, ctx: TurnContext) -> str:
        if "{" not in template:
            return template
        values: dict[str, Any] = display_values(
            session.slots,
            self.flowset.slot_specs,
            self._lang(session, ctx),
            ctx.ports,
            self.catalogs,
        )
        values.setdefault("phone", session.phone)
        values.setdefault("registration_id", session.registration_id or "")
        values.setdefault("max_household", str(ctx.max_household_size))
        values.setdefault("adult_age", str(ctx.adult_age))
        return string.Formatter().vformat(template, (), _Missing(values))

    def _lang(self, session: Session, ctx: TurnContext) -> str:
        return session.lang or ctx.default_language

    def _t(self, session: Session, ctx: TurnContext, msgid: str) -> str:
        return self.catalogs.gettext(self._lang(session, ctx), msgid)

    def enter(self, session: Session, flow: str, ctx: TurnContext) -> list[Reply]:
        """Start a flow (staff mode's menu, when the staff word is written): remember where
        the conversation was, for `resume`, unless it is in that mode already."""
        if self._mode_menu(session) is None:
            where = f"{session.flow}:{session.step}" if session.flow and session.step else ""
            session.slots[RESUME_SLOT] = where
        session.failures = 0
        out: list[Reply] = []
        self._go(session, f"{FLOW_PREFIX}{flow}", out, ctx)
        return out

    def resume(self, session: Session, ctx: TurnContext) -> None:
        """Leave a mode without a word: back where it was entered (see `enter`)."""
        self._go(session, RESUME, [], ctx)

    def say(self, session: Session, flow: str, step: str, ctx: TurnContext) -> str:
        """What a step of a flow says, with the session's values (staff mode answers what the
        applicant's flow answers: an under-age applicant, for one)."""
        return self._say(session, self.flowset.step(flow, step), ctx)

    def message(self, session: Session, key: str, ctx: TurnContext) -> str:
        """One of the engine's own messages (flows/messages.yaml), in the person's language."""
        return self._msg(session, ctx, key)

    def _msg(self, session: Session, ctx: TurnContext, key: str) -> str:
        return self._fill(session, self._t(session, ctx, self.flowset.messages[key]), ctx)

    def _position_exists(self, session: Session) -> bool:
        flow = self.flowset.flows.get(session.flow or "")
        return flow is not None and (session.step or "") in flow.steps

    def _current(self, session: Session) -> Step:
        assert session.flow is not None and session.step is not None
        return self.flowset.step(session.flow, session.step)


def local_context(ctx: TurnContext) -> LocalContext:
    """What a local action may know of the turn (one signature for all of them)."""
    return LocalContext(ctx.now, ctx.today, ctx.max_household_size, ctx.adult_age)


def _key_slot(action: str) -> str:
    return f"_key_{action}"


def _numbered(options: tuple[Option, ...]) -> str:
    return "\n".join(f"{i}. {opt.title}" for i, opt in enumerate(options, start=1))
