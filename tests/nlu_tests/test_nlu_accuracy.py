"""Must show: cross-validated accuracy per language, and the held-out file via the CLI."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from nlu.cli import run
from nlu.crossval import cross_validate
from nlu.training_data import load_examples, load_rasa_yaml

HELDOUT = Path(__file__).parent / "data" / "heldout.yml"
MIN_CV = {"es": 0.95, "pt": 0.95, "en": 0.95, "ht": 0.95}


@pytest.fixture(scope="module")
def cv_accuracy() -> dict[str, float]:
    """Mean over two shufflings of 5-fold CV (one split alone swings by a point or more), as
    `frontdoor nlu evaluate --cross-validate` prints it for benchmarks/README.md."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["evaluate", "--cross-validate", "--shufflings", "2", "--json",
                    "--min-accuracy", str(min(MIN_CV.values()))])
    report = json.loads(out.getvalue())
    assert code == (1 if report["below_minimum"] else 0)
    accuracy: dict[str, float] = report["cv_accuracy"]
    return accuracy


def test_cross_validation_is_the_mean_of_its_shufflings() -> None:
    """The CLI's figure is cross_validate's, averaged (checked on one shuffling)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run(["evaluate", "--cross-validate", "--shufflings", "1", "--json"])
    direct = cross_validate(load_examples(), seed=0)[0]
    assert json.loads(out.getvalue())["cv_accuracy"] == {k: round(v, 4) for k, v in direct.items()}


@pytest.mark.parametrize("lang", sorted(MIN_CV))
def test_cross_validated_accuracy(cv_accuracy: dict[str, float], lang: str) -> None:
    assert cv_accuracy[lang] >= MIN_CV[lang], f"{lang}: {cv_accuracy[lang]:.3f}"


def test_training_data_has_25_examples_per_intent_and_language() -> None:
    counts: dict[tuple[str, str], int] = {}
    for ex in load_examples():
        counts[(ex.lang, ex.intent)] = counts.get((ex.lang, ex.intent), 0) + 1
    assert {lang for lang, _ in counts} == {"es", "ht", "pt", "en"}
    assert len(counts) == 4 * 14
    assert min(counts.values()) >= 25


def test_heldout_is_not_training_data() -> None:
    train = {" ".join(e.text.lower().split()) for e in load_examples()}
    overlap = [e.text for e in load_rasa_yaml(HELDOUT) if " ".join(e.text.lower().split()) in train]
    assert overlap == []


def test_heldout_accuracy_via_cli(nlu_cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--cache-dir", str(nlu_cache_dir), "evaluate", str(HELDOUT), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["accuracy"] >= 0.92, report["errors"]
    assert set(report["per_intent"]["greet"]) >= {"precision", "recall", "f1"}
    assert isinstance(report["confused"], list)
