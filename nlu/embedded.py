"""The in-process parser: language id, intent model and entity extractors together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from nlu.classifier import IntentModel
from nlu.entities import extract_entities, yes_no_only
from nlu.entities.thanks import thanks_only
from nlu.langid import identify_language, use_cache_dir
from nlu.model_cache import load_or_train
from nlu.negation import negated_action
from nlu.result import FALLBACK_INTENT, Entity, Intent, Language, ParseResult

__all__ = ["ACTION_INTENTS", "DEFAULT_THRESHOLD", "EmbeddedParser"]

#: Intents that ask the bot to do something: negated ("no quiero borrar mis datos", "m pa vle
#: anile"), they are not that wish (nlu/negation.py), and the next intent is taken instead.
ACTION_INTENTS = frozenset({"register", "request_slot", "cancel", "add_family_member",
                            "change_language", "talk_to_human", "delete_my_data"})

# Below this probability the answer is nlu_fallback. Chosen by cross-validation: at 0.4
# about half of off-topic messages ("me gusta la pizza") fall back, in-domain accuracy holds.
DEFAULT_THRESHOLD = 0.4
_WARM_UP = ("hola soy colombiana, naci el 14 de febrero de 1992", "bonjou m se ayisyen",
            "oi sou brasileira", "hi i am from Cuba, born October 9, 1978")
_EXTRACTORS = {"date": "frontdoor.dates", "number": "frontdoor.numbers",
               "country": "frontdoor.countries"}


class EmbeddedParser:
    """Parses with the cached model; ``lang`` given by the caller is trusted, not re-detected."""

    def __init__(
        self,
        model: IntentModel,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.model = model
        self.threshold = threshold
        self._today = today

    @classmethod
    def load(
        cls, cache_dir: Path | None = None, *, threshold: float = DEFAULT_THRESHOLD
    ) -> EmbeddedParser:
        """The cached model (trained first if missing), warmed up for the first message."""
        if cache_dir is not None:
            use_cache_dir(cache_dir)
        parser = cls(load_or_train(cache_dir), threshold=threshold)
        parser.warm_up()
        return parser

    def warm_up(self) -> None:
        """Build the lazy tables (language model, country index, patterns) at start-up, so
        the first person to write does not wait half a second for them."""
        for text in _WARM_UP:
            self.parse(text, None)

    def parse(self, text: str, lang: str | None = None) -> ParseResult:
        if lang:
            language = Language(code=lang, confidence=1.0)
        else:
            code, confidence = identify_language(text)
            language = Language(code=code, confidence=confidence)
        ranking = [Intent(name=name, confidence=round(p, 4)) for name, p in self.model.rank(text)]
        bare = yes_no_only(text, lang)
        if bare is not None:  # the yes/no lexicon knows more words than the examples
            wanted = "affirm" if bare else "deny"
            ranking.sort(key=lambda i: i["name"] != wanted)
            ranking[0] = Intent(name=wanted, confidence=max(ranking[0]["confidence"], 0.95))
        elif thanks_only(text, lang):  # "thx", "mesi bondye", "obrigadão": thanks, not yes
            ranking.sort(key=lambda i: i["name"] != "thanks")
            ranking[0] = Intent(name="thanks", confidence=max(ranking[0]["confidence"], 0.95))
        table_lang = lang or (language["code"] if language["confidence"] >= 0.5 else None)
        if ranking[0]["name"] in ACTION_INTENTS and negated_action(text, table_lang):
            ranking = ranking[1:]  # "no quiero borrar mis datos" is not delete_my_data
        top = ranking[0]
        intent = top if top["confidence"] >= self.threshold else Intent(
            name=FALLBACK_INTENT, confidence=top["confidence"])
        entities = [
            Entity(entity=f.entity, value=f.value, start=f.start, end=f.end,
                   extractor=_EXTRACTORS[f.entity])
            for f in extract_entities(text, table_lang, today=self._today())
        ]
        return ParseResult(text=text, intent=intent, intent_ranking=ranking[:10],
                           entities=entities, language=language)
