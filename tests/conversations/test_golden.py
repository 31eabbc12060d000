"""Golden conversations: messages in, replies out, through the real Twilio webhook.

Each file in golden/ is a whole conversation. Run ``pytest --record-golden`` to rewrite the
replies with what the bot says now, then review the diff like any other change.
Registration numbers are random, so they are masked as ``reg_<id>``.

Staff conversations: `staff: {shelter: NAME}` links the file's `from` phone by an invite made
the operator's way (sent as `{invite}`); a turn may come `from:` another phone; `received:`
lists what the bot sent on its own (to any phone) since the previous turn, `to` masked.
A turn `allocate: {now: ISO time, day: DATE}` moves the clock and runs the booking sandbox's
daily draw for that request day instead of sending a message.
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


def _invite(client: Any, shelter: str, phone: str) -> str:
    from bot.staff.cli import invite

    services = client.app.state.services
    code, _ = invite(  # the shelter also answers walk-ins (people no shelter registered)
        services.staff.repo, services.settings, shelter, phone, services.staff.clock(), True
    )
    return str(code)


def _received(client: Any, phones: dict[str, str]) -> list[dict[str, str]]:
    from bot.outbound import RecordingSender

    sender = client.app.state.services.sender
    assert isinstance(sender, RecordingSender)
    out: list[dict[str, str]] = []
    for name, phone in phones.items():
        out += [
            {"to": name, "body": _REG_ID.sub("reg_<id>", m.body)} for m in sender.take(phone)
        ]
    return out


def _allocate(clock: Any, data_dir: Path, spec: dict[str, str]) -> None:
    from datetime import date, datetime

    from booking_sandbox.allocator import allocate
    from booking_sandbox.app import build_context
    from bot.embedded_sandbox import embedded_sandbox_settings

    clock.now = datetime.fromisoformat(spec["now"])
    sandbox = build_context(embedded_sandbox_settings(data_dir), clock)
    try:
        day = date.fromisoformat(spec["day"])
        allocate(sandbox.factory, sandbox.settings, day, sandbox.now(), seed=7)
    finally:
        sandbox.engine.dispose()


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
    path: Path,
    running_app: Callable[..., Any],
    request: pytest.FixtureRequest,
    clock: Any,
    tmp_path: Path,
) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    whatsapp = spec["channel"] == "whatsapp"
    record = bool(request.config.getoption("--record-golden"))
    actual: list[dict[str, str]] = []
    # Optional `settings:` in a golden file: overrides for this conversation's app.
    phones: dict[str, str] = {"from": spec["from"], **spec.get("phones", {})}
    with running_app(**spec.get("settings", {})) as client:
        code = ""
        if "staff" in spec:
            code = _invite(client, spec["staff"]["shelter"], spec["from"])
        for number, turn in enumerate(spec["turns"]):
            if "allocate" in turn:
                _allocate(clock, tmp_path / "data", turn["allocate"])
                actual.append(turn)
                continue
            sender = phones[turn.get("from", "from")]
            body = _form(
                sender,
                whatsapp,
                f"SMgolden{path.stem[:12]}{number:04d}",
                turn["send"].replace("{invite}", code),
            )
            response = client.post(
                "/twilio/messages",
                content=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert response.status_code == 200, response.text
            got: dict[str, Any] = {"send": turn["send"], "reply": _replies(response.text)}
            if "from" in turn:
                got = {"from": turn["from"], **got}
            received = _received(client, phones)
            if received:
                got["received"] = received
            actual.append(got)
            if not record:
                where = f"{path.name}, turn {number + 1} (sent {turn['send']!r})"
                assert got["reply"] == turn.get("reply"), where
                assert got.get("received", []) == turn.get("received", []), where
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
