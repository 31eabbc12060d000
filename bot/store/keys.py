"""Where each piece of a contact's state lives in a key-value store.

Every key of one contact shares the hash tag ``{<digest>}`` so a Redis Cluster keeps them on
one slot (multi-key operations such as "delete everything of this contact" stay legal). The
contact part is always a `ContactKey` digest, never a phone number: the key space can be
listed, logged and monitored without exposing anyone. Claim ids are provider ids (Twilio
``MessageSid`` and the like); they are checked against a conservative alphabet that excludes
``+`` and ``:`` so that a sender address passed by mistake is rejected instead of stored.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.contacts import ContactKey

DEFAULT_PREFIX = "fd"

_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_NAMESPACE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_DIGEST = re.compile(r"[0-9a-f]{16,64}")


@dataclass(frozen=True, slots=True)
class KeyBuilder:
    """Builds ``<prefix>:{<digest>}:<part>`` and ``<prefix>:claim:<namespace>:<id>`` keys.

    The prefix is a field (not a constant) so tests and side-by-side deployments can share one
    Redis without seeing each other's keys.
    """

    prefix: str = DEFAULT_PREFIX
    #: Keys for a Redis Cluster: keys used together carry one hash tag, and the global
    #: indexes are spread over `shards` slots. Off: the single-server names of before.
    cluster: bool = False
    shards: int = 1

    def __post_init__(self) -> None:
        if not _PREFIX.fullmatch(self.prefix):
            raise ValueError(f"invalid store key prefix {self.prefix!r}: use [A-Za-z0-9_-], ≤32")
        if not 1 <= self.shards <= 1024:
            raise ValueError("shards must be 1..1024")
        if not self.cluster:
            object.__setattr__(self, "shards", 1)  # one server: one slot, nothing to spread

    def shard_of(self, by: str) -> int:
        """The shard of a global index that `by` (a contact digest, a registration id)
        belongs to: stable across processes and restarts."""
        if self.shards == 1:
            return 0
        digest = hashlib.blake2b(by.encode(), digest_size=4).digest()
        return int.from_bytes(digest, "big") % self.shards

    def _global(self, name: str, shard: int) -> str:
        """A global index's key: ``<prefix>:<name>`` on one server; on a cluster
        ``{<prefix>:<name>:<shard>}``, each shard its own slot."""
        if not self.cluster:
            return f"{self.prefix}:{name}"
        return f"{{{self.prefix}:{name}:{shard}}}"

    def session(self, key: ContactKey) -> str:
        return self._contact(key, "session")

    def replies(self, key: ContactKey) -> str:
        """The replies to the contact's last message, kept a few minutes for a retry."""
        return self._contact(key, "replies")

    def lock(self, key: ContactKey) -> str:
        """The contact's lock queue (tokens of the handlers in line, bot/store/locks.py)."""
        return self._contact(key, "lock")

    def erasure(self, key: ContactKey) -> str:
        """What is left of a "delete my data" (no answers, only ids and the notice to send)."""
        return self._contact(key, "erasure")

    def lock_leases(self, key: ContactKey) -> str:
        return self._contact(key, "lock-leases")

    def flood(self, key: ContactKey) -> str:
        """The contact's flood-control bucket (tokens and time; no personal data)."""
        return self._contact(key, "flood")

    def contact_pattern(self, key: ContactKey) -> str:
        """A Redis ``SCAN MATCH`` pattern for every key of one contact (for audits and tests)."""
        return f"{self.prefix}:{{{_digest(key)}}}:*"

    def data_keys(self, key: ContactKey) -> tuple[str, ...]:
        """Every key that holds personal data of this contact: what "delete my data" removes.

        The lock key is not listed: it holds only a random token, expires with its lease, and
        deleting it under a running handler would let a second handler in.
        """
        return (self.session(key), self.replies(key), self.flood(key))

    def outbox(self, key: ContactKey) -> str:
        """The set (of its shard) of contact digests with booking calls to replay."""
        return self._global("outbox", self.shard_of(_digest(key)))

    def outboxes(self) -> list[str]:
        """Every shard of the outbox (no personal data: contact digests)."""
        return [self._global("outbox", shard) for shard in range(self.shards)]

    def erasures(self, key: ContactKey) -> str:
        """The set (of its shard) of contact digests whose "delete my data" waits."""
        return self._global("erasures", self.shard_of(_digest(key)))

    def erasure_indexes(self) -> list[str]:
        return [self._global("erasures", shard) for shard in range(self.shards)]

    def reference(self, name: str) -> str:
        """The last known copy of reference data (the port list): no personal data."""
        if not _NAMESPACE.fullmatch(name):
            raise ValueError(f"invalid reference name {name!r}: use [a-z0-9_-], ≤32")
        return f"{self.prefix}:ref:{name}"

    def log(self, stream: str) -> str:
        if not _NAMESPACE.fullmatch(stream):
            raise ValueError(f"invalid log stream {stream!r}: use [a-z0-9_-], ≤32")
        if self.cluster:  # the log and its base are used together: one slot
            return f"{{{self.prefix}:log:{stream}}}"
        return f"{self.prefix}:log:{stream}"

    def log_base(self, stream: str) -> str:
        """How many records of a log were trimmed (the index of its first kept record)."""
        return f"{self.log(stream)}:base"

    def log_shards(self, stream: str) -> list[str]:
        """The streams a sharded log is spread over (itself alone on one server): each is
        a log of its own, with its own indexes, read by its consumer in order."""
        if self.shards == 1:
            return [stream]
        return [f"{stream}-{shard:02d}" for shard in range(self.shards)]

    def log_shard(self, stream: str, by: str) -> str:
        """The shard of `stream` that records about `by` go to (so they stay in order)."""
        return self.log_shards(stream)[self.shard_of(by)]

    def claim(self, namespace: str, item_id: str) -> str:
        if not _NAMESPACE.fullmatch(namespace):
            raise ValueError(f"invalid claim namespace {namespace!r}: use [a-z0-9_-], ≤32")
        if not _ITEM_ID.fullmatch(item_id):
            # Do not echo the value: it might be a phone number passed by mistake.
            raise ValueError(
                f"invalid claim id in namespace {namespace!r} ({len(item_id)} chars): "
                "use an opaque id of [A-Za-z0-9._-], ≤128, never a phone number"
            )
        return f"{self.prefix}:claim:{namespace}:{item_id}"

    def _contact(self, key: ContactKey, part: str) -> str:
        return f"{self.prefix}:{{{_digest(key)}}}:{part}"


def _digest(key: ContactKey) -> str:
    if not _DIGEST.fullmatch(key.digest):
        # A ContactKey built by hand from something that is not a digest (e.g. a phone).
        raise ValueError("ContactKey digest must be 16-64 lowercase hex characters")
    return key.digest
