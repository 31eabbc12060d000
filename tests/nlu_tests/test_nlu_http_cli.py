"""POST /model/parse answers like Rasa; the CLI parses, evaluates and exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from nlu.cli import run
from nlu.embedded import EmbeddedParser
from nlu.http import make_router
from nlu.result import INTENTS
from nlu.training_data import load_examples, load_rasa_yaml


def test_http_parse(parser: EmbeddedParser) -> None:
    app = FastAPI()
    app.include_router(make_router(parser))
    client = TestClient(app)
    response = client.post("/model/parse", json={"text": "14 de febrero de 1992", "lang": "es"})
    assert response.status_code == 200
    body = response.json()
    assert body["entities"][0]["value"] == "1992-02-14"
    assert set(body) == {"text", "intent", "intent_ranking", "entities", "language"}
    assert client.post("/model/parse", json={"text": "hola"}).json()["intent"]["name"] == "greet"
    assert client.post("/model/parse", json={}).status_code == 422


def test_cli_parse(nlu_cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--cache-dir", str(nlu_cache_dir), "parse", "--lang", "es",
                "14 de febrero de 1992"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(e["entity"], e["value"]) for e in out["entities"]] == [("date", "1992-02-14")]


def test_cli_evaluate_missing_file(nlu_cache_dir: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--cache-dir", str(nlu_cache_dir), "evaluate", str(tmp_path / "no.yml")]) == 2
    assert "no.yml" in capsys.readouterr().err


def test_export_rasa_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["export-rasa", str(tmp_path)]) == 0
    config = yaml.safe_load((tmp_path / "config.yml").read_text(encoding="utf-8"))
    domain = yaml.safe_load((tmp_path / "domain.yml").read_text(encoding="utf-8"))
    assert config["recipe"] == "default.v1"
    assert [c["name"] for c in config["pipeline"]][-1] == "FallbackClassifier"
    assert domain["version"] == "3.1"
    assert domain["intents"] == list(INTENTS)
    data = load_rasa_yaml(tmp_path / "data" / "nlu.yml")
    assert sorted((e.text, e.intent) for e in data) == sorted(
        (" ".join(e.text.split()), e.intent) for e in load_examples())
    nlu_doc = yaml.safe_load((tmp_path / "data" / "nlu.yml").read_text(encoding="utf-8"))
    assert nlu_doc["version"] == "3.1"
    assert all(set(block) == {"intent", "examples"} for block in nlu_doc["nlu"])
