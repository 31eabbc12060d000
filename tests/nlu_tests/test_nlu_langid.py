"""Language id on the short messages people actually send."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.langid import identify_language
from nlu.langid_model import load_identifier

CASES: list[tuple[str, str, str]] = [
    # label, text, expected code
    ("es one word", "hola", "es"),
    ("es yes", "si", "es"),
    ("es thanks", "gracias", "es"),
    ("es typo sentence", "kiero sacar sita pal lunes", "es"),
    ("es demonym", "soy colombiana", "es"),
    ("ht one word", "bonjou", "ht"),
    ("ht yes", "wi", "ht"),
    ("ht thanks", "mesi", "ht"),
    ("ht sentence", "kote randevou m lan ye", "ht"),
    ("ht short", "m vle yon randevou", "ht"),
    ("ht French spelling counts as Kreyol", "bonjour je veux un rendez-vous", "ht"),
    ("pt one word", "oi", "pt"),
    ("pt yes", "sim", "pt"),
    ("pt no", "nao", "pt"),
    ("pt sentence", "ja tenho data marcada?", "pt"),
    ("pt thanks", "obrigado", "pt"),
    ("en one word", "hello", "en"),
    ("en yes", "yes", "en"),
    ("en sentence", "i want an appointment", "en"),
    ("quc thanks", "maltyox", "quc"),
    ("mam thanks", "chjonte", "mam"),
    ("kjb thanks", "yuj diosal", "kjb"),
    ("asking for Mam in Spanish is Spanish", "hablo mam", "es"),
]


@pytest.mark.parametrize(("label", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_identify_language(label: str, text: str, expected: str) -> None:
    code, confidence = identify_language(text)
    assert code == expected, label
    assert 0.0 < confidence <= 1.0


@pytest.mark.parametrize("text", ["", "123", "👍", "?!"])
def test_nothing_to_go_on(text: str) -> None:
    assert identify_language(text) == ("und", 0.0)


SAMPLES = ["hola quiero una cita", "kote randevou m lan ye", "ja tenho data marcada?",
           "i want an appointment", "bonjour je veux un rendez-vous"]


def test_cached_identifier_matches_packaged_model(tmp_path: Path) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    langs = ("es", "pt", "en", "ht", "fr")
    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    packaged.set_languages(list(langs))
    written = load_identifier(langs, tmp_path)  # first start: writes the copy
    cached = load_identifier(langs, tmp_path)  # later starts: reads it
    assert list(tmp_path.glob("langid-*.npz"))
    for text in SAMPLES:
        assert cached.rank(text) == packaged.rank(text) == written.rank(text)


def test_broken_langid_cache_falls_back(tmp_path: Path) -> None:
    langs = ("es", "pt", "en", "ht", "fr")
    load_identifier(langs, tmp_path)
    for path in tmp_path.glob("langid-*.npz"):
        path.write_bytes(b"not a zip file")
    assert load_identifier(langs, tmp_path).classify("quiero una cita")[0] == "es"
