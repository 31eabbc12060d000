"""How a household member is related to the applicant, in everyday words ("mi señora",
"pitit mwen", "minha mãe", "my wife"), as the household flow's option ids."""

from __future__ import annotations

from functools import cache

from nlu.entities.langs import table_langs
from nlu.entities.lexicon import Lexicon
from nlu.packs import PackTable, on_reload

__all__ = ["RELATIONSHIP_WORDS", "parse_relationship"]

#: lang -> relationship id -> comma-separated words (singular; written without accents is
#: fine, matching folds them).
RELATIONSHIP_WORDS: PackTable = PackTable("relationships")


@cache
def _lexicon(langs: tuple[str, ...]) -> Lexicon:
    table: dict[str, list[str]] = {}
    for lang in langs:
        for rel, words in RELATIONSHIP_WORDS.get(lang, {}).items():
            table.setdefault(rel, []).extend(w.strip() for w in words.split(",") if w.strip())
    return Lexicon(table)


def parse_relationship(text: str, lang: str | None) -> str | None:
    """The relationship a typed answer names ("es mi señora" -> "spouse"), or None."""
    return _lexicon(table_langs(lang)).match(text)


on_reload(_lexicon.cache_clear)
