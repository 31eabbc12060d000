"""STOP and its equivalents in every language stop all proactive messages (reminders and
notices) until the person writes again or sends an opt-in word; HELP words answer with help.
Reminders are sent to Twilio through Prism, so "stopped" means nothing reached Twilio."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from jobs_support import APPOINTMENT, add_contact, worker_services
from support.app import Clock
from support.prism import CountingTwilio

from bot.jobs.models import NotifyJob
from bot.messages import ChannelKind, Inbound
from bot.services import Services

PHONE = "+50960001111"


class Phone:
    def __init__(self, services: Services, clock: Clock, channel: ChannelKind) -> None:
        self.services, self.clock, self.channel, self.n = services, clock, channel, 0

    async def say(self, text: str) -> str:
        self.n += 1
        handled = await self.services.conversations.handle(
            Inbound(f"SMopt{self.n:04d}", PHONE, self.channel, text, self.clock())
        )
        return "\n".join(r.text for r in handled.replies)


async def _remind(services: Services, day: int) -> None:
    """One day's reminders: the daily one, and a confirmation reminder from the booking API."""
    worker = services.worker
    assert worker is not None
    await worker.daily_reminders_once()
    contact = services.conversations.key_for(PHONE).digest
    await services.outbound.queue.notify(
        NotifyJob(job_id=f"evt-r{day}", contact=contact, purpose="confirm_reminder",
                  values=APPOINTMENT)
    )
    await services.outbound.queue.wait_idle()


@pytest.mark.parametrize(
    ("lang", "stop", "start", "stopped_reply", "started_reply"),
    [
        ("es", "ALTO", "COMENZAR", "Ya no le enviaré recordatorios", "están activos otra vez"),
        ("ht", "KANPE", "Kòmanse", "M p ap voye rapèl", "aktive ankò"),
        ("pt", "Pare", "COMEÇAR", "Não vou mais enviar lembretes", "estão ativos de novo"),
        ("en", "STOP", "START", "You will get no more reminders", "on again"),
    ],
)
async def test_stop_stops_reminders_and_start_resumes(
    lang: str,
    stop: str,
    start: str,
    stopped_reply: str,
    started_reply: str,
    twilio: tuple[CountingTwilio, str],
    tmp_path: Path,
    clock: Clock,
    backend: str,
) -> None:
    counter, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        # SMS agreed: a day after the last message WhatsApp's window is closed.
        key = await add_contact(
            services, PHONE, lang=lang, daily_reminder=True, sms_fallback=True
        )
        await services.outbound.ledger.set_daily_reminder(key.digest, True)
        phone = Phone(services, clock, ChannelKind.WHATSAPP)

        await _remind(services, 1)
        assert counter.count() == 2  # the daily reminder and the confirmation reminder

        assert stopped_reply in await phone.say(stop)
        clock.now += timedelta(days=1)
        await _remind(services, 2)
        assert counter.count() == 2, "nothing proactive after STOP"

        assert started_reply in await phone.say(start)
        clock.now += timedelta(days=1)
        await _remind(services, 3)
        assert counter.count() == 4
    assert counter.refused == []


async def test_writing_again_also_resumes(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        key = await add_contact(services, PHONE, lang="es", daily_reminder=True)
        await services.outbound.ledger.set_daily_reminder(key.digest, True)
        phone = Phone(services, clock, ChannelKind.SMS)
        await phone.say("PARA")
        await _remind(services, 1)
        assert counter.count() == 0
        await phone.say("menu")
        clock.now += timedelta(days=1)
        await _remind(services, 2)
        assert counter.count() == 2


async def test_writing_again_says_notices_are_on_again(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    """Resuming by writing is never silent: the person is told, then answered."""
    _, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        await add_contact(services, PHONE, lang="es")
        phone = Phone(services, clock, ChannelKind.SMS)
        await phone.say("ALTO")
        reply = await phone.say("menu")
        assert reply.startswith("Los recordatorios y avisos están activos otra vez.")
        assert "¿Qué quiere hacer?" in reply
        assert "activos otra vez" not in await phone.say("menu")  # said once


@pytest.mark.parametrize(
    ("word", "channel"),
    [("cancelar", ChannelKind.SMS), ("Cancelar", ChannelKind.WHATSAPP),
     ("ANULAR", ChannelKind.SMS), ("cancel", ChannelKind.WHATSAPP)],
)
async def test_cancelar_asks_what_to_cancel_and_keeps_notices(
    word: str, channel: ChannelKind, twilio: tuple[CountingTwilio, str], tmp_path: Path,
    clock: Clock, backend: str,
) -> None:
    counter, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        key = await add_contact(
            services, PHONE, lang="es", daily_reminder=True, sms_fallback=True
        )
        await services.outbound.ledger.set_daily_reminder(key.digest, True)
        phone = Phone(services, clock, channel)
        reply = await phone.say(word)
        assert reply.startswith("¿Qué quiere cancelar?") and "Ya no le enviaré" not in reply
        assert "¿Qué quiere hacer?" in await phone.say("3")  # nothing: back to the menu
        await _remind(services, 1)
        assert counter.count() == 2, "notices still on"


async def test_cancel_menu_can_stop_notices(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        key = await add_contact(
            services, PHONE, lang="es", daily_reminder=True, sms_fallback=True
        )
        await services.outbound.ledger.set_daily_reminder(key.digest, True)
        phone = Phone(services, clock, ChannelKind.SMS)
        await phone.say("cancelar")
        assert "Ya no le enviaré recordatorios" in await phone.say("2")
        await _remind(services, 1)
        assert counter.count() == 0, "chosen on purpose: nothing proactive"


async def test_english_cancel_on_sms_is_the_carriers_opt_out(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    """Twilio's carrier keyword CANCEL has already stopped our SMS: the bot says so."""
    counter, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        key = await add_contact(services, PHONE, lang="en", daily_reminder=True)
        await services.outbound.ledger.set_daily_reminder(key.digest, True)
        phone = Phone(services, clock, ChannelKind.SMS)
        assert "You will get no more reminders" in await phone.say("CANCEL")
        await _remind(services, 1)
        assert counter.count() == 0


async def test_stop_keeps_the_conversation_where_it_was(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    _, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        await add_contact(services, PHONE, lang="es")
        phone = Phone(services, clock, ChannelKind.SMS)
        await phone.say("alto")
        # The menu question is still open: "3" is "My status".
        session = await services.conversations.store.load(services.conversations.key_for(PHONE))
        assert session is not None and (session.flow, session.step) == ("menu", "choose")
        assert session.opted_out_at is not None


@pytest.mark.parametrize(
    ("lang", "word", "expected"),
    [
        ("es", "AYUDA", "Soy el asistente de citas"),
        ("ht", "ÈD", "Mwen se asistan randevou a"),
        ("pt", "AJUDA", "Sou o assistente de agendamento"),
        ("en", "HELP", "I am the appointment assistant"),
    ],
)
async def test_help_words_answer_with_help(
    lang: str, word: str, expected: str, twilio: tuple[CountingTwilio, str], tmp_path: Path,
    clock: Clock, backend: str,
) -> None:
    _, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        await add_contact(services, PHONE, lang=lang)
        reply = await Phone(services, clock, ChannelKind.SMS).say(word)
    assert expected in reply


async def test_not_selected_offers_the_daily_reminder_once(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        key = await add_contact(services, PHONE, lang="es")
        assert services.worker is not None

        async def not_selected(job_id: str) -> str:
            await services.worker.notify(  # type: ignore[union-attr]
                NotifyJob(job_id=job_id, contact=key.digest, purpose="not_selected",
                          values={"request_date": "2026-03-13"})
            )
            await services.outbound.queue.wait_idle()
            return counter.sent[-1].body

        assert "¿Quiere un mensaje aquí cada día" in await not_selected("evt-ns1")
        phone = Phone(services, clock, ChannelKind.WHATSAPP)
        assert "mensaje de texto" in await phone.say("1")  # yes; on WhatsApp: SMS too?
        assert "Guardado" in await phone.say("1")
        ledger = services.outbound.ledger
        assert await ledger.daily_reminder_contacts() == [key.digest]
        # Answered once: the next notice does not ask again.
        assert "cada día" not in await not_selected("evt-ns2")
