"""The inbound spool on disk: durable, ordered, encrypted, bounded, one file per process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.messages import ChannelKind, Inbound
from bot.spool import Spool, SpoolFull
from bot.store.codec import SessionCodec

CODEC = SessionCodec("spool-test-secret")
PHONE = "+5216641239999"


def message(n: int, text: str = "Maria Xuc Tzoc") -> Inbound:
    return Inbound(
        message_id=f"SM{n:032d}",
        sender=PHONE,
        channel=ChannelKind.WHATSAPP,
        text=text,
        received_at=datetime(2026, 1, 2, 3, 4, n, tzinfo=UTC),
        button_payload=None,
    )


def everything_in(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(directory.iterdir()))


async def test_messages_survive_a_restart_in_order_and_encrypted(tmp_path: Path) -> None:
    spool = Spool.open(tmp_path, CODEC, 1 << 20)
    for n in range(5):
        await spool.append("c1", message(n))
    spool.close()  # the process dies; nothing else was called
    raw = everything_in(tmp_path)
    assert PHONE.encode() not in raw and b"Xuc" not in raw
    again = Spool.open(tmp_path, CODEC, 1 << 20)
    assert [item.inbound for item in again.pending()] == [message(n) for n in range(5)]
    assert again.holds("c1") and not again.holds("c2")
    for item in again.pending()[:2]:
        await again.done(item)
    again.close()
    third = Spool.open(tmp_path, CODEC, 1 << 20)
    assert [item.inbound.message_id for item in third.pending()] == [
        message(n).message_id for n in range(2, 5)
    ]
    for item in third.pending():
        await third.done(item)
    assert not third.holds("c1") and third.path.stat().st_size == 0  # emptied once replayed
    third.close()


async def test_a_torn_last_record_is_cut_off(tmp_path: Path) -> None:
    spool = Spool.open(tmp_path, CODEC, 1 << 20)
    await spool.append("c1", message(1))
    await spool.append("c1", message(2))
    spool.close()
    path = spool.path
    path.write_bytes(path.read_bytes()[:-7])  # the crash came mid-write (never acknowledged)
    again = Spool.open(tmp_path, CODEC, 1 << 20)
    assert [item.inbound for item in again.pending()] == [message(1)]
    await again.append("c1", message(3))  # appends after the cut, readable
    again.close()
    third = Spool.open(tmp_path, CODEC, 1 << 20)
    assert [item.inbound for item in third.pending()] == [message(1), message(3)]
    third.close()


async def test_the_spool_is_bounded(tmp_path: Path) -> None:
    spool = Spool.open(tmp_path, CODEC, 2048)
    with pytest.raises(SpoolFull):
        for n in range(100):
            await spool.append("c1", message(n, "x" * 200))
    assert 0 < len(spool) < 100
    assert spool.path.stat().st_size <= 2048
    spool.close()


async def test_two_processes_never_share_a_file(tmp_path: Path) -> None:
    first = Spool.open(tmp_path, CODEC, 1 << 20)
    second = Spool.open(tmp_path, CODEC, 1 << 20)  # flock is per open file: like a process
    assert first.path != second.path
    await second.append("c2", message(1))
    second.close()
    third = Spool.open(tmp_path, CODEC, 1 << 20)  # a restarted process takes the free file
    assert third.path == second.path and len(third) == 1
    first.close()
    third.close()
