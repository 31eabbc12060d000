"""The image without a Docker engine (none runs on the CI machines): the user it runs as owns
the directory its processes write to, and `.dockerignore` keeps a developer's environment out."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT


def _instructions() -> list[tuple[str, str]]:
    text = (PROJECT_ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), rest.strip()))
    return rows


def test_the_runtime_user_owns_the_working_directory() -> None:
    rows = _instructions()
    user = next(rest for word, rest in reversed(rows) if word == "USER")
    workdir = next(rest for word, rest in reversed(rows) if word == "WORKDIR")
    user_at = max(i for i, (word, _) in enumerate(rows) if word == "USER")
    workdir_at = max(i for i, (word, _) in enumerate(rows) if word == "WORKDIR")
    assert workdir_at > user_at, "the last WORKDIR comes after USER"
    runs = " && ".join(rest for word, rest in rows[:user_at] if word == "RUN")
    commands = [shlex.split(c) for c in runs.split("&&")]
    assert ["mkdir", "-p", workdir] in commands
    assert any(c[:1] == ["chown"] and c[-1] == workdir and c[1].split(":")[0] == user
               for c in commands), commands  # fmt: skip
    assert user != "root" and any(c[:1] == ["useradd"] and c[-1] == user for c in commands)


def test_dockerignore_keeps_the_developer_environment_out() -> None:
    ignored = set(Path(PROJECT_ROOT / ".dockerignore").read_text().split())
    for name in (".venv", ".frontdoor", ".git", "test-artifacts", ".env", "node_modules"):
        assert name in ignored, name


def test_the_image_has_the_speech_programs() -> None:
    """Spoken prompts need espeak-ng and ffmpeg in the image (auto: speech off without them)."""
    rows = _instructions()
    runs = " && ".join(rest for word, rest in rows if word == "RUN")
    installs = [shlex.split(c) for c in runs.split("&&") if "install" in shlex.split(c)[:2]]
    apt = [c for c in installs if c[:2] == ["apt-get", "install"]]
    assert apt and {"espeak-ng", "ffmpeg"} <= set(apt[0]), installs


def test_the_dockerfile_passes_hadolint() -> None:
    """The image cannot be built here (no Docker engine): its Dockerfile is linted instead
    (rules and the one ignored rule: .hadolint.yaml)."""
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--no-color", "Dockerfile"], cwd=PROJECT_ROOT, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
