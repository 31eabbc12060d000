"""Twilio's Content API: the interactive messages and notice templates the bot sends by SID.

* `ContentSpec`: one resource as the flows and catalogs make it (derive.py).
* `ContentClient`: create, submit for WhatsApp approval, read the approval state (httpx;
  `FRONTDOOR_TWILIO_CONTENT_BASE_URL`, tests point it at Prism serving Twilio's spec).
* `ContentRegistry`: what was created, in the store (its log "whatsapp-content": one JSON
  record per change, the last one per content and language wins), read by the webhook and
  the worker to find a SID.
* `sync`: make the API match the specs. Idempotent: a spec whose digest is recorded is not
  sent again (only a template's pending approval is read again); an edited message has a new
  digest, so a new resource (a new version: approved templates cannot be edited).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel

from bot.store.base import Store

log = logging.getLogger(__name__)

STREAM = "whatsapp-content"
DEFAULT_BASE_URL = "https://content.twilio.com"
#: Approval states after which nothing changes by itself.
FINAL_STATES = frozenset({"approved", "rejected", "paused", "disabled"})
#: The state of an interactive (session-only) content: usable at once, never submitted.
SESSION = "session"
CATEGORY = "UTILITY"
CACHE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ContentSpec:
    key: str
    lang: str
    kind: str
    types: dict[str, Any]
    #: Sample value of each variable ("1", "2"...): required by the API for templates.
    variables: dict[str, str] = field(default_factory=dict)
    #: What each variable is (slot names, in order), for whoever sends it.
    names: tuple[str, ...] = ()
    #: Submitted for WhatsApp approval (a template used outside the 24-hour window).
    template: bool = False

    @property
    def digest(self) -> str:
        data = [self.lang, self.types, self.variables, list(self.names), self.template]
        return hashlib.sha256(
            json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:16]

    @property
    def name(self) -> str:
        """The resource's friendly name, also the WhatsApp template name (a-z, 0-9, _)."""
        raw = f"frontdoor_{self.key}_{self.lang}_{self.digest[:8]}".lower()
        return re.sub(r"[^a-z0-9_]", "_", raw)


class ContentRecord(BaseModel):
    key: str
    lang: str
    kind: str
    digest: str
    sid: str
    state: str
    names: list[str] = []
    template: bool = False


class ContentApiError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Content API answered {status}: {message}")
        self.status = status


class ContentClient:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        base_url: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
            auth=(account_sid, auth_token),
            timeout=timeout,
            transport=transport,
        )

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = await self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise ContentApiError(0, f"not reached ({type(exc).__name__})") from exc
        if response.status_code >= 300:
            raise ContentApiError(response.status_code, response.text[:300])
        return response.json()

    async def create(self, spec: ContentSpec) -> str:
        body: dict[str, Any] = {
            "friendly_name": spec.name,
            "language": spec.lang,
            "types": spec.types,
        }
        if spec.variables:
            body["variables"] = spec.variables
        created = await self._call("POST", "/v1/Content", body)
        return str(created["sid"])

    async def submit(self, sid: str, name: str, category: str = CATEGORY) -> str:
        answer = await self._call(
            "POST",
            f"/v1/Content/{sid}/ApprovalRequests/whatsapp",
            {"name": name, "category": category},
        )
        return str(answer.get("status") or "received")

    async def approval(self, sid: str) -> str:
        answer = await self._call("GET", f"/v1/Content/{sid}/ApprovalRequests")
        whatsapp = answer.get("whatsapp") or {}
        return str(whatsapp.get("status") or "unsubmitted")

    async def close(self) -> None:
        await self._http.aclose()


class ContentRegistry:
    """The recorded contents, read from the store (cached for a few seconds per process)."""

    def __init__(self, store: Store, *, cache_seconds: float = CACHE_SECONDS) -> None:
        self._store = store
        self._cache_seconds = cache_seconds
        self._records: dict[tuple[str, str], ContentRecord] | None = None
        self._read_at = 0.0

    async def all(self, *, fresh: bool = False) -> dict[tuple[str, str], ContentRecord]:
        now = time.monotonic()
        if fresh or self._records is None or now - self._read_at > self._cache_seconds:
            records: dict[tuple[str, str], ContentRecord] = {}
            start = await self._store.log_first(STREAM)
            while True:
                batch = await self._store.log_read(STREAM, start, 500)
                if not batch:
                    break
                for raw in batch:
                    if not raw:
                        continue
                    record = ContentRecord.model_validate_json(raw)
                    records[(record.key, record.lang)] = record
                start += len(batch)
            self._records, self._read_at = records, now
        return self._records

    async def get(self, key: str, lang: str) -> ContentRecord | None:
        return (await self.all()).get((key, lang))

    async def record(self, record: ContentRecord) -> None:
        await self._store.log_append(STREAM, record.model_dump_json().encode())
        if self._records is not None:
            self._records[(record.key, record.lang)] = record


_REGISTRIES: dict[int, tuple[Store, ContentRegistry]] = {}


def registry_for(store: Store) -> ContentRegistry:
    """This process's registry of a store (one cache for the webhook and the worker)."""
    held = _REGISTRIES.get(id(store))
    if held is None or held[0] is not store:
        held = (store, ContentRegistry(store))
        _REGISTRIES[id(store)] = held
    return held[1]


@dataclass(frozen=True, slots=True)
class SyncRow:
    key: str
    lang: str
    kind: str
    state: str
    change: str  # created | new version | state | unchanged | failed: ...


async def sync(
    specs: Iterable[ContentSpec], client: ContentClient, registry: ContentRegistry
) -> list[SyncRow]:
    rows: list[SyncRow] = []
    known = await registry.all(fresh=True)
    for spec in specs:
        old = known.get((spec.key, spec.lang))
        try:
            if old is not None and old.digest == spec.digest:
                state = old.state
                if spec.template and state not in FINAL_STATES:
                    state = await client.approval(old.sid)
                if state == old.state:
                    rows.append(SyncRow(spec.key, spec.lang, spec.kind, state, "unchanged"))
                    continue
                await registry.record(old.model_copy(update={"state": state}))
                rows.append(SyncRow(spec.key, spec.lang, spec.kind, state, "state"))
                continue
            sid = await client.create(spec)
            state = SESSION
            if spec.template:
                await client.submit(sid, spec.name)
                state = await client.approval(sid)
        except ContentApiError as exc:
            log.warning("content %s (%s): %s", spec.key, spec.lang, exc)
            rows.append(
                SyncRow(
                    spec.key,
                    spec.lang,
                    spec.kind,
                    old.state if old else "-",
                    f"failed: {exc.status}",
                )
            )
            continue
        record = ContentRecord(
            key=spec.key,
            lang=spec.lang,
            kind=spec.kind,
            digest=spec.digest,
            sid=sid,
            state=state,
            names=list(spec.names),
            template=spec.template,
        )
        await registry.record(record)
        rows.append(
            SyncRow(spec.key, spec.lang, spec.kind, state, "new version" if old else "created")
        )
    return rows


def table(rows: Sequence[SyncRow] | Sequence[ContentRecord], *, changes: bool = True) -> str:
    """The printed table: content, language, type, state (and what this run changed)."""
    head = ["content", "language", "type", "state"] + (["change"] if changes else [])
    lines: list[list[str]] = [head]
    for row in rows:
        line = [row.key, row.lang, row.kind, row.state]
        if changes:
            line.append(row.change if isinstance(row, SyncRow) else "")
        lines.append(line)
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )
