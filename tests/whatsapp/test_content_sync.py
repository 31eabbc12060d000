"""`frontdoor whatsapp sync` / `status` against Prism serving Twilio's Content API spec: every
menu becomes a quick-reply or list-picker content and every notice a template in es/ht/pt/en,
templates are submitted for approval, SIDs and states are kept in the store, and a second run
changes nothing; an edited message is a new version; an invalid request is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from support.app import make_settings
from support.prism import ACCOUNT_SID, AUTH_TOKEN
from support.redis import delete_prefix, redis_url_or_fail, unique_prefix
from whatsapp_support import ContentProxy

from bot.channels.twilio.content import ContentClient, ContentRegistry, ContentSpec, sync
from bot.channels.twilio.derive import CONTENT_LANGUAGES, all_specs
from bot.channels.twilio.interactive import LIST_PICKER, QUICK_REPLY, TEXT
from bot.engine.loader import load_flows
from bot.engine.runner import Engine
from bot.i18n import Catalogs
from bot.store.memory import MemoryStore

REPO = Path(__file__).resolve().parents[2]


def _engine() -> Engine:
    settings = make_settings()
    catalogs = Catalogs.load(settings.translations_dir, ())
    return Engine(load_flows(settings.flows_dir, catalogs), catalogs)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "whatsapp", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )


def _rows(output: str) -> list[list[str]]:
    lines = output.strip().splitlines()
    return [line.split() for line in lines[1:-1]]


@pytest.mark.redis
async def test_sync_creates_menus_and_templates_then_a_second_run_changes_nothing(
    content: tuple[ContentProxy, str],
) -> None:
    proxy, url = content
    redis_url, prefix = redis_url_or_fail(), unique_prefix()
    env = {
        "FRONTDOOR_REDIS_URL": redis_url,
        "FRONTDOOR_REDIS_KEY_PREFIX": prefix,
        "FRONTDOOR_SECRET_KEY": "test-secret-key",
        "FRONTDOOR_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "FRONTDOOR_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "FRONTDOOR_TWILIO_CONTENT_BASE_URL": url,
    }
    try:
        first = _run(env, "sync")
        assert first.returncode == 0, first.stderr + first.stdout
        rows = _rows(first.stdout)
        assert first.stdout.splitlines()[0].split() == [
            "content", "language", "type", "state", "change"
        ]
        kinds = Counter((lang, kind) for _, lang, kind, _, _ in rows)
        templates = [r for r in rows if r[0].startswith("notice.")]
        for lang in CONTENT_LANGUAGES:
            assert kinds[(lang, QUICK_REPLY)] >= 3, lang  # yes/no, confirm, ...
            assert kinds[(lang, LIST_PICKER)] >= 2, lang  # the language menus, the main menu
            names = {r[0] for r in templates if r[1] == lang}
            assert {"notice.allocated", "notice.not_selected", "notice.lapsed"} <= names
        assert {change for *_, change in rows} == {"created"}
        # Templates were submitted for WhatsApp approval (and read back: approved on Prism).
        assert len(proxy.submits()) == len(templates)
        assert {r[3] for r in templates} == {"approved"}
        assert {r[3] for r in rows if not r[0].startswith("notice.")} == {"session"}
        creates = len(proxy.creates())
        assert creates == len(rows)

        second = _run(env, "sync")
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip().endswith(f"{len(rows)} contents: no change")
        assert {r[4] for r in _rows(second.stdout)} == {"unchanged"}
        assert len(proxy.creates()) == creates and len(proxy.submits()) == len(templates)

        status = _run(env, "status")
        assert status.returncode == 0, status.stderr
        shown = {(r[0], r[1], r[2], r[3]) for r in _rows(status.stdout)}
        assert shown == {(r[0], r[1], r[2], r[3]) for r in rows}
    finally:
        await delete_prefix(redis_url, prefix)


async def test_an_edited_message_is_a_new_version_and_pending_approval_is_read_again(
    content: tuple[ContentProxy, str],
) -> None:
    proxy, url = content
    proxy.default_approval = "pending"
    registry = ContentRegistry(MemoryStore())
    client = ContentClient(ACCOUNT_SID, AUTH_TOKEN, url)
    specs = [s for s in all_specs(_engine(), ("es",)) if s.key == "notice.lapsed"]
    try:
        first = await sync(specs, client, registry)
        assert [(r.change, r.state) for r in first] == [("created", "pending")]
        record = await registry.get("notice.lapsed", "es")
        assert record is not None and record.sid.startswith("HX")
        proxy.approvals[record.sid] = "approved"
        again = await sync(specs, client, registry)
        assert [(r.change, r.state) for r in again] == [("state", "approved")]
        edited = ContentSpec(
            key=specs[0].key, lang="es", kind=TEXT,
            types={TEXT: {"body": "Su cita en {{1}} ya no vale. Escriba MENU."}},
            variables={"1": "[appointment_port]"}, names=("appointment_port",), template=True,
        )
        third = await sync([edited], client, registry)
        assert [r.change for r in third] == ["new version"]
        newer = await registry.get("notice.lapsed", "es")
        assert newer is not None and newer.sid != record.sid
        assert len(proxy.creates()) == 2
    finally:
        await client.close()


async def test_an_invalid_content_request_is_refused_and_nothing_is_recorded(
    content: tuple[ContentProxy, str],
) -> None:
    proxy, url = content
    registry = ContentRegistry(MemoryStore())
    client = ContentClient(ACCOUNT_SID, AUTH_TOKEN, url)
    broken = ContentSpec(  # a quick-reply without its buttons: Twilio's spec requires them
        key="ask-broken", lang="es", kind=QUICK_REPLY,
        types={QUICK_REPLY: {"body": "{{1}}"}}, variables={"1": "x"},
    )
    try:
        rows = await sync([broken], client, registry)
    finally:
        await client.close()
    assert [r.change for r in rows] == ["failed: 422"]
    assert [status for status, _, _ in proxy.refused] == [422]
    assert await registry.all(fresh=True) == {}
