"""The inbound spool: messages that could not be handled now (the store does not answer, or the
contact's lock stayed taken), kept on local disk until they can be, in arrival order.

Twilio does not retry a failed webhook on the primary URL (it tries the fallback URL once), so
an answer of 500 while Redis restarts loses the message for good. Instead the webhook appends
the message here, answers "received, I will answer shortly", and `bot/intake.py` replays the
spool once the store answers again, the replies going out through the outbound queue.

File format (``<data dir>/spool/inbound-<n>.spool``, append-only)::

    record = length (4 bytes, big-endian) | sealed JSON of the message

Sealed with the store's key (AES-GCM, `SessionCodec.seal`, label ``inbound-spool``): the
text, the phone number and what the person wrote are personal data at rest. Every append is
fsynced before the webhook answers. How far replay got is ``inbound-<n>.done`` (a byte offset,
written atomically); once everything is replayed both are emptied. A torn last record (a crash
mid-write, never acknowledged to Twilio) is cut off on open. The file is bounded
(`max_bytes`): a full spool refuses (the webhook then answers 503 and Twilio tries the
fallback URL).

One process, one file: a process takes the first ``inbound-<n>`` whose `flock` it can get, so
processes sharing a data directory never write the same file, and a restarted process (its
old lock died with it) takes its predecessor's file and replays what is left.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from bot.messages import ChannelKind, Inbound
from bot.store.base import StoreError
from bot.store.codec import SessionCodec

log = logging.getLogger(__name__)

LABEL = "inbound-spool"
_LENGTH = 4
#: Processes that may share one data directory.
MAX_SLOTS = 64


class SpoolFull(RuntimeError):
    """The spool reached its size bound: the message cannot be kept."""


@dataclass(frozen=True, slots=True)
class Spooled:
    """One kept message: `end` is the offset just after its record (what `done` takes)."""

    end: int
    contact: str
    inbound: Inbound


def _encode(contact: str, inbound: Inbound) -> bytes:
    return json.dumps(
        {
            "contact": contact,
            "message_id": inbound.message_id,
            "sender": inbound.sender,
            "channel": inbound.channel.value,
            "text": inbound.text,
            "received_at": inbound.received_at.isoformat(),
            "button_payload": inbound.button_payload,
            "num_media": inbound.num_media,
            "media_types": list(inbound.media_types),
        }
    ).encode()


def _decode(raw: bytes) -> tuple[str, Inbound]:
    data = json.loads(raw)
    inbound = Inbound(
        message_id=data["message_id"],
        sender=data["sender"],
        channel=ChannelKind(data["channel"]),
        text=data["text"],
        received_at=datetime.fromisoformat(data["received_at"]),
        button_payload=data["button_payload"],
        num_media=int(data["num_media"]),
        media_types=tuple(data["media_types"]),
    )
    return str(data["contact"]), inbound


class Spool:
    """Open with `Spool.open(directory, codec, max_bytes)`; close with `close()`."""

    def __init__(self, path: Path, handle: IO[bytes], codec: SessionCodec, max_bytes: int) -> None:
        self.path = path
        self._done_path = path.with_suffix(".done")
        self._file = handle
        self._codec = codec
        self._max_bytes = max_bytes
        self._lock = asyncio.Lock()
        self._pending: list[Spooled] = []
        self._contacts: Counter[str] = Counter()

    @classmethod
    def open(cls, directory: Path, codec: SessionCodec, max_bytes: int) -> Spool:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for slot in range(MAX_SLOTS):
            path = directory / f"inbound-{slot}.spool"
            handle = open(path, "a+b")  # noqa: SIM115 - kept open (and flocked) for the process
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            os.chmod(path, 0o600)
            spool = cls(path, handle, codec, max_bytes)
            spool._load()
            return spool
        raise RuntimeError(f"{directory}: every spool slot is taken by a running process")

    # -- what the webhook and the replayer use --

    def holds(self, contact: str) -> bool:
        """True while messages of this contact wait here (new ones must queue behind them)."""
        return self._contacts[contact] > 0

    def pending(self) -> list[Spooled]:
        """Kept messages not replayed yet, oldest first."""
        return list(self._pending)

    def __len__(self) -> int:
        return len(self._pending)

    async def append(self, contact: str, inbound: Inbound) -> None:
        """Keep one message, durably (fsynced) before returning; `SpoolFull` at the bound."""
        blob = self._codec.seal(LABEL, _encode(contact, inbound))
        record = len(blob).to_bytes(_LENGTH, "big") + blob
        async with self._lock:
            size = self._file.seek(0, os.SEEK_END)
            if size + len(record) > self._max_bytes:
                raise SpoolFull(f"{self.path} holds {size} bytes (bound {self._max_bytes})")
            await asyncio.to_thread(self._write, record)
            self._pending.append(Spooled(size + len(record), contact, inbound))
            self._contacts[contact] += 1

    async def done(self, item: Spooled) -> None:
        """The oldest kept message was replayed: remember it (durably) and forget it."""
        async with self._lock:
            if not self._pending or self._pending[0] != item:
                raise ValueError("spool records are marked done in order")
            self._pending.pop(0)
            self._contacts[item.contact] -= 1
            if self._contacts[item.contact] <= 0:
                del self._contacts[item.contact]
            if self._pending:
                await asyncio.to_thread(self._write_done, item.end)
            else:  # all replayed: start again from an empty file
                await asyncio.to_thread(self._reset)

    def close(self) -> None:
        self._file.close()  # releases the flock

    # -- internals --

    def _write(self, record: bytes) -> None:
        self._file.write(record)
        self._file.flush()
        os.fsync(self._file.fileno())

    def _write_done(self, offset: int) -> None:
        tmp = self._done_path.with_suffix(".done-tmp")
        with open(tmp, "w") as out:
            out.write(str(offset))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self._done_path)

    def _reset(self) -> None:
        self._write_done(0)
        self._file.truncate(0)
        self._file.flush()
        os.fsync(self._file.fileno())

    def _load(self) -> None:
        done = 0
        if self._done_path.exists():
            text = self._done_path.read_text().strip()
            done = int(text) if text.isdigit() else 0
        self._file.seek(0)
        data = self._file.read()
        offset, good = 0, 0
        while offset + _LENGTH <= len(data):
            length = int.from_bytes(data[offset : offset + _LENGTH], "big")
            end = offset + _LENGTH + length
            if end > len(data):
                break
            if end > done:
                try:
                    contact, inbound = _decode(
                        self._codec.unseal(LABEL, data[offset + _LENGTH : end])
                    )
                except (StoreError, ValueError, KeyError) as exc:
                    log.error(
                        "spool %s: record at %d not readable (%s): skipped", self.path, offset, exc
                    )
                else:
                    self._pending.append(Spooled(end, contact, inbound))
                    self._contacts[contact] += 1
            offset = good = end
        if good < len(data):
            log.warning(
                "spool %s: torn last record (%d bytes) cut off", self.path, len(data) - good
            )
            self._file.truncate(good)
            self._file.flush()
            os.fsync(self._file.fileno())
        if self._pending:
            log.warning("spool %s: %d messages to replay", self.path, len(self._pending))
        elif good:
            self._reset()
