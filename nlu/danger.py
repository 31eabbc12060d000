"""Danger words: extortion, kidnapping, violence, a sick child. A rule, not a learnt intent.

Why a rule: these messages are rare (a classifier sees too few to learn them), and missing one
costs far more than a needless handoff, so any message that says one of these words opens a
handoff marked urgent wherever it is written. The phrases are stems matched at the start of a
word in folded text ("extorsion", "extorsionando", "nos extorsionan"), chosen so that ordinary
answers (names such as Socorro, Dolores or Angustias, countries, dates) never match.
"""

from __future__ import annotations

import re
from functools import cache

from nlu.normalize import fold
from nlu.packs import PackTable, on_reload

__all__ = ["CATEGORIES", "danger"]

#: category -> comma-separated stems (a stem ending in "*" matches any ending of the word).
CATEGORIES: dict[str, str] = {
    "extortion": (
        "extorsi*, extorcion*, extorsion*, cobr* de piso, cobr* piso, derecho de piso, "
        "cuota de piso, "
        "extors*, extort*, extòsyon, ekstosyon, rançon*, ranson, ransom*, rescate*, resgate*, "
        "me piden dinero o, nos piden dinero o"
    ),
    "kidnapping": (
        "secuestr*, sequestr*, kidnap*, kidnape*, anlve*, levantaron a, se lo llevaron, "
        "se la llevaron, raptaron, rapt*, abduct*"
    ),
    "violence": (
        "amenaz*, ameaca*, ameacad*, threaten*, menase*, me quieren matar, nos quieren matar, "
        "lo quieren matar, la quieren matar, querem me matar, querem nos matar, "
        "want to kill, going to kill, trying to kill, vle touye, pral touye, "
        "me golpe*, nos golpe*, golpearon, me pega*, me bateram, bateram, bat mwen, "
        "beat me, beating me, hit me, violencia, violência, violence, vyolans, violaron, "
        "violacion, violada, estupr*, vyole*, raped, rape, asalt*, assault*, agredi*, "
        "disparar*, dispararon, balacera, tiroteo, shot at, shooting, me persiguen, "
        "nos persiguen, following me, abus*, trafica*, tráfico de personas, "
        "trafficking, trafficked, pandill*, gang, gangs, mara salvatrucha, bandi, bandit*, "
        "cartel*, el narco, los narcos, narcotrafic*, "
        "me robaron, nos robaron, nos asaltaron, robbed, mugged, nos pegaron, me pegaron, "
        "tire sou, atacaron, nos atacaron, attacked, atake nou, atake m"
    ),
    "medical": (
        "enferm*, doente*, sick, ill, malad*, fiebre, febre, fever, lafyev, lafyèv, "
        "no respira, nao respira, not breathing, cant breathe, can't breathe, pa ka respire, "
        "convulsi*, seizure*, kriz, sangr*, bleeding, ap senyen, senyen, desmay*, desmai*, "
        "fainted, endispoze, emergencia, emergência, emergency, ijans, hospital, lopital, "
        "urgencia, urgente, urgent, dolor de pecho, chest pain, deshidrat*, desidrat*, "
        "dehydrat*, vomit*, vomi*, calentura, diarrea, diarreia, diarrhea, dyare, "
        "contraccion*, contracoes, contractions, trabajo de parto, in labor, tranche, "
        "rompio la fuente, bolsa estourou, mucho dolor, dolor muy fuerte, muita dor, "
        "a lot of pain, doule anpil, asthma attack, opresyon, infarto, heart attack, "
        "desnutri*, malnourish*, denitrisyon"
    ),
}
# A word that contains a stem but means something else ("illegal" is not "ill").
_NOT_DANGER = frozenset({"enfermera", "enfermero", "enfermeria", "enfermeras", "enfermeros"})


def _stem_pattern(stem: str) -> str:
    words = fold(stem.strip()).split()
    parts = [re.escape(w.rstrip("*")) + (r"[\w']*" if w.endswith("*") else "") for w in words]
    return r"\s+".join(parts)


#: Danger words a pack adds (`understanding: danger: {category: "stems"}`): a reviewer of a
#: language adds its words for the same four categories, never fewer than these.
_PACK_DANGER = PackTable("danger")


def _categories() -> dict[str, str]:
    merged = dict(CATEGORIES)
    for entries in _PACK_DANGER.values():
        if isinstance(entries, dict):
            for category, stems in entries.items():
                if category in merged and isinstance(stems, str) and stems.strip():
                    merged[category] = f"{merged[category]}, {stems}"
    return merged


@cache
def _pattern() -> re.Pattern[str]:
    groups = []
    for category, stems in _categories().items():
        alternation = "|".join(
            _stem_pattern(s) for s in sorted(stems.split(","), key=len, reverse=True) if s.strip()
        )
        groups.append(rf"(?P<{category}>(?<![\w'])(?:{alternation})(?![\w']))")
    return re.compile("|".join(groups))


def danger(text: str) -> str | None:
    """The danger category a message speaks of ("nos están extorsionando" -> "extortion"),
    or None. Every language's words are tried: a person in danger may switch language."""
    for m in _pattern().finditer(fold(text)):
        if m.group(0) in _NOT_DANGER or m.lastgroup is None:
            continue
        return m.lastgroup
    return None


on_reload(_pattern.cache_clear)
