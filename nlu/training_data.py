"""Reading and writing Rasa NLU YAML (``version: "3.1"``, ``nlu:`` / ``- intent:``).

The training data stays in Rasa's format so a Rasa user can train it unchanged
(``export-rasa``), and so held-out evaluation files are written the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.packs import DEFAULT_DIR, PACK_FILE, TRAINING_FILE, load_pack, packs_dir

__all__ = [
    "DATA_DIR",
    "Example",
    "data_files",
    "data_hash",
    "dump_rasa_yaml",
    "load_examples",
    "load_rasa_yaml",
]

#: The language packs' directory: each pack's training examples are `<code>/nlu.yml` in it.
DATA_DIR = DEFAULT_DIR


@dataclass(frozen=True, slots=True)
class Example:
    """One training sentence with its intent and the language file it came from."""

    text: str
    intent: str
    lang: str


def _strip_annotations(line: str) -> str:
    """Rasa examples may carry inline entities, ``[Bogotá](city)``: keep the words only."""
    out: list[str] = []
    i = 0
    while i < len(line):
        ch = line[i]
        close = line.find("](", i) if ch == "[" else -1
        end = line.find(")", close) if close != -1 else -1
        if close != -1 and end != -1:
            out.append(line[i + 1 : close])
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def load_rasa_yaml(path: Path, lang: str = "") -> list[Example]:
    """Examples from one Rasa NLU YAML file; other kinds of blocks (synonyms...) are ignored."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a Rasa NLU file (top level is not a mapping)")
    examples: list[Example] = []
    for block in document.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        intent = str(block["intent"])
        for raw in str(block.get("examples", "")).splitlines():
            line = raw.strip()
            if line.startswith("- "):
                line = line[2:].strip()
            elif line == "-":
                continue
            if line:
                examples.append(Example(_strip_annotations(line), intent, lang))
    return examples


def data_files(data_dir: Path | None = None) -> list[Path]:
    """The per-language training files, ``<data_dir>/<lang>/nlu.yml``, sorted: every enabled
    pack's (default: the packs' directory); a folder without a pack counts as enabled."""
    data_dir = data_dir or packs_dir()
    return sorted(
        path for path in data_dir.glob(f"*/{TRAINING_FILE}")
        if not (path.parent / PACK_FILE).exists() or load_pack(path.parent).enabled
    )


def load_examples(data_dir: Path | None = None) -> list[Example]:
    """All training examples, each tagged with its language (the directory name)."""
    data_dir = data_dir or packs_dir()
    examples: list[Example] = []
    for path in data_files(data_dir):
        examples.extend(load_rasa_yaml(path, path.parent.name))
    if not examples:
        raise FileNotFoundError(f"no training data under {data_dir}")
    return examples


def data_hash(files: Iterable[Path], salt: str = "") -> str:
    """A hash of the training files' names and bytes: the model cache key."""
    digest = hashlib.sha256(salt.encode())
    for path in sorted(files):
        digest.update(path.parent.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def dump_rasa_yaml(examples: Sequence[Example]) -> str:
    """Examples as one Rasa NLU YAML document, intents in first-seen order."""
    by_intent: dict[str, list[str]] = {}
    for ex in examples:
        by_intent.setdefault(ex.intent, []).append(ex.text)
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in by_intent.items():
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {' '.join(t.split())}" for t in texts)
    return "\n".join(lines) + "\n"
