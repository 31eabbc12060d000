"""Extract translatable strings from flows/*.yaml into a gettext template (.pot).

Babel's extractors read Python and Jinja; our messages live in YAML, so this module is a
Babel extraction method (usable from babel.cfg as ``[yaml: flows/**.yaml]`` with
``method = bot.i18n.tools.extract:extract_flow_yaml``) plus a helper that builds the template.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import yaml
from babel.messages.catalog import Catalog

_TRANSLATED_KEYS = ("say", "invalid", "label", "footer")


def _walk(node: Any, literal: bool = False) -> Iterator[str]:
    if isinstance(node, Mapping):
        is_literal = bool(node.get("literal", False))
        for key, value in node.items():
            if key in _TRANSLATED_KEYS and isinstance(value, str):
                if not (key == "say" and is_literal):
                    yield value
            elif key == "messages" and isinstance(value, Mapping):
                yield from (v for v in value.values() if isinstance(v, str))
            else:
                yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def flow_strings(path: Path) -> list[str]:
    return list(_walk(yaml.safe_load(path.read_text(encoding="utf-8"))))


def extract_flow_yaml(
    fileobj: IO[bytes], keywords: Sequence[str], comment_tags: Sequence[str], options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extraction method: yields (lineno, funcname, message, comments)."""
    for message in _walk(yaml.safe_load(fileobj.read().decode("utf-8"))):
        yield 0, None, message, []


def build_template(flows_dir: Path) -> Catalog:
    catalog = Catalog(project="frontdoor", domain="frontdoor", msgid_bugs_address="")
    # flows/*.yaml and the flows of a mode in a folder of their own (flows/staff/*.yaml).
    for path in [*sorted(flows_dir.glob("*.yaml")), *sorted(flows_dir.glob("*/*.yaml"))]:
        for message in flow_strings(path):
            existing = catalog.get(message)
            location = (path.relative_to(flows_dir).as_posix(), 0)
            if existing is None:
                catalog.add(message, locations=[location])
            elif location not in existing.locations:
                existing.locations.append(location)
    return catalog
