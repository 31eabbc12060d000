"""What people type at the registration questions, in es/ht/pt/en: names, ports, dates,
countries and relationships. Each table has rows that must be accepted (and stored as what)
and failure rows that must be refused, so a looser parser cannot pass by accepting all."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.engine.answers import ANSWER_TYPES, Accepted, AnswerContext, Rejected
from bot.engine.answers.name import REWORDED
from bot.engine.models import Collect
from bot.messages import Option
from bot.ports import DEFAULT_PORTS as PORTS_CONFIGURED
from bot.ports import port_aliases
from nlu import packs

TODAY = date(2026, 3, 14)
REFUSED = None  # expected value of a failure row

PORTS = (
    Option(id="brownsville", title="Brownsville"),
    Option(id="eagle_pass", title="Eagle Pass"),
    Option(id="hidalgo", title="Hidalgo"),
    Option(id="laredo", title="Laredo"),
    Option(id="el_paso", title="El Paso – Paso del Norte"),
    Option(id="nogales", title="Nogales"),
    Option(id="calexico", title="Calexico"),
    Option(id="san_ysidro", title="San Ysidro"),
)
RELATIONSHIPS = tuple(
    Option(id=rid, title=title)
    for rid, title in (("spouse", "Spouse or partner"), ("child", "Son or daughter"),
                       ("parent", "Father or mother"), ("sibling", "Brother or sister"),
                       ("other", "Other relative"))
)


def _parse(type_: str, text: str, lang: str, options: tuple[Option, ...] = (),
           **collect: object) -> Accepted | Rejected:
    spec = Collect.model_validate({"slot": "x", "type": type_, **collect})
    ctx = AnswerContext(lang=lang, today=TODAY, collect=spec, options=options)
    return ANSWER_TYPES[type_].parse(text, None, ctx)


def _check(result: Accepted | Rejected, expected: object) -> None:
    if expected is REFUSED:
        assert isinstance(result, Rejected), result
    else:
        assert isinstance(result, Accepted), result
        assert result.value == expected


# ---- names: lead-in dropped, capitalised, particles lowercase ------------------------------

NAMES = [
    ("es", "me llamo maria jose lopez", "Maria Jose Lopez"),
    ("es", "Hola, mi nombre es MARÍA DE LOS ÁNGELES pérez", "María de los Ángeles Pérez"),
    ("es", "soy juan carlos del valle", "Juan Carlos del Valle"),
    ("es", "María José Pérez", "María José Pérez"),
    ("es", "Socorro Hernández", "Socorro Hernández"),
    ("ht", "mwen rele jean-pierre baptiste", "Jean-Pierre Baptiste"),
    ("ht", "bonjou, non mwen se marie claude joseph", "Marie Claude Joseph"),
    ("ht", "m rele wilner saint-fleur", "Wilner Saint-Fleur"),
    ("pt", "meu nome é ana da silva dos santos", "Ana da Silva dos Santos"),
    ("pt", "me chamo joão das neves", "João das Neves"),
    ("pt", "oi, eu sou maria do carmo", "Maria do Carmo"),
    ("en", "my name is john o'brien", "John O'Brien"),
    ("en", "i'm grace mcdonald", "Grace Mcdonald"),
    ("en", "Ixchel Tz'ul", "Ixchel Tz'ul"),
    ("en", "hi my name is Kevin McCarthy", "Kevin McCarthy"),
    # a filler before the lead-in, a clause or thanks after the name, a courtesy title
    ("es", "ok mi nombre es luis alberto", "Luis Alberto"),
    ("es", "bueno, me llamo rosa del carmen", "Rosa del Carmen"),
    ("es", "me llamo maría josé lópez y tengo 30 años", "María José López"),
    ("es", "Me llamo José Ruiz, gracias", "José Ruiz"),
    ("es", "soy la señora ana ruiz", "Ana Ruiz"),
    ("es", "Ma. de los Ángeles Cruz", "Ma. de los Ángeles Cruz"),
    ("es", "Bueno García", "Bueno García"),
    ("ht", "mwen rele jean claude, mesi anpil", "Jean Claude"),
    ("ht", "wi, mwen rele Marie epi m gen 2 pitit", "Marie"),
    ("pt", "eu me chamo ana e tenho 3 filhos", "Ana"),
    ("pt", "meu nome é Ana Souza, obrigada", "Ana Souza"),
    ("en", "yes my name is Tom Hanks, thanks", "Tom Hanks"),
    ("en", "Juan J. Pérez", "Juan J. Pérez"),
    ("en", "Don Smith", "Don Smith"),
    # failure rows: nothing left once the lead-in is gone, not a name at all
    ("es", "me llamo", REFUSED),
    ("es", "hola", REFUSED),
    ("es", "si", REFUSED),
    ("es", "juan 23", REFUSED),
    ("ht", "mwen rele", REFUSED),
    ("ht", "wi", REFUSED),
    ("pt", "meu nome é", REFUSED),
    ("pt", "obrigado", REFUSED),
    ("en", "my name is", REFUSED),
    ("en", "john@example.com", REFUSED),
    ("es", "me llamo, gracias", REFUSED),
    ("ht", "mwen rele... mesi", REFUSED),
    ("en", "thank you", REFUSED),
]


@pytest.mark.parametrize(("lang", "text", "expected"), NAMES, ids=[n[1] for n in NAMES])
def test_name(lang: str, text: str, expected: str | None) -> None:
    _check(_parse("name", text, lang), expected)


def test_a_reworded_name_is_said_back_and_a_typed_one_is_not() -> None:
    reworded = _parse("name", "me llamo maria lopez", "es")
    typed = _parse("name", "  María   López ", "es")
    assert isinstance(reworded, Accepted) and reworded.branch_key == REWORDED
    assert isinstance(typed, Accepted) and typed.branch_key is None
    assert typed.value == "María López"


# ---- ports: neighbouring Mexican cities, spellings -----------------------------------------

PORT_ROWS = [
    ("es", "tijuana", "san_ysidro"),
    ("es", "en tijuana por favor", "san_ysidro"),
    ("es", "juarez", "el_paso"),
    ("es", "Ciudad Juárez", "el_paso"),
    ("es", "elpaso", "el_paso"),
    ("es", "piedras negras", "eagle_pass"),
    ("es", "matamoros", "brownsville"),
    ("es", "reynosa", "hidalgo"),
    ("ht", "nuevo laredo", "laredo"),
    ("ht", "mexicali", "calexico"),
    ("ht", "tijuna", "san_ysidro"),
    ("pt", "san isidro", "san_ysidro"),
    ("pt", "paso del norte", "el_paso"),
    ("en", "sanysidro", "san_ysidro"),
    ("en", "eagle pass", "eagle_pass"),
    ("en", "nogales", "nogales"),
    ("en", "5", "el_paso"),
    ("es", "cd. juarez", "el_paso"),
    ("es", "ciudad juares", "el_paso"),
    ("es", "tiajuana", "san_ysidro"),
    ("es", "reinosa", "hidalgo"),
    ("es", "matamoro", "brownsville"),
    ("ht", "tijwana", "san_ysidro"),
    ("pt", "nogalez", "nogales"),
    ("en", "mcallen", "hidalgo"),
    ("es", "Juárez", "el_paso"),
    ("es", "Tijuana, BC", "san_ysidro"),
    ("es", "la garita de tijuana", "san_ysidro"),
    ("es", "nuevo laredo tamps", "laredo"),
    ("ht", "jwarez", "el_paso"),
    ("ht", "meksikali", "calexico"),
    ("pt", "juárez", "el_paso"),
    ("pt", "tijuana por favor", "san_ysidro"),
    ("en", "el paso tx", "el_paso"),
    ("en", "tj", "san_ysidro"),
    ("en", "mcallen texas", "hidalgo"),
    ("es", "juaritos", "el_paso"),
    ("es", "por tijuas", "san_ysidro"),
    ("pt", "são isidro", "san_ysidro"),
    ("pt", "sao ysidro", "san_ysidro"),
    # failure rows: not a port, two ports, a number out of range
    ("es", "monterrey", REFUSED),
    ("es", "el paso o tijuana", REFUSED),
    ("ht", "mwen pa konnen", REFUSED),
    ("pt", "cancun", REFUSED),
    ("en", "9", REFUSED),
    ("en", "texas", REFUSED),
    # Mexican cities across from ports that are not in the table (Del Rio, San Luis)
    ("es", "ciudad acuña", REFUSED),
    ("es", "san luis rio colorado", REFUSED),
    ("ht", "sonoyta", REFUSED),
    # another port of entry, not one that takes these appointments; a city on the US side
    ("es", "otay mesa", REFUSED),
    ("en", "san diego", REFUSED),
    ("pt", "não sei", REFUSED),
    ("en", "i dont know", REFUSED),
    ("es", "el puente", REFUSED),
]


@pytest.mark.parametrize(("lang", "text", "expected"), PORT_ROWS, ids=[p[1] for p in PORT_ROWS])
def test_port(lang: str, text: str, expected: str | None) -> None:
    _check(_parse("choice", text, lang, PORTS, options_from="ports"), expected)


def test_every_port_alias_names_its_own_port() -> None:
    """The alias tables are data (every pack's `port_aliases`): each alias must reach its port
    and no other."""
    for port_id in (port.id for port in PORTS_CONFIGURED):
        for alias in port_aliases(port_id):
            result = _parse("choice", alias, "es", PORTS, options_from="ports")
            assert isinstance(result, Accepted) and result.value == port_id, alias


def test_a_new_port_brings_its_own_names(tmp_path: Path) -> None:
    """A port the booking API adds is understood by its name and the parts of it at once,
    and by the names a pack gives it (`port_aliases`), with nothing else to change."""
    del_rio = (*PORTS, Option(id="del_rio", title="Del Rio (Texas)"))

    def answer(text: str) -> str | None:
        result = _parse("choice", text, "es", del_rio, options_from="ports")
        return result.value if isinstance(result, Accepted) else REFUSED

    assert answer("del rio") == "del_rio" and answer("tijuana") == "san_ysidro"
    assert answer("ciudad acuña") is REFUSED  # not yet a name of any port
    translations = tmp_path / "translations"
    shutil.copytree(packs.DEFAULT_DIR, translations)
    pack = translations / "es" / "pack.yaml"
    text = pack.read_text(encoding="utf-8")
    added = "port_aliases:\n  del_rio:\n  - ciudad acuna\n  - acuna\n"
    text = text.replace("port_aliases:\n", added, 1)
    pack.write_text(text, encoding="utf-8")
    packs.use_packs_dir(translations)
    assert port_aliases("del_rio") == ("ciudad acuna", "acuna")
    assert answer("ciudad acuña") == "del_rio" and answer("Acuña") == "del_rio"
    assert answer("tijuana") == "san_ysidro"


def test_aliases_only_where_ports_are_asked() -> None:
    """'tijuana' at an ordinary choice between two options is not an option."""
    menu = (Option(id="a", title="Uno"), Option(id="b", title="Dos"))
    assert isinstance(_parse("choice", "tijuana", "es", menu), Rejected)


# ---- dates: year first, ordinals, number words ---------------------------------------------

DATES = [
    ("es", "nací en 1985, el 12 de junio", "1985-06-12"),
    ("es", "1985 junio 12", "1985-06-12"),
    ("es", "el primero de junio de 1985", "1985-06-01"),
    ("es", "treinta y uno de diciembre de 1980", "1980-12-31"),
    ("es", "14/02/1992", "1992-02-14"),
    ("ht", "trwa oktòb 1990", "1990-10-03"),
    ("ht", "premye janvye 1970", "1970-01-01"),
    ("ht", "de fevriye 1988", "1988-02-02"),
    ("ht", "m fèt an 1992, 5 me", "1992-05-05"),
    ("pt", "primeiro de maio de 1979", "1979-05-01"),
    ("pt", "vinte e dois de abril de 1990", "1990-04-22"),
    ("pt", "nasci em 1990, dia 3 de março", "1990-03-03"),
    ("en", "the 3rd of june 1990", "1990-06-03"),
    ("en", "june twenty-first 1975", "1975-06-21"),
    ("en", "born 1988, march 3rd", "1988-03-03"),
    ("es", "nací el 12 de junio del año 1985", "1985-06-12"),
    ("es", "el 12 de junio, en 1985", "1985-06-12"),
    ("es", "1ro de mayo de 1988", "1988-05-01"),
    ("ht", "1e janvye 1990", "1990-01-01"),
    ("ht", "3 okt 1990", "1990-10-03"),
    ("ht", "douz desanm nan lane 1980", "1980-12-12"),
    ("pt", "1ª de maio de 1990", "1990-05-01"),
    ("pt", "3 de março em 1990", "1990-03-03"),
    ("en", "june 3rd in the year 1990", "1990-06-03"),
    ("en", "the first of may 1980", "1980-05-01"),
    # failure rows: no year (so the next 12 June, in the future), impossible, not a date
    ("es", "el 12 de junio", "date_not_past"),
    ("es", "1990, 30 de febrero", "impossible_date"),
    ("es", "1985", "invalid_date"),
    ("ht", "trwa oktòb", "date_not_past"),
    ("ht", "mwen pa konnen", "invalid_date"),
    ("pt", "primeiro de maio", "date_not_past"),
    ("pt", "1990 e 1991, 3 de março", "date_not_past"),
    ("en", "the 3rd of june", "date_not_past"),
    ("en", "february 30th 1990", "impossible_date"),
    ("es", "el 12 de junio en 20 días", "date_not_past"),
    ("es", "el tercero de junio de 1990", "invalid_date"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), DATES, ids=[d[1] for d in DATES])
def test_date(lang: str, text: str, expected: str) -> None:
    result = _parse("date", text, lang, past=True)
    if expected[0].isdigit():
        _check(result, expected)
    else:
        assert isinstance(result, Rejected) and result.message == expected, result


# ---- countries: typos and demonyms ---------------------------------------------------------

COUNTRIES = [
    ("es", "guatamela", "GT"),
    ("es", "domiciana", "DO"),
    ("es", "soy hondureña", "HN"),
    ("es", "benezolana", "VE"),
    ("es", "el salbador", "SV"),
    ("ht", "ayisyèn", "HT"),
    ("ht", "nikaragwa", "NI"),
    ("ht", "dominiken", "DO"),
    ("pt", "brasilera", "BR"),
    ("pt", "venezuelana", "VE"),
    ("pt", "hondurenha", "HN"),
    ("en", "colombain", "CO"),
    ("en", "guatemalan", "GT"),
    ("en", "salvadorian", "SV"),
    ("es", "nicaragüense", "NI"),
    ("es", "hondras", "HN"),
    ("es", "soy de honduras", "HN"),
    ("ht", "ondiras", "HN"),
    ("ht", "m se ayisyen", "HT"),
    ("ht", "mwen soti ayiti", "HT"),
    ("ht", "kolonmbi", "CO"),
    ("pt", "brasiu", "BR"),
    ("pt", "sou do brasil", "BR"),
    ("pt", "venezuella", "VE"),
    ("en", "hatian", "HT"),
    ("en", "i am from honduras", "HN"),
    ("en", "venezula", "VE"),
    ("en", "columbia", "CO"),
    # what Central Americans call themselves
    ("es", "soy catracho", "HN"),
    ("es", "somos catrachas", "HN"),
    ("es", "chapina", "GT"),
    ("es", "soy chapín", "GT"),
    ("es", "guanaco", "SV"),
    ("es", "nica", "NI"),
    ("es", "pinolera", "NI"),
    # failure rows: ordinary words, too far from any country
    ("es", "azul", REFUSED),
    ("es", "pero", REFUSED),
    ("es", "guaramela", REFUSED),
    ("ht", "mwen pa konnen", REFUSED),
    ("pt", "não sei", REFUSED),
    ("en", "pizza", REFUSED),
    # two countries (which one is theirs is not known), a continent or region, not a typo
    ("es", "honduras y guatemala", REFUSED),
    ("pt", "brasil e venezuela", REFUSED),
    ("es", "sudamérica", REFUSED),
    ("es", "américa del sur", REFUSED),
    ("pt", "américa do sul", REFUSED),
    ("en", "south america", REFUSED),
    ("en", "latin", REFUSED),
    ("ht", "afrik", REFUSED),
]


@pytest.mark.parametrize(("lang", "text", "expected"), COUNTRIES, ids=[c[1] for c in COUNTRIES])
def test_country(lang: str, text: str, expected: str | None) -> None:
    _check(_parse("country", text, lang), expected)


# ---- relationships: everyday words ---------------------------------------------------------

RELATIONSHIP_ROWS = [
    ("es", "mi señora", "spouse"),
    ("es", "es mi esposo", "spouse"),
    ("es", "mi hija", "child"),
    ("es", "mi suegra", "other"),
    ("es", "2", "child"),
    ("ht", "madanm mwen", "spouse"),
    ("ht", "se pitit mwen", "child"),
    ("ht", "manman m", "parent"),
    ("ht", "se frè m", "sibling"),
    ("pt", "minha mãe", "parent"),
    ("pt", "meu marido", "spouse"),
    ("pt", "minha irmã", "sibling"),
    ("en", "my wife", "spouse"),
    ("en", "my son", "child"),
    ("en", "my brother in law", "other"),
    ("es", "mi hermanito", "sibling"),
    ("es", "mi hijita", "child"),
    ("es", "mi jefecita", "parent"),
    ("ht", "ti sè m", "sibling"),
    ("ht", "bofis mwen", "other"),
    ("pt", "meu filhinho", "child"),
    ("en", "my hubby", "spouse"),
    ("en", "my sis", "sibling"),
    # failure rows: not a relative, two relatives at once, out of range
    ("es", "mi amigo", REFUSED),
    ("es", "la hija de mi hermana", REFUSED),
    ("ht", "zanmi m", REFUSED),
    ("pt", "vizinho", REFUSED),
    ("en", "6", REFUSED),
    ("en", "my neighbour", REFUSED),
    ("es", "mi jefe", REFUSED),
    ("es", "mi hermano y mi mamá", REFUSED),
    ("pt", "meu amigo", REFUSED),
]


@pytest.mark.parametrize(
    ("lang", "text", "expected"), RELATIONSHIP_ROWS, ids=[r[1] for r in RELATIONSHIP_ROWS]
)
def test_relationship(lang: str, text: str, expected: str | None) -> None:
    _check(_parse("relationship", text, lang, RELATIONSHIPS), expected)


def test_a_relationship_not_offered_is_refused() -> None:
    only_children = (Option(id="child", title="Hijo o hija"),)
    assert isinstance(_parse("relationship", "mi señora", "es", only_children), Rejected)
