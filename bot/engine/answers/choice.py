"""A numbered choice: by number, by button payload, or by (a unique part of) the title.

A port question (``options_from: ports``) also knows each port's other names: the Mexican
city across from it and spellings ("tijuana", "juarez", "elpaso"), from bot/ports.py.
"""

from __future__ import annotations

from functools import lru_cache

from bot.engine.answers.base import Accepted, AnswerContext, AnswerResult, Rejected
from bot.messages import Option
from bot.ports import port_words
from nlu.entities.lexicon import Lexicon
from nlu.normalize import match_key


def match_option(text: str, button: str | None, options: tuple[Option, ...]) -> Option | None:
    by_id = {opt.id: opt for opt in options}
    if button and button in by_id:
        return by_id[button]
    folded = match_key(text)
    if not folded:
        return None
    digits = folded.rstrip(". )")
    if digits.isdigit():
        index = int(digits)
        return options[index - 1] if 1 <= index <= len(options) else None
    exact = [opt for opt in options if match_key(opt.title) == folded or opt.id == folded]
    if len(exact) == 1:
        return exact[0]
    partial = [opt for opt in options if len(folded) >= 3 and folded in match_key(opt.title)]
    return partial[0] if len(partial) == 1 else None


class ChoiceAnswer:
    name = "choice"
    default_invalid = "invalid_choice"

    def parse(self, text: str, button: str | None, ctx: AnswerContext) -> AnswerResult:
        option = match_option(text, button, ctx.options)
        if option is None and ctx.collect.options_from == "ports" and not button:
            port = _ports_lexicon(tuple((o.id, o.title) for o in ctx.options)).match(text)
            option = next((o for o in ctx.options if o.id == port), None)
        if option is None:
            return Rejected(self.default_invalid)
        return Accepted(option.id, branch_key=option.id)


@lru_cache(maxsize=64)
def _ports_lexicon(ports: tuple[tuple[str, str], ...]) -> Lexicon:
    return Lexicon({port_id: port_words(port_id, name) for port_id, name in ports})
