"""Machine translation for the human side: staff read an applicant's free text in their own
language, and can send a reply translated back. Always shown as machine translation, with the
original beside it (the staff inbox does that); never used for what the bot itself says, which
is reviewed human translation (translations/*.po).

Optional: argostranslate is the `translate` extra (it brings torch: install `torch==2.13.0`
first, then `pip install -e '.[translate]'`). Without it, or without a model for a language
pair, `translate()` answers None and the inbox shows the original only.

Models are `.argosmodel` files an operator downloads elsewhere and installs from a path
(`frontdoor translate install FILE.argosmodel`); nothing here ever reaches a package index
(argostranslate's `get_available_packages()` recurses for minutes offline). argostranslate
reads where packages live from the environment when it is first imported: `ARGOS_PACKAGES_DIR`
(default `$XDG_DATA_HOME/argos-translate/packages`). A package should ship its sentence
splitter (`minisbd/*.onnx` or `stanza/`), or the first translation tries to download one.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import logging
import sys
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

log = logging.getLogger(__name__)

#: How the human side labels every machine translation (the inbox shows the original beside it).
LABEL = "machine translation"
INSTALL_HINT = (
    "machine translation is an optional extra (about 1.5 GB with a CPU-only torch): "
    ".venv/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu && "
    ".venv/bin/pip install -e '.[translate]'"
)

#: One translation at a time: a model is loaded on first use, and CTranslate2 already uses
#: every core for one batch.
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class MachineTranslation:
    """A translation as the inbox shows it: labelled, with the original kept beside it."""

    original: str
    text: str
    source: str
    target: str
    label: str = LABEL


@dataclass(frozen=True, slots=True)
class InstalledModel:
    source: str
    target: str
    version: str
    path: Path


class PackageError(ValueError):
    """The file is not an installable argostranslate package (said for operators)."""


def is_available() -> bool:
    return importlib.util.find_spec("argostranslate") is not None


def _translate_blocking(text: str, source: str, target: str) -> str | None:
    try:
        from argostranslate import translate as argos
    except ImportError:
        return None
    with _lock:
        languages = {lang.code: lang for lang in argos.get_installed_languages()}
        if source not in languages or target not in languages:
            return None
        translation = languages[source].get_translation(languages[target])
        if translation is None:
            return None
        return str(translation.translate(text))


async def translate(text: str, source: str, target: str) -> str | None:
    """`text` from `source` into `target` (language codes such as es, ht, pt, en), or None when
    machine translation is not installed, no model covers the pair, or it fails. Runs in a
    thread: loading a model and translating block for a while."""
    if not text.strip() or source == target:
        return None
    try:
        return await asyncio.to_thread(_translate_blocking, text, source, target)
    except Exception:  # a broken model must not break the inbox: show the original only
        log.exception("machine translation %s -> %s failed", source, target)
        return None


async def translate_for_inbox(text: str, source: str, target: str) -> MachineTranslation | None:
    """`translate()`, labelled and with the original kept, as the staff inbox shows it."""
    translated = await translate(text, source, target)
    if translated is None:
        return None
    return MachineTranslation(original=text, text=translated, source=source, target=target)


def read_package(path: Path) -> dict[str, Any]:
    """Check a `.argosmodel` before installing it: a zip with one folder holding metadata.json
    (a translate package from one language to another) and a CTranslate2 model."""
    if not zipfile.is_zipfile(path):
        raise PackageError(f"{path}: not an .argosmodel package (a zip archive)")
    with zipfile.ZipFile(path) as archive:
        names = [PurePosixPath(name) for name in archive.namelist()]
        tops = {name.parts[0] for name in names if name.parts}
        if len(tops) != 1:
            raise PackageError(f"{path}: a package holds exactly one folder, found {sorted(tops)}")
        top = tops.pop()
        try:
            metadata = json.loads(archive.read(f"{top}/metadata.json"))
        except (KeyError, ValueError) as exc:
            raise PackageError(f"{path}: no readable {top}/metadata.json") from exc
        files = {str(name) for name in names}
    if not isinstance(metadata, dict) or not metadata.get("from_code") or not metadata.get(
        "to_code"
    ):
        raise PackageError(f"{path}: metadata.json names no from_code and to_code")
    if metadata.get("type", "translate") != "translate":
        raise PackageError(f"{path}: not a translate package ({metadata.get('type')})")
    if f"{top}/model/model.bin" not in files:
        raise PackageError(f"{path}: no CTranslate2 model ({top}/model/model.bin)")
    metadata["_splitter"] = any(
        f.startswith((f"{top}/minisbd/", f"{top}/stanza/")) for f in files
    )
    return metadata


def install(path: Path) -> InstalledModel:
    """Install a package file into argostranslate's package folder."""
    metadata = read_package(path)
    from argostranslate import package
    from argostranslate import translate as argos

    with _lock:
        package.install_from_path(path)
        argos.get_installed_languages.cache_clear()
    if not metadata["_splitter"]:
        log.warning(
            "%s ships no sentence splitter (minisbd/*.onnx or stanza/): its first translation "
            "will try to download one",
            path,
        )
    source, target = str(metadata["from_code"]), str(metadata["to_code"])
    for model in installed():
        if (model.source, model.target) == (source, target):
            return model
    raise PackageError(f"{path}: installed, but argostranslate does not list {source} -> {target}")


def installed() -> list[InstalledModel]:
    from argostranslate import package

    return sorted(
        (
            InstalledModel(
                source=str(pkg.from_code),
                target=str(pkg.to_code),
                version=str(pkg.package_version),
                path=Path(pkg.package_path),
            )
            for pkg in package.get_installed_packages()
            if pkg.type == "translate"
        ),
        key=lambda m: (m.source, m.target),
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdoor translate",
        description="Machine translation models for the staff inbox (argostranslate). Models "
        "are .argosmodel files downloaded elsewhere; where they are kept: ARGOS_PACKAGES_DIR.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    install_cmd = sub.add_parser("install", help="install a .argosmodel file")
    install_cmd.add_argument("file", type=Path)
    sub.add_parser("list", help="list installed language pairs")
    return parser


def run(argv: Sequence[str]) -> int:
    """`frontdoor translate install FILE.argosmodel` | `frontdoor translate list`."""
    args = _parser().parse_args(list(argv))
    if not is_available():
        print(f"frontdoor translate: {INSTALL_HINT}", file=sys.stderr)
        return 2
    if args.command == "install":
        try:
            model = install(args.file)
        except (PackageError, OSError) as exc:
            print(f"frontdoor translate: {exc}", file=sys.stderr)
            return 1
        print(f"installed {model.source} -> {model.target} (version {model.version or '-'})")
        return 0
    models = installed()
    if not models:
        print("no machine translation models installed")
    for model in models:
        print(f"{model.source} -> {model.target}\t{model.version or '-'}\t{model.path}")
    return 0
