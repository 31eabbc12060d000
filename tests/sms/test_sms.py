"""GSM-7 / UCS-2 detection, segment counting, transliteration and body splitting."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.sms import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    encoding,
    is_gsm7,
    segment_count,
    split_segments,
    transliterate_for_sms,
    units,
)

# -- alphabet -------------------------------------------------------------------------------


def test_alphabet_sizes_follow_gsm_03_38() -> None:
    assert len(GSM7_BASIC) == 127  # 128 code points minus ESC
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("label", "chars", "gsm"),
    [
        ("letters GSM-7 has", "éÉñÑüÜàèìòùÇäöÄÖåÅøØæÆß¿¡£¥§", True),
        ("extension table", "^{}\\[~]|€", True),
        ("Spanish acute vowels", "áíóú", False),
        ("Portuguese", "ãõçêâô", False),
        ("capitals GSM-7 lacks", "ÁÍÓÚÀÈÌÒÙÃÕÊÂÔ", False),
        ("curly quotes", "‘’“”", False),
        ("Mayan glottal stop", "ʼ", False),
        ("backtick", "`", False),
        ("emoji", "😀", False),
    ],
)
def test_gsm7_membership(label: str, chars: str, gsm: bool) -> None:
    for ch in chars:
        assert is_gsm7(ch) is gsm, f"{label}: {ch!r}"
        assert encoding(ch) == ("GSM-7" if gsm else "UCS-2"), f"{label}: {ch!r}"


# -- segment counting -----------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    label: str
    text: str
    encoding: str
    units: int
    segments: int


SEGMENT_CASES = [
    Count("empty: nothing to send", "", "GSM-7", 0, 0),
    Count("one char", "a", "GSM-7", 1, 1),
    Count("exactly 160 GSM-7", "a" * 160, "GSM-7", 160, 1),
    Count("161 GSM-7 splits", "a" * 161, "GSM-7", 161, 2),
    Count("306 = 2 x 153", "a" * 306, "GSM-7", 306, 2),
    Count("307 needs a third", "a" * 307, "GSM-7", 307, 3),
    Count("80 euro signs = 160 septets", "€" * 80, "GSM-7", 160, 1),
    Count("159 basic + 1 extension = 161", "a" * 159 + "€", "GSM-7", 161, 2),
    Count("159 basic + brace", "a" * 159 + "{", "GSM-7", 161, 2),
    Count("escape pair not split", "a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),
    Count("exactly 70 UCS-2", "á" * 70, "UCS-2", 70, 1),
    Count("71 UCS-2 splits", "á" * 71, "UCS-2", 71, 2),
    Count("134 = 2 x 67", "á" * 134, "UCS-2", 134, 2),
    Count("135 needs a third", "á" * 135, "UCS-2", 135, 3),
    Count("one accent makes 160 chars UCS-2", "a" * 159 + "á", "UCS-2", 160, 3),
    Count("extension chars count once in UCS-2", "á" + "€" * 69, "UCS-2", 70, 1),
    Count("35 emoji = 70 code units", "😀" * 35, "UCS-2", 70, 1),
    Count("36 emoji", "😀" * 36, "UCS-2", 72, 2),
    Count("emoji in a short SMS", "Cita confirmada 👍", "UCS-2", 18, 1),
    Count("69 chars + emoji = 71 units", "a" * 69 + "😀", "UCS-2", 71, 2),
    Count("surrogate pair not split", "á" * 66 + "😀" + "á" * 66, "UCS-2", 134, 3),
    Count("newlines are GSM-7", "Sé\r\nNo", "GSM-7", 6, 1),
]


@pytest.mark.parametrize("case", SEGMENT_CASES, ids=[c.label for c in SEGMENT_CASES])
def test_segment_count(case: Count) -> None:
    assert encoding(case.text) == case.encoding
    assert units(case.text) == case.units
    assert segment_count(case.text) == case.segments


# -- transliteration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Translit:
    label: str
    text: str
    expected: str


TRANSLIT_CASES = [
    # Spanish: acute vowels go, ñ ü é ¿ ¡ stay.
    Translit("es question", "¿Cuál es su nombre completo?", "¿Cual es su nombre completo?"),
    Translit("es ñ stays", "Información: sí, mañana.", "Informacion: si, mañana."),
    Translit("es É Ü stay", "Él vive en Camagüey. ¡Ánimo!", "Él vive en Camagüey. ¡Animo!"),
    # Portuguese: ã õ ç ê â ô go; à and capital Ç stay.
    Translit("pt", "Você está no ônibus? Não.", "Voce esta no onibus? Nao."),
    Translit("pt ç and à", "Confirmação às 9h", "Confirmacao às 9h"),
    Translit("pt capital Ç stays", "AÇÃO", "AÇAO"),
    Translit("pt â", "Câmara e avô", "Camara e avo"),
    # Haitian Creole fits GSM-7 already; only its punctuation may need help.
    Translit("ht unchanged", "Mèsi. Ou gen randevou demen.", "Mèsi. Ou gen randevou demen."),
    Translit("ht curly apostrophe", "M’ap tann ou. Kreyòl", "M'ap tann ou. Kreyòl"),
    # Mayan orthographies write the glottal stop with U+02BC.
    Translit("K'iche'", "Kʼicheʼ", "K'iche'"),
    Translit("Q'anjob'al", "Qʼanjobʼal", "Q'anjob'al"),
    Translit("Mam with Spanish", "¿Aya ma tzul? Sí — Mam: qʼa", "¿Aya ma tzul? Si - Mam: q'a"),
    # Punctuation look-alikes (what Twilio Smart Encoding would also do).
    Translit("curly quotes", "“Sí” y ‘no’", "\"Si\" y 'no'"),
    Translit("dashes", "9–10 h — hoy", "9-10 h - hoy"),
    Translit("ellipsis", "Espere…", "Espere..."),
    Translit("nbsp", "10\u00a0am", "10 am"),
    Translit("narrow nbsp", "10\u202fam", "10 am"),
    Translit("zero-width space", "ho\u200bla", "hola"),
    # Capitals GSM-7 lacks.
    Translit("capitals", "ÁÍÓÚÀÈÌÒÙÃÕÊÂÔ", "AIOUAEIOUAOEAO"),
    # Decomposed input (e + combining acute) is first composed: é is GSM-7.
    Translit("decomposed é", "Cafe\u0301", "Café"),
    Translit("decomposed á", "Esta\u0301", "Esta"),
    # Already GSM-7: returned as is, including every GSM-7 accented letter.
    Translit(
        "GSM-7 letters kept",
        "é ñ ü è ò à ì ù Ä Ö Ñ Ü ä ö å Å ø Ø æ Æ ß ¿ ¡ É",
        "é ñ ü è ò à ì ù Ä Ö Ñ Ü ä ö å Å ø Ø æ Æ ß ¿ ¡ É",
    ),
    Translit("extension chars kept", "Precio: 5 € [aprox]", "Precio: 5 € [aprox]"),
    # Cannot become GSM-7: left untouched (UCS-2 either way, and accents cost nothing there).
    Translit("emoji keeps original", "Está confirmada 👍", "Está confirmada 👍"),
    Translit("other script keeps original", "Привет, está", "Привет, está"),
]


@pytest.mark.parametrize("case", TRANSLIT_CASES, ids=[c.label for c in TRANSLIT_CASES])
def test_transliterate_for_sms(case: Translit) -> None:
    out = transliterate_for_sms(case.text)
    assert out == case.expected
    assert is_gsm7(out) or out == case.text


def test_transliteration_saves_segments() -> None:
    prompt = (
        "¿Cuántas personas viajan con usted? Escriba solo el número, por ejemplo 3. "
        "Si viaja sola o solo, escriba 1. Puede cambiar esta respuesta después."
    )
    assert encoding(prompt) == "UCS-2"
    assert segment_count(prompt) == 3
    sms = transliterate_for_sms(prompt)
    assert encoding(sms) == "GSM-7"
    assert segment_count(sms) == 1


def test_emoji_stays_ucs2_after_transliteration() -> None:
    text = "Su cita está confirmada ✅ Llegue 1 hora antes."
    assert encoding(transliterate_for_sms(text)) == "UCS-2"


# -- splitting long bodies ------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    label: str
    text: str
    limit: int
    expected: list[str]


SPLIT_CASES = [
    Split("empty", "", 10, []),
    Split("blank", "  \n ", 10, []),
    Split("fits", "Hola", 10, ["Hola"]),
    Split("exactly the limit", "a" * 10, 10, ["a" * 10]),
    Split("paragraphs", "A" * 30 + "\n\n" + "B" * 30, 50, ["A" * 30, "B" * 30]),
    Split("lines", "uno dos tres\ncuatro cinco", 15, ["uno dos tres", "cuatro cinco"]),
    Split(
        "sentences before words",
        "Uno dos tres. Cuatro cinco seis siete.",
        25,
        ["Uno dos tres.", "Cuatro cinco seis siete."],
    ),
    Split("words", "alpha beta gamma delta", 12, ["alpha beta", "gamma delta"]),
    Split("hard cut", "x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
    Split(
        "early break ignored (piece would be tiny)",
        "Hi.\n\n" + "word " * 8,
        30,
        ["Hi.\n\nword word word word word", "word word word"],
    ),
    Split("emoji count two units", "😀" * 6, 4, ["😀😀", "😀😀", "😀😀"]),
]


@pytest.mark.parametrize("case", SPLIT_CASES, ids=[c.label for c in SPLIT_CASES])
def test_split_segments(case: Split) -> None:
    assert split_segments(case.text, case.limit) == case.expected


def test_split_default_limit_is_twilio_body_limit() -> None:
    paragraph = ("Esta es una frase de prueba para el mensaje largo. " * 10).strip()
    text = "\n\n".join([paragraph] * 4)  # 2,042 characters
    pieces = split_segments(text)
    assert pieces == ["\n\n".join([paragraph] * 3), paragraph]
    assert all(len(p) <= 1600 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_split_rejects_silly_limit() -> None:
    with pytest.raises(ValueError):
        split_segments("abc", 1)
