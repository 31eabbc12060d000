"""Shared NLU fixtures: one model trained per test session, in a temporary cache."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nlu.embedded import EmbeddedParser
from nlu.model_cache import load_or_train

FIXED_TODAY = dt.date(2025, 3, 14)


@pytest.fixture(scope="session")
def nlu_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def parser(nlu_cache_dir: Path) -> EmbeddedParser:
    return EmbeddedParser(load_or_train(nlu_cache_dir), today=lambda: FIXED_TODAY)
