"""The Rasa adapter against Rasa's documented /model/parse answer, via httpx.MockTransport.

The opt-in ``rasa`` test trains the exported project in a real Rasa 3.6 (Python 3.10 venv).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from nlu.embedded import EmbeddedParser
from nlu.rasa import RasaParser
from nlu.result import Intent, Language, ParseResult

# The shape of Rasa 3.x's answer (docs: "Parse a message using the Rasa model").
RASA_ANSWER = {
    "text": "quiero una cita para el lunes",
    "intent": {"name": "request_slot", "confidence": 0.91},
    "entities": [{"entity": "weekday", "start": 24, "end": 29, "value": "lunes",
                  "extractor": "RegexEntityExtractor", "confidence_entity": 0.9}],
    "intent_ranking": [{"name": "request_slot", "confidence": 0.91},
                       {"name": "check_status", "confidence": 0.05}],
    "text_tokens": [[0, 6], [7, 10], [11, 15], [16, 20], [21, 23], [24, 29]],
}


def _rasa(handler: Callable[[httpx.Request], httpx.Response], parser: EmbeddedParser,
          ) -> RasaParser:
    return RasaParser("http://rasa:5005", fallback=parser, transport=httpx.MockTransport(handler))


def test_rasa_answer_is_used(parser: EmbeddedParser) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=RASA_ANSWER)

    result = _rasa(handler, parser).parse("quiero una cita para el lunes", "es")
    assert seen[0].url == "http://rasa:5005/model/parse"
    assert json.loads(seen[0].content) == {"text": "quiero una cita para el lunes"}
    assert result["intent"] == {"name": "request_slot", "confidence": 0.91}
    assert [r["name"] for r in result["intent_ranking"]] == ["request_slot", "check_status"]
    # Rasa's entity kept; the embedded date for the same span is not duplicated.
    assert [(e["entity"], e["extractor"]) for e in result["entities"]] == [
        ("weekday", "RegexEntityExtractor")]
    assert result["language"] == {"code": "es", "confidence": 1.0}


def test_embedded_entities_added_where_rasa_has_none(parser: EmbeddedParser) -> None:
    answer = {**RASA_ANSWER, "text": "soy colombiana", "entities": []}
    result = _rasa(lambda r: httpx.Response(200, json=answer), parser).parse("soy colombiana")
    assert [(e["entity"], e["value"]) for e in result["entities"]] == [("country", "CO")]


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("rasa is slow", request=request)


def _refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


FAILURES: list[tuple[str, Callable[[httpx.Request], httpx.Response]]] = [
    ("timeout", _timeout),
    ("connection refused", _refused),
    ("server error", lambda r: httpx.Response(500, text="boom")),
    ("not json", lambda r: httpx.Response(200, text="<html>")),
    ("wrong shape", lambda r: httpx.Response(200, json={"intent": None})),
    ("model not loaded", lambda r: httpx.Response(409, json={"message": "no model"})),
]


@pytest.mark.parametrize(("label", "handler"), FAILURES, ids=[f[0] for f in FAILURES])
def test_failures_fall_back_to_embedded(
    parser: EmbeddedParser, label: str, handler: Callable[[httpx.Request], httpx.Response]
) -> None:
    text = "kote randevou m lan ye"
    assert _rasa(handler, parser).parse(text, "ht") == parser.parse(text, "ht"), label


def test_make_parser_needs_a_url_for_rasa() -> None:
    from nlu.factory import make_parser

    with pytest.raises(ValueError, match="FRONTDOOR_RASA_URL"):
        make_parser("rasa")
    with pytest.raises(ValueError, match="unknown NLU backend"):
        make_parser("spacy")


class _StubParser:
    def parse(self, text: str, lang: str | None = None) -> ParseResult:
        return ParseResult(text=text, intent=Intent(name="embedded", confidence=1.0),
                           intent_ranking=[], entities=[],
                           language=Language(code=lang or "und", confidence=1.0))


def _python310() -> Path | None:
    root = Path("/root/.pyenv/versions")
    found = sorted(root.glob("3.10*/bin/python")) if root.is_dir() else []
    return found[0] if found else None


@pytest.mark.rasa
def test_real_rasa_trains_export_and_parses(tmp_path: Path) -> None:
    """Opt-in (``-m rasa``): ~2 min and ~2.7 GB to install Rasa 3.6 in its own venv."""
    python = _python310()
    if python is None:
        pytest.skip("no Python 3.10 under /root/.pyenv/versions (Rasa 3.6 needs < 3.11)")
    venv = Path(os.environ.get("FRONTDOOR_RASA_VENV", tmp_path / "rasa-venv"))
    rasa = venv / "bin" / "rasa"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    if not rasa.exists():
        subprocess.run([str(python), "-m", "venv", str(venv)], check=True)
        install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "rasa==3.6.21"],
                                 env=env, capture_output=True, text=True)
        if install.returncode != 0:
            pytest.skip(f"rasa 3.6 could not be installed: {install.stderr[-300:]}")
    project = tmp_path / "project"
    subprocess.run([sys.executable, "-m", "nlu.cli", "export-rasa", str(project)], check=True)
    subprocess.run([str(rasa), "train", "nlu", "--out", "models"], cwd=project, env=env,
                   check=True)
    port = "5123"
    server = subprocess.Popen([str(rasa), "run", "--enable-api", "-i", "127.0.0.1", "-p", port],
                              cwd=project, env=env)
    try:
        # The fallback answers "embedded": an intent from Rasa proves Rasa answered.
        fallback = _StubParser()
        adapter = RasaParser(f"http://127.0.0.1:{port}", fallback=fallback, timeout=5.0)
        for _ in range(120):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/status", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        result = adapter.parse("quiero una cita", "es")
        assert result["intent"]["name"] == "request_slot"
        assert len(result["intent_ranking"]) > 1
        assert adapter.parse("bonjou", None)["intent"]["name"] == "greet"
    finally:
        server.terminate()
        server.wait(timeout=30)
        if "FRONTDOOR_RASA_VENV" not in os.environ:
            shutil.rmtree(venv, ignore_errors=True)
