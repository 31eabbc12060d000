"""Golden conversations: messages in, replies out, through the real Twilio webhook.

Each file in golden/ is a whole conversation. Run ``pytest --record-golden`` to rewrite the
replies with what the bot says now, then review the diff like any other change.
Registration numbers are random, so they are masked as ``reg_<id>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.yaml"))
_REG_ID = re.compile(r"\breg_[0-9a-zA-Z]+")


def _form(sender: str, whatsapp: bool, sid: str, text: str) -> bytes:
    prefix = "whatsapp:" if whatsapp else ""
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": prefix + sender,
        "To": prefix + "+16195550100",
        "Body": text,
        "NumMedia": "0",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    return urlencode(params).encode()


def _replies(twiml: str) -> str:
    import html

    bodies = re.findall(r"<Message>(.*?)</Message>", twiml, flags=re.S)
    return _REG_ID.sub("reg_<id>", "\n---\n".join(html.unescape(b) for b in bodies))


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_conversation(
    path: Path, running_app: Callable[..., Any], request: pytest.FixtureRequest
) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    whatsapp = spec["channel"] == "whatsapp"
    record = bool(request.config.getoption("--record-golden"))
    actual: list[dict[str, str]] = []
    # Optional `settings:` in a golden file: overrides for this conversation's app.
    with running_app(**spec.get("settings", {})) as client:
        for number, turn in enumerate(spec["turns"]):
            body = _form(
                spec["from"], whatsapp, f"SMgolden{path.stem[:12]}{number:04d}", turn["send"]
            )
            response = client.post(
                "/twilio/messages",
                content=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert response.status_code == 200, response.text
            actual.append({"send": turn["send"], "reply": _replies(response.text)})
            if not record:
                assert actual[-1]["reply"] == turn.get("reply"), (
                    f"{path.name}, turn {number + 1} (sent {turn['send']!r})"
                )
    if record:
        spec["turns"] = actual
        header = "".join(
            line + "\n"
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")
        )
        path.write_text(
            header
            + yaml.dump(spec, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000),
            encoding="utf-8",
        )
