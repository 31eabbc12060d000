"""The port question always has its options: the port list comes from configuration, then
the store's last known copy, then the booking API, and asking a question never waits for it.

A table of where the list comes from (booking API up, down, empty; store copy or none), and a
registration over SMS with the booking API unreachable from start-up (nothing listens on its
port): every question is asked, the port question shows the ports, and the registration ends
"saved, will be sent"."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from support.app import Clock, make_settings
from support.live import free_port

from bot.booking.client import BookingUnavailable
from bot.booking.models import Port
from bot.messages import ChannelKind, Inbound
from bot.outbound import RecordingSender
from bot.ports import DEFAULT_PORTS, PORTS_REFERENCE, PortDirectory
from bot.services import open_services
from bot.store.memory import MemoryStore

API_PORTS = [
    Port(id="laredo", name="Laredo (API)", timezone="America/Chicago"),
    Port(id="nogales", name="Nogales (API)", timezone="America/Phoenix"),
]
KEPT = [Port(id="calexico", name="Calexico (kept)", timezone="America/Los_Angeles")]


class FakeClient:
    """Only `ports()`, as the booking client answers it: a list, an outage, or a hang."""

    def __init__(self, answer: list[Port] | None, *, hang: bool = False) -> None:
        self.answer = answer
        self.hang = hang
        self.calls = 0

    async def ports(self) -> list[Port]:
        self.calls += 1
        if self.hang:
            await asyncio.sleep(3600)
        if self.answer is None:
            raise BookingUnavailable("connection refused")
        return list(self.answer)


def _names(ports: list[Port]) -> dict[str, str]:
    return {port.id: port.name for port in ports}


@pytest.mark.parametrize(
    ("api", "kept", "expected", "source", "stored"),
    [
        # API up: its list is shown and kept for everyone.
        (API_PORTS, None, API_PORTS, "booking API", API_PORTS),
        (API_PORTS, KEPT, API_PORTS, "booking API", API_PORTS),
        # API down: the last known copy, else the configured ports; never an empty question.
        (None, KEPT, KEPT, "store", KEPT),
        (None, None, list(DEFAULT_PORTS), "configuration", None),
        # An empty answer does not empty the question.
        ([], KEPT, KEPT, "store", KEPT),
        ([], None, list(DEFAULT_PORTS), "configuration", None),
    ],
)
async def test_where_the_port_list_comes_from(
    api: list[Port] | None,
    kept: list[Port] | None,
    expected: list[Port],
    source: str,
    stored: list[Port] | None,
) -> None:
    store = MemoryStore()
    if kept is not None:
        await store.save_reference(
            PORTS_REFERENCE, json.dumps([p.model_dump() for p in kept]).encode()
        )
    directory = PortDirectory(FakeClient(api), store)  # type: ignore[arg-type]
    await directory.refresh()
    assert await directory.names() == _names(expected)
    assert directory.source == source
    record = await store.load_reference(PORTS_REFERENCE)
    shown = None if record is None else [Port.model_validate(p) for p in json.loads(record)]
    assert shown == stored


async def test_a_worker_without_a_booking_api_takes_the_kept_copy() -> None:
    store = MemoryStore()
    await store.save_reference(
        PORTS_REFERENCE, json.dumps([p.model_dump() for p in KEPT]).encode()
    )
    directory = PortDirectory(None, store)
    assert await directory.names() == _names(list(DEFAULT_PORTS))  # before any refresh
    await directory.refresh()
    assert await directory.names() == _names(KEPT)


async def test_asking_the_question_never_waits_for_the_booking_api() -> None:
    client = FakeClient(API_PORTS, hang=True)
    directory = PortDirectory(client, MemoryStore())  # type: ignore[arg-type]
    try:
        names = await asyncio.wait_for(directory.names(), timeout=0.5)
        assert names == _names(list(DEFAULT_PORTS))
        await asyncio.sleep(0)
        assert client.calls == 1  # the refresh runs in the background, one at a time
        await directory.names()
        assert client.calls == 1
    finally:
        await directory.close()


async def test_a_failed_refresh_is_tried_again_later_not_at_every_question() -> None:
    now = [0.0]
    client = FakeClient(None)
    directory = PortDirectory(
        client,  # type: ignore[arg-type]
        MemoryStore(),
        retry_after_seconds=30,
        monotonic=lambda: now[0],
    )
    await directory.refresh()
    for _ in range(5):
        await directory.names()
        await asyncio.sleep(0)
    assert client.calls == 1
    now[0] = 31.0
    client.answer = API_PORTS
    await directory.names()
    await asyncio.sleep(0)
    assert client.calls == 2
    assert await directory.names() == _names(API_PORTS)


#: Consent, language, menu "register", name, date of birth, nationality, port, no family.
REGISTER = ["hola", "1", "1", "1", "Persona Prueba", "14/02/1990", "honduras"]


async def test_registration_with_the_booking_api_down_from_start_up(
    tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(
        booking_api_url=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        booking_timeout_seconds=0.5,
        booking_retries=0,
    )
    async with open_services(
        settings, clock=clock, sender=RecordingSender(), background=False, data_dir=tmp_path
    ) as services:
        assert services.conversations.ports.source == "configuration"
        sent = 0

        async def say(text: str) -> str:
            nonlocal sent
            sent += 1
            handled = await services.conversations.handle(
                Inbound(
                    message_id=f"SMportsdown{sent:03d}",
                    sender="+5215550001111",
                    channel=ChannelKind.SMS,
                    text=text,
                    received_at=clock(),
                )
            )
            return "\n".join(reply.text for reply in handled.replies)

        for text in REGISTER[:-1]:
            await say(text)
        question = await say(REGISTER[-1])  # the port question
        assert all(port.name in question for port in DEFAULT_PORTS), question
        assert "familia" in await say("Laredo")  # understood: on to the next question
        summary = await say("2")  # no family
        assert "Laredo" in summary and "Honduras" in summary
        saved = await say("1")
        assert "guardado" in saved and "se enviará solo" in saved, saved
        assert await services.store.outbox()


async def test_start_up_does_not_wait_for_a_remote_booking_api_that_hangs(
    tmp_path: Path, clock: Clock
) -> None:
    """A booking API that takes connections and never answers: the services are up long
    before its timeout (readiness is the store's, issue 16), and the port question is asked
    with the configured ports meanwhile."""
    import socket
    import time

    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", 0))
        hanging.listen(16)  # accepted by the kernel, never answered
        settings = make_settings(
            booking_api_url=f"http://127.0.0.1:{hanging.getsockname()[1]}",
            booking_timeout_seconds=20.0,
            booking_retries=2,
        )
        started = time.monotonic()
        async with open_services(
            settings, clock=clock, sender=RecordingSender(), background=False, data_dir=tmp_path
        ) as services:
            assert time.monotonic() - started < 15  # not the 20 s the first call can take
            assert await services.conversations.ports.names() == _names(list(DEFAULT_PORTS))
