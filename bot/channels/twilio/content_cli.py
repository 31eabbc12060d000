"""`frontdoor whatsapp sync | status`: the Content API resources the flows call for.

`sync` derives every interactive message and notice template from the flows and catalogs
(derive.py), creates what is new or changed, submits templates for WhatsApp approval, reads
pending approvals again, records SIDs and states in the store and prints the table; a second
run changes nothing. `status` prints the recorded table (asks Twilio nothing).
Exit codes: 0 done, 1 some content failed, 2 not configured.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.channels.twilio.content import ContentClient, ContentRegistry, sync, table
from bot.channels.twilio.derive import all_specs
from bot.engine.loader import load_flows
from bot.engine.runner import Engine
from bot.i18n import Catalogs
from bot.languages import parse_codes
from bot.settings import Settings
from bot.store.factory import open_store


def _engine(settings: Settings) -> Engine:
    catalogs = Catalogs.load(settings.translations_dir, parse_codes(settings.show_drafts))
    return Engine(load_flows(settings.flows_dir, catalogs), catalogs)


async def run_sync(settings: Settings) -> tuple[int, str]:
    token = settings.twilio_auth_token
    if not settings.twilio_account_sid or token is None:
        return 2, "FRONTDOOR_TWILIO_ACCOUNT_SID and FRONTDOOR_TWILIO_AUTH_TOKEN are required"
    specs = all_specs(_engine(settings))
    store = await open_store(settings)
    client = ContentClient(
        settings.twilio_account_sid, token.get_secret_value(), settings.twilio_content_base_url
    )
    try:
        rows = await sync(specs, client, ContentRegistry(store))
    finally:
        await client.close()
        await store.close()
    changed = [r for r in rows if r.change != "unchanged"]
    failed = [r for r in rows if r.change.startswith("failed")]
    summary = (
        f"{len(rows)} contents: {len(changed)} changed, {len(failed)} failed"
        if changed
        else f"{len(rows)} contents: no change"
    )
    return (1 if failed else 0), table(rows) + "\n" + summary


async def run_status(settings: Settings) -> tuple[int, str]:
    store = await open_store(settings)
    try:
        records = await ContentRegistry(store).all(fresh=True)
    finally:
        await store.close()
    ordered = sorted(records.values(), key=lambda r: (r.template, r.key, r.lang))
    return 0, table(ordered, changes=False) + f"\n{len(ordered)} contents"


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="frontdoor whatsapp", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sync", help="create / update contents and submit templates for approval")
    sub.add_parser("status", help="the recorded contents: content, language, type, state")
    args = parser.parse_args(list(argv))
    settings = Settings()
    if not settings.redis_url:
        print(
            "frontdoor whatsapp: FRONTDOOR_REDIS_URL is not set; the embedded store lives inside "
            "`frontdoor serve`, so what is recorded here would be lost",
            file=sys.stderr,
        )
        return 2
    job = run_sync if args.command == "sync" else run_status
    code, text = asyncio.run(job(settings))
    print(text, file=sys.stdout if code != 2 else sys.stderr)
    return code
