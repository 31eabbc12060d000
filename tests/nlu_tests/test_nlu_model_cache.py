"""The model cache: trained once, loaded fast, never stale after a data change."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import nlu.model_cache as model_cache
from nlu.classifier import IntentModel
from nlu.training_data import DATA_DIR


def _copy_data(target: Path) -> Path:
    for path in DATA_DIR.glob("*/nlu.yml"):
        dest = target / path.parent.name / "nlu.yml"
        dest.parent.mkdir(parents=True)
        dest.write_bytes(path.read_bytes())
    return target


def _no_training(*args: object, **kwargs: object) -> IntentModel:
    raise AssertionError("the model was retrained although the cache is valid")


def test_second_load_comes_from_cache_and_is_fast(
    nlu_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_cache.load_or_train(nlu_cache_dir)  # the session fixture may already have trained
    monkeypatch.setattr(model_cache, "train_model", _no_training)
    started = time.perf_counter()
    model = model_cache.load_or_train(nlu_cache_dir)
    assert time.perf_counter() - started < 1.0
    assert model.rank("quiero una cita")[0][0] == "request_slot"


def test_changed_data_retrains_under_a_new_key(tmp_path: Path) -> None:
    data = _copy_data(tmp_path / "data")
    cache = tmp_path / "cache"
    model_cache.load_or_train(cache, data)
    es = data / "es" / "nlu.yml"
    es.write_text(es.read_text(encoding="utf-8") + "    - kiero una sita xfa\n", encoding="utf-8")
    model_cache.load_or_train(cache, data)
    keys = sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))
    assert len(keys) == 2


def test_default_cache_dir_is_outside_the_repo(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.delenv("FRONTDOOR_NLU_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert model_cache.default_cache_dir() == tmp_path / "frontdoor" / "nlu"
    monkeypatch.setenv("FRONTDOOR_NLU_CACHE", str(tmp_path / "x"))
    assert model_cache.default_cache_dir() == tmp_path / "x"


def test_saved_model_round_trips(tmp_path: Path, nlu_cache_dir: Path) -> None:
    model = model_cache.load_or_train(nlu_cache_dir)
    model.save(tmp_path / "m")
    loaded = IntentModel.load(tmp_path / "m")
    assert loaded.rank("bonjou") == model.rank("bonjou")
