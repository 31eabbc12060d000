"""How a household member is related to the applicant, in everyday words ("mi señora",
"pitit mwen", "minha mãe", "my wife"), as the household flow's option ids."""

from __future__ import annotations

from functools import cache

from nlu.entities.langs import table_langs
from nlu.entities.lexicon import Lexicon

__all__ = ["RELATIONSHIP_WORDS", "parse_relationship"]

#: lang -> relationship id -> comma-separated words (singular; written without accents is
#: fine, matching folds them).
RELATIONSHIP_WORDS: dict[str, dict[str, str]] = {
    "es": {
        "spouse": "esposa, esposo, senora, senor, mujer, marido, pareja, companera, "
        "companero, novia, novio, conyuge, concubina, concubino, doña, mi vieja, mi viejo, "
        "mi esposita, mi chava, mi chavo, mi prometida, mi prometido",
        "child": "hijo, hija, hijos, hijas, nino, nina, nene, nena, bebe, hijastro, hijastra, "
        "chamaco, chamaca, mi niño, mi niña, hijito, hijita, mijo, mija, m'ijo, m'ija, chiquito, "
        "chiquita, mi bebito, mi bebita, nenito, nenita, hijastros",
        "parent": "papa, mama, padre, madre, mami, papi, mamita, papito, padrastro, madrastra, "
        "mi jefa, mi jefecita, mi jefita, mamacita, mamá, papá",
        "sibling": "hermano, hermana, hermanos, hermanas, hermanastro, hermanastra, hermanito, "
        "hermanita, mi carnal, medio hermano, media hermana",
        "other": "abuelo, abuela, tio, tia, sobrino, sobrina, primo, prima, nieto, nieta, "
        "cunado, cunada, suegro, suegra, yerno, nuera, padrino, madrina, ahijado, ahijada, "
        "abuelita, abuelito, tiita, tiito",
    },
    "pt": {
        "spouse": "esposa, esposo, marido, mulher, companheira, companheiro, parceira, "
        "parceiro, namorada, namorado, conjuge",
        "child": "filho, filha, filhos, filhas, crianca, bebe, nenem, enteado, enteada, filhinho, "
        "filhinha, menino, menina",
        "parent": "pai, mae, papai, mamae, padrasto, madrasta, mainha, painho",
        "sibling": "irmao, irma, irmaos, irmas, irmaozinho, irmazinha",
        "other": "avo, tio, tia, sobrinho, sobrinha, primo, prima, neto, neta, cunhado, "
        "cunhada, sogro, sogra, genro, nora, padrinho, madrinha",
    },
    "ht": {
        "spouse": "madanm, mari, fanm mwen, fanm m, neg mwen, mennaj, konpay, fiyanse",
        "child": "pitit, pitit gason, pitit fi, ti gason, ti fi, tipitit, bebe, ti moun mwen, "
        "ti bebe, pitit fiy",
        "parent": "papa, manman, papa m, manman m, bopè, bèlmè",
        "sibling": "fre, se mwen, se m, frè m, ti fre, ti se, gran fre, gran se",
        "other": "grann, granmè, granpè, granpapa, tonton, matant, neve, nyes, kouzen, "
        "kouzin, pitit pitit, bofre, belse, parenn, marenn, bofis, belfi",
    },
    "en": {
        "spouse": "wife, husband, spouse, partner, girlfriend, boyfriend, fiance, fiancee, hubby, "
        "wifey",
        "child": "son, daughter, child, kid, baby, stepson, stepdaughter, children, kids",
        "parent": "father, mother, mom, mum, dad, mommy, daddy, mama, papa, stepfather, "
        "stepmother, parent",
        "sibling": "brother, sister, sibling, stepbrother, stepsister, sis, bro, half brother, "
        "half sister",
        "other": "grandmother, grandfather, grandma, grandpa, grandson, granddaughter, uncle, "
        "aunt, nephew, niece, cousin, in law, brother in law, sister in law, godson, "
        "goddaughter",
    },
}


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
