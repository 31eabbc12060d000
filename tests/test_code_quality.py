"""ruff and mypy --strict are part of the test run, so the README's one test command (and CI)
holds the code to the project's standards, not only to its behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_the_packages() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


#: Test folders are checked one at a time: each may have its own conftest.py, and mypy would
#: see several top-level modules named "conftest" in one run.
TEST_DIRS = sorted(p for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name[0] != "_")


@pytest.mark.parametrize("folder", TEST_DIRS, ids=[p.name for p in TEST_DIRS])
def test_mypy_strict_is_clean_on_tests(folder: Path) -> None:
    result = _run("mypy", "--strict", str(folder.relative_to(ROOT)), env={"MYPYPATH": "tests"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean_on_top_level_tests() -> None:
    files = [str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("*.py")]
    result = _run("mypy", "--strict", *files, env={"MYPYPATH": "tests"})
    assert result.returncode == 0, result.stdout + result.stderr
