"""All of the bot's Twilio code is in bot/channels/twilio/: nothing else imports twilio."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
PACKAGE = BOT / "channels" / "twilio"


def _imports_twilio(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "twilio" or name.startswith("twilio.") for name in names):
            lines.append(node.lineno)
    return lines


def test_only_the_twilio_channel_imports_twilio() -> None:
    outside = {
        f"{path.relative_to(BOT.parent)}:{line}"
        for path in BOT.rglob("*.py")
        if PACKAGE not in path.parents
        for line in _imports_twilio(path)
    }
    assert outside == set()
    inside = [p for p in PACKAGE.rglob("*.py") if _imports_twilio(p)]
    assert inside, "the check would pass vacuously: the package should import twilio"
