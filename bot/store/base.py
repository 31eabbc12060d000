"""The Store protocol every backend implements (one contract test suite runs against all)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from enum import IntEnum
from typing import Protocol

from bot.contacts import ContactKey
from bot.engine.session import Session


class StoreError(RuntimeError):
    """The store could not do what was asked (operators see this, never applicants)."""


class StoreUnavailable(StoreError):
    """The configured store does not answer."""


class LockTimeout(StoreError):
    """Another message from the same contact held the lock for too long."""


class LockLost(StoreError):
    """This handler stalled past its lease and the contact's lock went on to another one:
    its write is refused (two writers never both win), and the message is not answered."""


class Flood(IntEnum):
    """What the flood control says about one more message of a contact (`Store.flood`)."""

    OK = 0
    #: The first message over the limit: tell the person once.
    WARN = 1
    #: Every further one until the bucket refills: dropped without an answer.
    DROP = 2


class Flooded(Exception):
    """`Store.hold` with a flood limit: the contact is over it (the message is not in line)."""

    def __init__(self, verdict: Flood) -> None:
        super().__init__(verdict.name)
        self.verdict = verdict


#: How long the replies to a contact's last message are kept for a retry of that message
#: (Twilio retries within seconds; a session remembers the ids of older ones, not replies).
REPLIES_KEPT = timedelta(minutes=10)


class Held(Protocol):
    """A contact's lock, held, with its session as it was when the lock was had
    (`Store.hold`). Writes are fenced: a holder that lost the lock gets `LockLost`."""

    @property
    def session(self) -> Session | None: ...

    @property
    def kept_replies(self) -> bytes | None:
        """The replies kept for `hold`'s message tag (a retry), if still kept."""

    async def save(self, session: Session, ttl: timedelta, replies: bytes | None = None) -> None:
        """Write now, keeping the lock (before side effects: commit first)."""

    def stage(self, session: Session, ttl: timedelta, replies: bytes | None = None) -> None:
        """Write when the lock is released, in the same round trip (the last write of a
        message); dropped if the handler fails before."""


class Store(Protocol):
    async def ping(self) -> None:
        """Raise StoreUnavailable if the backend does not answer."""

    async def load(self, key: ContactKey) -> Session | None: ...

    async def save(self, key: ContactKey, session: Session, ttl: timedelta) -> None: ...

    async def delete(self, key: ContactKey) -> None:
        """Remove everything stored for this contact ("delete my data")."""

    async def claim(self, namespace: str, item_id: str, ttl: timedelta) -> bool:
        """True the first time an id is seen in a namespace (dedupe callbacks and events)."""

    async def claimed(self, namespace: str, item_id: str) -> bool:
        """True if `claim` took this id and its TTL has not run out (a read, claims nothing)."""

    async def flood(self, key: ContactKey, burst: int, per_second: float) -> Flood:
        """Take one token of the contact's bucket (`burst` tokens, refilled at `per_second`)."""

    async def outbox_add(self, key: ContactKey) -> None:
        """Mark a contact as having a booking call to replay (its session holds the call)."""

    async def outbox_remove(self, key: ContactKey) -> None: ...

    async def outbox(self) -> list[ContactKey]:
        """Contacts with booking calls waiting for the booking API to come back."""

    def log_shards(self, stream: str) -> list[str]:
        """The logs a sharded log is spread over (on a Redis Cluster; `[stream]` elsewhere):
        each has its own indexes and is consumed on its own, in order."""

    def log_shard(self, stream: str, by: str) -> str:
        """The shard of `stream` where records about `by` go (one registration's events
        stay in one shard, in order)."""

    async def log_append(self, stream: str, record: bytes) -> int:
        """Append a record to a durable, ordered log (e.g. booking events); returns its index."""

    async def log_read(self, stream: str, start: int = 0, count: int = 100) -> list[bytes]:
        """Records `start`..`start+count-1` of a log, oldest first. Indexes never move: a
        purged record reads as ``b""``, and reading from before `log_first` starts there."""

    async def log_first(self, stream: str) -> int:
        """Index of the oldest record still kept (the ones before were trimmed)."""

    async def log_trim(self, stream: str, upto: int) -> int:
        """Drop the records before index `upto` (its consumers have them); returns how many."""

    async def log_purge(self, stream: str, drop: Callable[[bytes], bool]) -> int:
        """Blank every kept record for which `drop(record)` is true ("delete my data");
        indexes stay as they were. Returns how many were blanked."""

    async def save_erasure(self, key: ContactKey, record: bytes) -> None:
        """Keep what is left to erase of a contact ("delete my data" that must wait for a
        booking API or database); it outlives `delete` until `drop_erasure`."""

    async def load_erasure(self, key: ContactKey) -> bytes | None: ...

    async def drop_erasure(self, key: ContactKey) -> None: ...

    async def erasures(self) -> list[ContactKey]:
        """Contacts whose "delete my data" is not finished (the erasure outbox)."""

    async def save_reference(self, name: str, record: bytes) -> None:
        """Keep the last known copy of reference data a question needs (the booking API's
        port list): shared by every process, no personal data, no expiry."""

    async def load_reference(self, name: str) -> bytes | None:
        """The copy `save_reference` kept (None: never kept)."""

    async def traces(self, key: ContactKey) -> list[str]:
        """Every key of this contact and every index naming it (`frontdoor privacy audit`);
        the lock, which holds only a random token while a message is handled, is left out."""

    def hold(
        self,
        key: ContactKey,
        *,
        message: str = "",
        flood: tuple[int, float] | None = None,
    ) -> AbstractAsyncContextManager[Held]:
        """The contact's lock with its session loaded, in one round trip when nobody else
        holds it, and the last write with the release in one more (bot/store/lua.py).

        `message`: a tag of the message being handled (replies kept for it are returned,
        replies written are kept under it for `REPLIES_KEPT`). `flood`: (burst, per second)
        of the contact's bucket, taken first: over it raises `Flooded` and nothing is held."""

    def lock(self, key: ContactKey) -> AbstractAsyncContextManager[None]:
        """Serialise the handling of one contact's messages (across processes for Redis)."""

    async def close(self) -> None: ...
