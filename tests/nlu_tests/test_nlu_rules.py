"""The NLU's rules, table-driven with failure rows: danger words (urgent handoff), negated
actions (not the action), and thanks (not yes or no) in es/ht/pt/en."""

from __future__ import annotations

import pytest

from nlu.danger import danger
from nlu.entities.thanks import thanks_only
from nlu.negation import negated_action
from nlu.result import Parser

DANGER = [
    ("nos están extorsionando", "extortion"),
    ("me están cobrando piso", "extortion"),
    ("secuestraron a mi esposo", "kidnapping"),
    ("mi hijo está muy enfermo", "medical"),
    ("nos quieren matar", "violence"),
    ("yo kidnape frè m", "kidnapping"),
    ("pitit mwen malad anpil", "medical"),
    ("y ap menase nou", "violence"),
    ("meu filho está com febre", "medical"),
    ("estão nos ameaçando", "violence"),
    ("they are extorting us", "extortion"),
    ("my daughter is sick", "medical"),
    ("mi hijo tiene calentura", "medical"),
    ("mi bebé no come y tiene diarrea", "medical"),
    ("pitit mwen gen dyare depi 3 jou", "medical"),
    ("madanm mwen gen tranche", "medical"),
    ("los del cartel nos buscan", "violence"),
    ("bandi yo ap chache nou", "violence"),
    ("yo te tire sou nou", "violence"),
    ("nos robaron todo en el camino", "violence"),
    ("fomos sequestrados", "kidnapping"),
    ("my child has a fever", "medical"),
    # failure rows: names, ordinary answers and requests
    ("Socorro Dolores Hernández", None),
    ("Angustias Amparo", None),
    ("soy enfermera", None),
    ("quiero una cita", None),
    ("14 de febrero de 1992", None),
    ("m vle yon randevou", None),
    ("I will go tomorrow", None),
    ("obrigado pela ajuda", None),
    ("Asma Khan", None),
    ("Illari Quispe", None),
    ("soy de Malí", None),
    ("mi esposa y mis dos hijos", None),
    ("pitit mwen ak madanm mwen", None),
    ("Rosa del Carmen Ruiz", None),
]


@pytest.mark.parametrize(("text", "expected"), DANGER, ids=[d[0] for d in DANGER])
def test_danger(text: str, expected: str | None) -> None:
    assert danger(text) == expected


NEGATED = [
    ("es", "no quiero borrar mis datos", True),
    ("es", "no borren mis datos", True),
    ("es", "yo no quiero cancelar mi cita", True),
    ("ht", "m pa vle efase done m yo", True),
    ("ht", "pa anile randevou a", True),
    ("pt", "não quero cancelar", True),
    ("pt", "nao quero apagar meus dados", True),
    ("en", "i don't want to delete my data", True),
    ("en", "do not cancel", True),
    ("en", "please do not delete my info", True),
    ("es", "por favor no borren mis datos", True),
    ("ht", "tanpri pa efase done m yo", True),
    ("pt", "por favor não cancele", True),
    # failure rows: the negation is the wish itself, or not about an action
    ("es", "no entiendo cómo registrarme", False),
    ("es", "aún no me registro", False),
    ("es", "no hablo español", False),
    ("ht", "m pa enskri ankò", False),
    ("ht", "m pa konprann", False),
    ("pt", "colocar minha esposa no pedido", False),
    ("pt", "não posso ir no agendamento", False),
    ("en", "not registered yet", False),
    ("en", "i dont want to talk to a machine", False),
    ("en", "please delete my data", False),
    ("es", "por favor borren mis datos", False),
    ("ht", "tanpri efase done m yo", False),
]


@pytest.mark.parametrize(("lang", "text", "expected"), NEGATED, ids=[n[1] for n in NEGATED])
def test_negated_action(lang: str, text: str, expected: bool) -> None:
    assert negated_action(text, lang) is expected


def test_a_negated_action_is_not_the_action(parser: Parser) -> None:
    for text, lang, action in [
        ("no quiero borrar mis datos", "es", "delete_my_data"),
        ("m pa vle efase done m yo", "ht", "delete_my_data"),
        ("não quero cancelar meu agendamento", "pt", "cancel"),
        ("i don't want to delete my data", "en", "delete_my_data"),
    ]:
        assert parser.parse(text, lang)["intent"]["name"] != action, text
    assert parser.parse("quiero borrar mis datos", "es")["intent"]["name"] == "delete_my_data"


THANKS = [
    ("es", "muchas gracias!", True),
    ("es", "gracias por su ayuda", True),
    ("es", "Dios le bendiga", True),
    ("ht", "mesi bondye", True),
    ("ht", "m remèsye w anpil", True),
    ("ht", "mesi anpil 🙏", True),
    ("pt", "obrigadão", True),
    ("pt", "muito obrigado pela ajuda", True),
    ("en", "thx", True),
    ("en", "tysm", True),
    ("en", "i appreciate it", True),
    # failure rows: thanks and something else, a no, a name
    ("es", "gracias, quiero una cita", False),
    ("es", "no gracias", False),
    ("es", "Gracia Pérez", False),
    ("ht", "mesi, m vle yon randevou", False),
    ("pt", "obrigado, qual é o meu status", False),
    ("en", "thank you, delete my data", False),
]


@pytest.mark.parametrize(("lang", "text", "expected"), THANKS, ids=[t[1] for t in THANKS])
def test_thanks_lexicon(lang: str, text: str, expected: bool) -> None:
    assert thanks_only(text, lang) is expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [("gracias", "es"), ("mesi", "ht"), ("mesi anpil", "ht"), ("obrigado", "pt"),
     ("muito obrigada", "pt"), ("thank you", "en"), ("thx", "en"), ("mesi bondye", "ht"),
     ("obrigadão", "pt"), ("gracias por su ayuda", "es")],
)
def test_thanks_is_not_yes_or_no(parser: Parser, text: str, lang: str) -> None:
    assert parser.parse(text, lang)["intent"]["name"] == "thanks"
