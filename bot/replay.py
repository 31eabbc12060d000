"""The outbox replayer: while the booking API is down, saved calls wait in the store; this
background task retries them (same idempotency key, original time) and tells each person the
result. It also resumes every "delete my data" that could not be finished (bot/erasure.py).
It runs inside `frontdoor serve`; its results are sent straight through the sender
(bot/outbound.py), not through the outbound job queue (bot/jobs)."""

from __future__ import annotations

import asyncio
import logging

from bot.conversation import Conversations
from bot.store.base import Store, StoreError

log = logging.getLogger(__name__)


async def replay_outbox_once(conversations: Conversations, store: Store) -> int:
    """One pass over the outbox and the erasure outbox; returns how many contacts still wait."""
    waiting = 0
    for key in await store.erasures():
        try:
            done = await conversations.finish_erasure(key)
        except StoreError as exc:
            log.warning("erasures: contact %s not resumed now: %s", key, exc)
            done = False
        except Exception:
            log.exception("erasures: resuming contact %s failed", key)
            done = False
        waiting += 0 if done else 1
    for key in await store.outbox():
        try:
            done = await conversations.replay(key)
        except StoreError as exc:
            log.warning("outbox: contact %s not replayed now: %s", key, exc)
            done = False
        except Exception:
            # One contact's problem must not stop everyone else's replay.
            log.exception("outbox: replaying contact %s failed", key)
            done = False
        waiting += 0 if done else 1
    return waiting


async def replay_outbox_forever(
    conversations: Conversations, store: Store, interval_seconds: float
) -> None:
    while True:
        try:
            waiting = await replay_outbox_once(conversations, store)
            if waiting:
                log.info("outbox: %d contacts still waiting for the booking API", waiting)
        except StoreError as exc:
            log.warning("outbox: store unavailable: %s", exc)
        await asyncio.sleep(interval_seconds)
