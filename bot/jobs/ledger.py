"""What the outbound worker must remember besides the queue itself: where each message stands
(so a job delivered twice sends once), what Twilio said about each message id (status
callbacks), who opted out or in, cursors and per-sender rate limits.

Nothing here is personal data in clear: contacts are key digests, message text never appears
(a SMS fallback kept for a WhatsApp message is sealed with the store's key). Records expire.

Two backends with one contract, like the stores: `MemoryLedger` (embedded defaults, one
process) and `RedisLedger` (shared by every web and worker process).
"""

from __future__ import annotations

import asyncio
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

import redis.asyncio as aioredis
from pydantic import BaseModel, Field

from bot.store.client import redis_client

#: "held": a notice that could not be sent (bot/held.py), waiting for the person's next
#: message; "sent" (sid "in-reply") once it went with the reply to it.
SendStateName = Literal["attempting", "sent", "failed", "suppressed", "held"]
#: How long per-message records are kept (status callbacks come within minutes; WhatsApp and
#: SMS queues give up after 4 and 10 hours).
RECORD_TTL = timedelta(days=7)


def utcnow() -> datetime:
    return datetime.now(UTC)


class SendState(BaseModel):
    """Where one outbound message (a job id) stands."""

    state: SendStateName
    at: datetime = Field(default_factory=utcnow)
    sid: str | None = None
    error: str | None = None
    channel: str | None = None


class Delivery(BaseModel):
    """One Twilio message id: which job and contact it belongs to, and what Twilio reported."""

    job_id: str
    contact: str
    channel: str
    #: The same message for SMS, sealed (only for WhatsApp messages that may fall back).
    fallback: str | None = None
    status: str = "queued"
    error_code: str | None = None
    #: (status, error code, when) in the order the callbacks arrived.
    history: list[tuple[str, str | None, datetime]] = Field(default_factory=list)


class Ledger(Protocol):
    async def send_state(self, job_id: str) -> SendState | None: ...

    async def is_opted_out(self, contact: str) -> bool: ...

    async def set_opted_out(self, contact: str, opted_out: bool) -> None: ...

    async def opted_out_count(self) -> int:
        """How many contacts opted out of proactive messages (a gauge of the metrics)."""

    async def delivery(self, sid: str) -> Delivery | None: ...

    async def record_status(
        self, sid: str, status: str, error_code: str | None
    ) -> tuple[Delivery | None, bool]:
        """Add a status callback to the message's record. Returns the record (None if the
        message is not ours or expired) and whether this (status) was new."""

    async def set_daily_reminder(self, contact: str, on: bool) -> None: ...

    async def daily_reminder_contacts(self) -> list[str]: ...

    async def forget(self, contact: str) -> None:
        """Delete my data: drop the contact from every set, and its message records."""

    async def traces(self, contact: str) -> list[str]:
        """Where the ledger still mentions the contact (`frontdoor privacy audit`): a full
        look, not the index `forget` uses, so a record the index missed is found too."""

    async def cursor(self, name: str) -> int: ...

    async def set_cursor(self, name: str, value: int) -> None: ...

    async def release(self, part_id: str) -> None:
        """Give up a part's lease (its send was interrupted: another worker may try)."""

    async def begin_part(
        self, part_id: str, contact: str, lease: timedelta
    ) -> tuple[SendState | None, bool, bool]:
        """The hot path's first step, in one round trip: the part's state, whether the
        contact opted out, and whether this worker got the part's lease (only taken when the
        part is not done)."""

    async def reserve_attempt(
        self, sender: str, interval: float, part_id: str, state: SendState
    ) -> float:
        """Book the next free slot of `sender` (one message every `interval` seconds) and
        mark the part "attempting", in one round trip; returns how long to wait for the slot."""

    async def finish_part(
        self, part_id: str, state: SendState, sid: str | None, delivery: Delivery | None
    ) -> None:
        """Record a part's outcome (and its message id), and release its lease."""

    async def close(self) -> None: ...


def _record_status(
    delivery: Delivery, status: str, error_code: str | None, now: datetime
) -> bool:
    if any(s == status for s, _, _ in delivery.history):
        return False
    delivery.history.append((status, error_code, now))
    delivery.status = status
    delivery.error_code = error_code or delivery.error_code
    return True


class MemoryLedger:
    def __init__(self) -> None:
        self._states: dict[str, SendState] = {}
        self._deliveries: dict[str, Delivery] = {}
        self._opted_out: set[str] = set()
        self._daily: set[str] = set()
        self._cursors: dict[str, int] = {}
        self._seen: dict[tuple[str, str], float] = {}
        self._tat: dict[str, float] = {}

    async def send_state(self, job_id: str) -> SendState | None:
        state = self._states.get(job_id)
        return None if state is None else state.model_copy()

    async def set_send_state(self, job_id: str, state: SendState) -> None:
        self._states[job_id] = state.model_copy()

    async def is_opted_out(self, contact: str) -> bool:
        return contact in self._opted_out

    async def set_opted_out(self, contact: str, opted_out: bool) -> None:
        (self._opted_out.add if opted_out else self._opted_out.discard)(contact)

    async def opted_out_count(self) -> int:
        return len(self._opted_out)

    async def remember_delivery(self, sid: str, delivery: Delivery) -> None:
        self._deliveries[sid] = delivery.model_copy(deep=True)

    async def delivery(self, sid: str) -> Delivery | None:
        found = self._deliveries.get(sid)
        return None if found is None else found.model_copy(deep=True)

    async def record_status(
        self, sid: str, status: str, error_code: str | None
    ) -> tuple[Delivery | None, bool]:
        found = self._deliveries.get(sid)
        if found is None:
            return None, False
        new = _record_status(found, status, error_code, utcnow())
        return found.model_copy(deep=True), new

    async def set_daily_reminder(self, contact: str, on: bool) -> None:
        (self._daily.add if on else self._daily.discard)(contact)

    async def daily_reminder_contacts(self) -> list[str]:
        return sorted(self._daily)

    async def forget(self, contact: str) -> None:
        self._opted_out.discard(contact)
        self._daily.discard(contact)
        jobs = {d.job_id for d in self._deliveries.values() if d.contact == contact}
        for sid in [s for s, d in self._deliveries.items() if d.contact == contact]:
            del self._deliveries[sid]
        for part_id in [p for p in self._states if contact in p or p.split("#")[0] in jobs]:
            del self._states[part_id]

    async def traces(self, contact: str) -> list[str]:
        found = ["ledger: opt-out set"] if contact in self._opted_out else []
        found += ["ledger: daily reminder set"] if contact in self._daily else []
        found += [
            f"ledger: message {sid}" for sid, d in self._deliveries.items() if d.contact == contact
        ]
        found += [f"ledger: send record {p}" for p in self._states if contact in p]
        return found

    async def cursor(self, name: str) -> int:
        return self._cursors.get(name, 0)

    async def set_cursor(self, name: str, value: int) -> None:
        self._cursors[name] = value

    async def first_time(self, namespace: str, item: str, ttl: timedelta) -> bool:
        now = time.monotonic()
        key = (namespace, item)
        if self._seen.get(key, 0.0) > now:
            return False
        self._seen[key] = now + ttl.total_seconds()
        return True

    async def acquire(self, name: str, ttl: timedelta) -> bool:
        return await self.first_time("lease", name, ttl)

    async def release(self, part_id: str) -> None:
        self._seen.pop(("lease", part_id), None)

    async def reserve(self, sender: str, interval: float) -> float:
        now = time.monotonic()
        tat = max(self._tat.get(sender, now), now)
        self._tat[sender] = tat + interval
        return tat - now

    async def begin_part(
        self, part_id: str, contact: str, lease: timedelta
    ) -> tuple[SendState | None, bool, bool]:
        state = await self.send_state(part_id)
        leased = False
        if state is None or state.state == "attempting":
            leased = await self.acquire(part_id, lease)
        return state, contact in self._opted_out, leased

    async def reserve_attempt(
        self, sender: str, interval: float, part_id: str, state: SendState
    ) -> float:
        await self.set_send_state(part_id, state)
        return await self.reserve(sender, interval)

    async def finish_part(
        self, part_id: str, state: SendState, sid: str | None, delivery: Delivery | None
    ) -> None:
        if sid is not None and delivery is not None:
            await self.remember_delivery(sid, delivery)
        await self.set_send_state(part_id, state)
        await self.release(part_id)

    async def close(self) -> None:
        return None


#: KEYS: the part's state, its lease (one slot: the lease's hash tag is the state's name).
_BEGIN = """
local state = redis.call('GET', KEYS[1])
local leased = 0
if (not state) or string.find(state, '"attempting"', 1, true) then
  if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then leased = 1 end
end
return {state, leased}
"""

#: GCRA on the server's clock, so every worker process shares one schedule per sender.
_RESERVE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < t then tat = t end
local ttl = math.ceil((tat + interval - t) * 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.6f', tat + interval), 'PX', ttl)
return string.format('%.6f', tat - t)
"""


class RedisLedger:
    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        self._redis = client
        self._p = f"{prefix}:jobs"
        self._reserve = client.register_script(_RESERVE)
        self._begin = client.register_script(_BEGIN)

    @classmethod
    def from_url(
        cls, url: str, prefix: str, *, max_connections: int = 64, cluster: bool = False
    ) -> RedisLedger:
        client = redis_client(
            url,
            cluster=cluster,
            max_connections=max_connections,
            command_timeout=None,
            blocking_timeout=10.0,
        )
        return cls(client, prefix)

    def _ms(self, ttl: timedelta = RECORD_TTL) -> int:
        return math.ceil(ttl.total_seconds() * 1000)

    async def send_state(self, job_id: str) -> SendState | None:
        raw = await self._redis.get(f"{self._p}:send:{job_id}")
        return None if raw is None else SendState.model_validate_json(raw)


    async def is_opted_out(self, contact: str) -> bool:
        return bool(await self._redis.sismember(f"{self._p}:optout", contact))

    async def set_opted_out(self, contact: str, opted_out: bool) -> None:
        name = f"{self._p}:optout"
        await (self._redis.sadd(name, contact) if opted_out else self._redis.srem(name, contact))

    async def opted_out_count(self) -> int:
        return int(await self._redis.scard(f"{self._p}:optout"))


    async def delivery(self, sid: str) -> Delivery | None:
        raw = await self._redis.get(f"{self._p}:sid:{sid}")
        return None if raw is None else Delivery.model_validate_json(raw)

    async def record_status(
        self, sid: str, status: str, error_code: str | None
    ) -> tuple[Delivery | None, bool]:
        name = f"{self._p}:sid:{sid}"
        # Optimistic transaction: two callbacks of one message may arrive together.
        async with self._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(name)
                    raw = await pipe.get(name)
                    if raw is None:
                        await pipe.reset()  # type: ignore[no-untyped-call]
                        return None, False
                    found = Delivery.model_validate_json(raw)
                    new = _record_status(found, status, error_code, utcnow())
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(name, found.model_dump_json(), px=self._ms())
                    await pipe.execute()
                    return found, new
                except aioredis.WatchError:
                    await asyncio.sleep(0)

    async def set_daily_reminder(self, contact: str, on: bool) -> None:
        name = f"{self._p}:daily"
        await (self._redis.sadd(name, contact) if on else self._redis.srem(name, contact))

    async def daily_reminder_contacts(self) -> list[str]:
        members = await self._redis.smembers(f"{self._p}:daily")
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)

    async def forget(self, contact: str) -> None:
        await self._redis.srem(f"{self._p}:optout", contact)
        await self._redis.srem(f"{self._p}:daily", contact)
        index = self._contact_index(contact)
        names = [_text(m) for m in await self._redis.smembers(index)]
        # Send records named after the contact (daily reminders) that no delivery indexed.
        names += [_text(n) async for n in self._redis.scan_iter(
            match=f"{self._p}:send:*{contact}*", count=1000
        )]
        if names:
            await self._redis.delete(*names)
        await self._redis.delete(index)

    async def traces(self, contact: str) -> list[str]:
        found = []
        if await self._redis.sismember(f"{self._p}:optout", contact):
            found.append("ledger: opt-out set")
        if await self._redis.sismember(f"{self._p}:daily", contact):
            found.append("ledger: daily reminder set")
        if await self._redis.exists(self._contact_index(contact)):
            found.append(f"ledger: {self._contact_index(contact)}")
        async for name in self._redis.scan_iter(match=f"{self._p}:sid:*", count=1000):
            raw = await self._redis.get(name)
            if raw is not None and Delivery.model_validate_json(raw).contact == contact:
                found.append(f"ledger: message record {_text(name)}")
        async for name in self._redis.scan_iter(match=f"{self._p}:send:*{contact}*", count=1000):
            found.append(f"ledger: send record {_text(name)}")
        return found

    def _contact_index(self, contact: str) -> str:
        """The contact's message records, so "delete my data" finds them without a scan."""
        return f"{self._p}:contact:{contact}"

    async def cursor(self, name: str) -> int:
        raw = await self._redis.get(f"{self._p}:cursor:{name}")
        return 0 if raw is None else int(raw)

    async def set_cursor(self, name: str, value: int) -> None:
        await self._redis.set(f"{self._p}:cursor:{name}", value)



    async def release(self, part_id: str) -> None:
        await self._redis.delete(self._lease(part_id))


    async def begin_part(
        self, part_id: str, contact: str, lease: timedelta
    ) -> tuple[SendState | None, bool, bool]:
        # Two commands at once (the opt-out set is on another slot of a cluster): one round
        # trip's time.
        (raw, leased), opted_out = await asyncio.gather(
            self._begin(keys=[self._state(part_id), self._lease(part_id)], args=[self._ms(lease)]),
            self._redis.sismember(f"{self._p}:optout", contact),
        )
        state = None if raw is None else SendState.model_validate_json(raw)
        return state, bool(opted_out), bool(leased)

    async def reserve_attempt(
        self, sender: str, interval: float, part_id: str, state: SendState
    ) -> float:
        # The sender's schedule and the part's state are on two slots of a cluster: two
        # commands at once. The part is "attempting" before any send (the slot comes after).
        wait, _ = await asyncio.gather(
            self._reserve(keys=[f"{self._p}:rate:{sender}"], args=[f"{interval:.6f}"]),
            self._redis.set(self._state(part_id), state.model_dump_json(), px=self._ms()),
        )
        return float(wait)

    async def finish_part(
        self, part_id: str, state: SendState, sid: str | None, delivery: Delivery | None
    ) -> None:
        pipe = self._redis.pipeline(transaction=False)
        if sid is not None and delivery is not None:
            record, index = f"{self._p}:sid:{sid}", self._contact_index(delivery.contact)
            pipe.set(record, delivery.model_dump_json(), px=self._ms())
            pipe.sadd(index, record, f"{self._p}:send:{part_id}")
            pipe.pexpire(index, self._ms())
        pipe.set(f"{self._p}:send:{part_id}", state.model_dump_json(), px=self._ms())
        pipe.delete(self._lease(part_id))
        await pipe.execute()

    def _lease(self, part_id: str) -> str:
        """On the slot of the part's state (`_BEGIN` uses both): its name is the hash tag."""
        return f"{{{self._state(part_id)}}}:lease"

    def _state(self, part_id: str) -> str:
        return f"{self._p}:send:{part_id}"

    async def close(self) -> None:
        await self._redis.aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
