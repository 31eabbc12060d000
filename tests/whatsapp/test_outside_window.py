"""A notice to a WhatsApp contact whose 24-hour window has closed is never silently lost: it
goes as the approved template (from `frontdoor whatsapp sync`), or by SMS with the consent
asked at registration, or it waits for the person's next message, is the first thing they
read then, and is marked "held" (not delivered) meanwhile. Prism serves both Twilio specs."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from support.app import Clock
from support.prism import ACCOUNT_SID, AUTH_TOKEN, SMS_FROM, CountingTwilio
from whatsapp_support import ContentProxy, inbound_form, signed_post, twilio_settings

from bot.channels.twilio.content import ContentClient, registry_for, sync
from bot.channels.twilio.derive import template_specs
from bot.contacts import ContactKey
from bot.engine.session import Session
from bot.jobs.models import NotifyJob
from bot.messages import ChannelKind
from bot.services import Services

PHONE = "+50370002222"
APPOINTMENT = {
    "appointment_port": "laredo",
    "appointment_at": "2026-03-30T09:00:00-05:00",
    "confirm_by": "2026-03-16T10:00:00-05:00",
}


async def _sync_templates(services: Services, content_url: str) -> None:
    client = ContentClient(ACCOUNT_SID, AUTH_TOKEN, content_url)
    try:
        await sync(template_specs(services.conversations.engine, ("es",)), client,
                   registry_for(services.conversations.store))
    finally:
        await client.close()


async def _registered(services: Services, phone: str, hours_ago: float, sms: bool | None) -> str:
    slots: dict[str, Any] = {} if sms is None else {"sms_fallback": sms}
    conv = services.conversations
    key = conv.key_for(phone)
    now = conv.clock()
    session = Session(
        phone=phone, channel=ChannelKind.WHATSAPP, lang="es", contact_ref=key.digest,
        registration_id="reg_test", consented_at=now - timedelta(days=3), flow="menu",
        step="choose", slots={"language": "es", "full_name": "Ana Lucía Reyes", **slots},
        last_inbound_at=now - timedelta(hours=hours_ago),
    )
    await conv.store.save(key, session, timedelta(days=30))
    return key.digest


async def _notify(services: Services, job: NotifyJob) -> None:
    assert services.worker is not None
    await services.worker.notify(job)
    await services.outbound.queue.wait_idle()


def _allocated(contact: str, job_id: str = "evt-w1") -> NotifyJob:
    return NotifyJob(job_id=job_id, contact=contact, purpose="allocated", values=APPOINTMENT)


def test_outside_the_window_the_approved_template_is_sent(
    running_app: Callable[..., Any],
    twilio: tuple[CountingTwilio, str],
    content: tuple[ContentProxy, str],
) -> None:
    counter, messages_url = twilio
    _, content_url = content
    with running_app(**twilio_settings(messages_url, content_url)) as client:
        services: Services = client.app.state.services
        client.portal.call(_sync_templates, services, content_url)
        record = client.portal.call(registry_for(services.conversations.store).get,
                                    "notice.allocated", "es")
        assert record is not None and record.state == "approved"
        contact = client.portal.call(_registered, services, PHONE, 30, None)
        client.portal.call(_notify, services, _allocated(contact))
    [sent] = counter.sent
    assert sent.to == f"whatsapp:{PHONE}" and "Body" not in sent.form
    assert sent.form["ContentSid"] == record.sid
    variables = json.loads(sent.form["ContentVariables"])
    assert variables["1"] == "Laredo" and variables["3"] == "Ana Lucía Reyes"
    assert "30 de marzo de 2026" in variables["2"] and "16 de marzo" in variables["4"]
    assert record.names == ["appointment_port", "appointment_at", "household", "confirm_by"]


def test_a_template_not_approved_yet_is_not_used(
    running_app: Callable[..., Any],
    twilio: tuple[CountingTwilio, str],
    content: tuple[ContentProxy, str],
) -> None:
    counter, messages_url = twilio
    proxy, content_url = content
    proxy.default_approval = "pending"
    with running_app(**twilio_settings(messages_url, content_url)) as client:
        services: Services = client.app.state.services
        client.portal.call(_sync_templates, services, content_url)
        contact = client.portal.call(_registered, services, PHONE, 30, True)
        client.portal.call(_notify, services, _allocated(contact))
    [sent] = counter.sent
    assert (sent.to, sent.form["From"]) == (PHONE, SMS_FROM)  # the SMS agreed to instead


def test_sms_consent_is_asked_at_registration_and_used_outside_the_window(
    running_app: Callable[..., Any],
    twilio: tuple[CountingTwilio, str],
    content: tuple[ContentProxy, str],
    clock: Clock,
) -> None:
    counter, messages_url = twilio
    _, content_url = content
    with running_app(**twilio_settings(messages_url, content_url)) as client:
        services: Services = client.app.state.services
        turns = [
            ("hola", "¿Seguimos en Español?"),
            ("1", "Privacidad"),
            ("1", "¿Qué quiere hacer?"),
            ("1", "nombre completo"),
            ("Ana Lucía Reyes", "fecha de nacimiento"),
            ("12/05/1990", "nacionalidad"),
            ("Honduras", "puerto"),
            ("1", "familiares"),
            ("2", "Revise"),
            ("1", "mensaje de texto"),  # the SMS question, before registering
            ("1", "registro"),
        ]
        for n, (text, expected) in enumerate(turns):
            response = signed_post(client, inbound_form(PHONE, text, f"SMreg{n}"))
            assert expected.lower() in response.text.lower(), (text, response.text)
        key = services.conversations.key_for(PHONE)
        session = client.portal.call(services.store.load, key)
        assert session is not None and session.slots["sms_fallback"] is True
        assert session.registration_id
        clock.now += timedelta(hours=30)  # the window has closed; no template is synced
        client.portal.call(_notify, services, _allocated(key.digest))
    [sent] = counter.sent
    assert (sent.to, sent.form["From"]) == (PHONE, SMS_FROM)
    assert "Buenas noticias" in sent.body


def test_with_neither_the_notice_waits_and_is_read_first_at_the_next_message(
    running_app: Callable[..., Any],
    twilio: tuple[CountingTwilio, str],
    content: tuple[ContentProxy, str],
) -> None:
    counter, messages_url = twilio
    _, content_url = content
    with running_app(**twilio_settings(messages_url, content_url)) as client:
        services: Services = client.app.state.services
        contact = client.portal.call(_registered, services, PHONE, 30, False)
        client.portal.call(_notify, services, _allocated(contact))
        client.portal.call(_notify, services, _allocated(contact))  # the job runs again
        assert counter.sent == []
        ledger = services.outbound.ledger
        state = client.portal.call(ledger.send_state, "evt-w1#0")
        assert state is not None and state.state == "held"  # not delivered, and says so

        response = signed_post(client, inbound_form(PHONE, "hola", "SMback1"))
        text = response.text
        assert text.index("Buenas noticias") < text.index("¿Confirma esta cita?")
        assert text.count("Buenas noticias") == 1
        session = client.portal.call(services.store.load, ContactKey(contact))
        assert session is not None and (session.flow, session.step) == ("confirm", "ask")
        state = client.portal.call(ledger.send_state, "evt-w1#0")
        assert state is not None and state.state == "sent"
        # Delivered once: the next message is an ordinary turn.
        again = signed_post(client, inbound_form(PHONE, "hola", "SMback2"))
        assert "Buenas noticias" not in again.text
    assert counter.sent == []
