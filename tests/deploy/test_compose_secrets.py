"""docker-compose.yml gives no secret a default (issue 13: the booking-events secret defaulted
to `change-me`): every variable that names a secret must be set by the operator (`${X:?...}`)."""

from __future__ import annotations

import re

import yaml

from bot.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
#: Names of variables that hold secrets.
SECRET = re.compile(r"SECRET|TOKEN|PASSWORD|_KEY\b|API_KEY")
#: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?P<op>:?[-?+])?(?P<rest>[^}]*)\}")


def _values(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for value in node.values() for v in _values(value)]
    if isinstance(node, list):
        return [v for value in node for v in _values(value)]
    return [node] if isinstance(node, str) else []


def test_every_secret_is_required_and_has_no_default() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    secrets = [
        match
        for value in _values(compose)
        for match in VARIABLE.finditer(value)
        if SECRET.search(match["name"])
    ]
    names = {match["name"] for match in secrets}
    assert {
        "FRONTDOOR_SECRET_KEY", "BOOKING_EVENTS_SECRET", "FRONTDOOR_TWILIO_AUTH_TOKEN",
        "POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD",
    } <= names  # fmt: skip
    with_default = [m.group(0) for m in secrets if m["op"] not in (":?", "?")]
    assert with_default == []


def test_no_literal_secret_in_the_file() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert "change-me" not in text
    for line in text.splitlines():
        key, _, value = line.strip().partition(":")
        if SECRET.search(key) and value.strip():
            assert value.strip().startswith("${"), line
