"""parse(): Rasa's answer shape, intents on realistic messages, entities, fallback."""

from __future__ import annotations

import pytest

from nlu.embedded import EmbeddedParser
from nlu.evaluate import OFF_TOPIC as OFF_TOPIC_INTENT
from nlu.result import FALLBACK_INTENT, INTENTS

INTENT_CASES: list[tuple[str, str, str | None, str]] = [
    # label, text, lang, expected intent
    ("es request with typos (issue text)", "kiero sacar sita pal lunes", "es", "request_slot"),
    ("ht status (issue text)", "kote randevou m lan ye", "ht", "check_status"),
    ("pt status (issue text)", "ja tenho data marcada?", "pt", "check_status"),
    ("es greeting", "hola buenas", None, "greet"),
    ("ht greeting", "bonjou", None, "greet"),
    ("es human", "quiero hablar con una persona", None, "talk_to_human"),
    ("en delete", "delete my data", None, "delete_my_data"),
    ("es yes from lexicon not in examples", "simon gracias", "es", "affirm"),
    ("ht no with filler", "non mesi anpil", "ht", "deny"),
    ("es 'no entiendo' is help, not deny", "no entiendo", "es", "help"),
    ("pt language", "nao falo espanhol", "pt", "change_language"),
    ("en family", "add my son", "en", "add_family_member"),
]


@pytest.mark.parametrize(("label", "text", "lang", "expected"), INTENT_CASES,
                         ids=[c[0] for c in INTENT_CASES])
def test_intent(parser: EmbeddedParser, label: str, text: str, lang: str | None,
                expected: str) -> None:
    assert parser.parse(text, lang)["intent"]["name"] == expected, label


OFF_TOPIC = [
    "asdkjh qwe zzz", "me gusta la pizza con piña", "quien gano el partido ayer",
    "mi perro se llama max", "the weather is nice today", "m swaf dlo",
    "voce gosta de musica", "jajajaja que risa", "te amo mi amor", "li fè frèt aswè a",
    "what time is the game", "mi carro es rojo",
]


def test_most_off_topic_messages_fall_back(parser: EmbeddedParser) -> None:
    """Off-topic chat is not a request: the out_of_scope class (issue 11) or the threshold.

    Measured: 11 of these 12 (before the out_of_scope class: 6 of 12 fell back). Some are close
    to lines of the off-topic training data, so this guards against getting worse rather than
    measuring real traffic.
    """
    results = [parser.parse(text, None)["intent"] for text in OFF_TOPIC]
    rejected = [r for r in results if r["name"] in (FALLBACK_INTENT, OFF_TOPIC_INTENT)]
    assert len(rejected) >= len(OFF_TOPIC) * 3 // 4, results
    fallen = [r for r in results if r["name"] == FALLBACK_INTENT]
    assert all(r["confidence"] < parser.threshold for r in fallen)


def test_answer_has_rasa_shape(parser: EmbeddedParser) -> None:
    result = parser.parse("quiero una cita para el 14 de febrero de 1992", None)
    assert set(result) == {"text", "intent", "intent_ranking", "entities", "language"}
    assert set(result["intent"]) == {"name", "confidence"}
    ranking = result["intent_ranking"]
    assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking),
                                                        reverse=True)
    assert {r["name"] for r in ranking} <= set(INTENTS)
    assert 0.99 <= sum(r["confidence"] for r in ranking) <= 1.01
    for entity in result["entities"]:
        assert set(entity) == {"entity", "value", "start", "end", "extractor"}
    assert result["language"]["code"] == "es"


def test_must_show_date_entity(parser: EmbeddedParser) -> None:
    result = parser.parse("14 de febrero de 1992", "es")
    assert [(e["entity"], e["value"], e["start"], e["end"]) for e in result["entities"]] == [
        ("date", "1992-02-14", 0, 21)
    ]


def test_must_show_country_entity(parser: EmbeddedParser) -> None:
    result = parser.parse("soy colombiana", None)
    assert [(e["entity"], e["value"]) for e in result["entities"]] == [("country", "CO")]
    assert result["language"]["code"] == "es"


def test_relative_date_uses_injected_today(parser: EmbeddedParser) -> None:
    result = parser.parse("m vle yon randevou demen", "ht")
    assert result["intent"]["name"] == "request_slot"
    assert [e["value"] for e in result["entities"] if e["entity"] == "date"] == ["2025-03-15"]


def test_given_language_is_trusted(parser: EmbeddedParser) -> None:
    assert parser.parse("ok", "quc")["language"] == {"code": "quc", "confidence": 1.0}


def test_kreyol_number_only_in_kreyol(parser: EmbeddedParser) -> None:
    ht = parser.parse("nou de moun", "ht")["entities"]
    es = parser.parse("la cita de mi hijo", "es")["entities"]
    assert [(e["entity"], e["value"]) for e in ht] == [("number", 2)]
    assert es == []
