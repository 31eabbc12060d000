"""Country words Babel does not have: demonyms, Kreyòl names, abbreviations, spellings.

Spanish and Portuguese demonyms are listed in the masculine; :func:`gendered` adds the
feminine and plural forms people use ("colombiana", "somos venezolanos"). Kreyòl words
are written without accents (ayisyen and ayisyèn fold to the same word). Each value is a
comma-separated list of aliases for one ISO 3166 alpha-2 code.
"""

from __future__ import annotations

from nlu.packs import PackTable

__all__ = ["DEMONYMS", "NAMES", "gendered"]

DEMONYMS: PackTable = PackTable("demonyms")

NAMES: PackTable = PackTable("country_names")


def gendered(word: str, lang: str) -> list[str]:
    """A demonym with its feminine and plural forms ("peruano" -> peruana, peruanos...)."""
    if lang == "en":
        return [word, word + "s"]
    if lang == "ht":
        return [word, word + "n", word + "ne"]  # ayisyenn, ayisyenne: common spellings
    if word.endswith("ao"):  # afegao -> afega, afegaos
        return [word, word[:-1], word + "s"]
    if word.endswith("o"):
        stem = word[:-1]
        return [word, stem + "a", stem + "os", stem + "as"]
    if word.endswith(("es", "ol", "an")):  # frances, espanol, aleman
        return [word, word + "a", word + "es", word + "as"]
    return [word, word + "s"]  # nicaraguense, canadense, somali, vietnamita
