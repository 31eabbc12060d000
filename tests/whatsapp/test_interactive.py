"""WhatsApp buttons and lists, end to end over the real webhook, the outbound queue and Prism
on both Twilio specs: "hola" on WhatsApp gets the language list as a list-picker; a tap
(ButtonPayload) moves the conversation exactly as typing its number; SMS is unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from support.prism import ACCOUNT_SID, AUTH_TOKEN, CountingTwilio
from whatsapp_support import ContentProxy, inbound_form, signed_post, twilio_settings

from bot.channels.twilio import twiml
from bot.channels.twilio.content import ContentClient, ContentRecord, registry_for, sync
from bot.channels.twilio.derive import all_specs
from bot.channels.twilio.interactive import LIST_PICKER, QUICK_REPLY
from bot.services import Services

TAPPER = "+50937110001"
TYPIST = "+50937110002"
TEXTER = "+50937110003"
MENU_AFTER_HOLA = (
    "1. Español\n2. Kreyòl ayisyen\n3. Português\n4. English\n5. K'iche'\n6. Mam\n7. Q'anjob'al"
)
#: SMS spells Portuguese in GSM-7 (bot/sms.py), as it always did.
SMS_MENU_AFTER_HOLA = MENU_AFTER_HOLA.replace("Português", "Portugues")


async def _sync(services: Services, content_url: str) -> None:
    client = ContentClient(ACCOUNT_SID, AUTH_TOKEN, content_url)
    try:
        rows = await sync(
            all_specs(services.conversations.engine), client,
            registry_for(services.conversations.store),
        )
    finally:
        await client.close()
    assert rows and all(r.change == "created" for r in rows)


async def _record(services: Services, sid: str) -> ContentRecord:
    records = await registry_for(services.conversations.store).all()
    return next(r for r in records.values() if r.sid == sid)


def _sent_to(counter: CountingTwilio, phone: str) -> list[dict[str, str]]:
    with counter.lock:
        return [s.form for s in counter.sent if s.to == f"whatsapp:{phone}"]


def test_hola_gets_a_list_picker_and_a_tap_moves_like_typing_the_number(
    running_app: Callable[..., Any],
    twilio: tuple[CountingTwilio, str],
    content: tuple[ContentProxy, str],
) -> None:
    counter, messages_url = twilio
    _, content_url = content
    with running_app(**twilio_settings(messages_url, content_url)) as client:
        services: Services = client.app.state.services
        client.portal.call(_sync, services, content_url)

        def post(phone: str, body: str, sid: str, **extra: str) -> Any:
            response = signed_post(client, inbound_form(phone, body, sid, extra=extra))
            assert response.status_code == 200, response.text
            client.portal.call(services.outbound.queue.wait_idle)
            return response

        first = post(TAPPER, "hola", "SMtap1")
        assert first.text == twiml.EMPTY  # the answer went by REST
        [sent] = _sent_to(counter, TAPPER)
        assert "Body" not in sent
        record = client.portal.call(_record, services, sent["ContentSid"])
        assert (record.kind, record.lang) == (LIST_PICKER, "es")
        variables = json.loads(sent["ContentVariables"])
        assert "¿Seguimos en Español?" in variables["1"]
        assert "1. Español" not in variables["1"]  # the items are the list, not text

        # A retried webhook (same MessageSid) gets the same answer: sent once.
        assert post(TAPPER, "hola", "SMtap1").text == twiml.EMPTY
        assert len(_sent_to(counter, TAPPER)) == 1

        # One person taps "Português" in the list, the other types its number.
        post(TAPPER, "Português", "SMtap2", ButtonText="Português", ButtonPayload="pt",
             MessageType="interactive")
        post(TYPIST, "hola", "SMtype1")
        post(TYPIST, "3", "SMtype2")
        tapped, typed = _sent_to(counter, TAPPER)[-1], _sent_to(counter, TYPIST)[-1]
        assert tapped["ContentSid"] == typed["ContentSid"]
        assert tapped["ContentVariables"] == typed["ContentVariables"]
        assert "Privacidade" in json.loads(tapped["ContentVariables"])["1"]
        next_kind = client.portal.call(_record, services, tapped["ContentSid"])
        assert next_kind.kind == QUICK_REPLY and next_kind.lang == "pt"

        def position(phone: str) -> tuple[Any, ...]:
            key = services.conversations.key_for(phone)
            session = client.portal.call(services.store.load, key)
            assert session is not None
            return session.flow, session.step, session.lang, session.slots.get("language")

        assert position(TAPPER) == position(TYPIST) == (*position(TYPIST)[:2], "pt", "pt")

        # SMS: numbered text in TwiML, as before, nothing by REST.
        sms = signed_post(client, inbound_form(TEXTER, "hola", "SMsms1", whatsapp=False))
        assert SMS_MENU_AFTER_HOLA in sms.text
        assert counter.count(TEXTER) == 0


def test_without_synced_contents_whatsapp_keeps_numbered_text(
    running_app: Callable[..., Any],
    twilio: tuple[CountingTwilio, str],
    content: tuple[ContentProxy, str],
) -> None:
    counter, messages_url = twilio
    _, content_url = content
    with running_app(**twilio_settings(messages_url, content_url)) as client:
        response = signed_post(client, inbound_form(TAPPER, "hola", "SMplain1"))
    assert MENU_AFTER_HOLA in response.text
    assert counter.count() == 0


def test_a_refused_content_goes_once_as_numbered_text(
    running_app: Callable[..., Any],
    twilio: tuple[CountingTwilio, str],
    content: tuple[ContentProxy, str],
) -> None:
    counter, messages_url = twilio
    _, content_url = content
    with running_app(**twilio_settings(messages_url, content_url)) as client:
        services: Services = client.app.state.services
        client.portal.call(_sync, services, content_url)
        counter.fail_next.append((400, 63021))  # "invalid content": after Prism validated it
        response = signed_post(client, inbound_form(TAPPER, "hola", "SMrefused1"))
        client.portal.call(services.outbound.queue.wait_idle)
    assert response.text == twiml.EMPTY
    [sent] = _sent_to(counter, TAPPER)
    assert "ContentSid" not in sent
    assert "¿Seguimos en Español?" in sent["Body"] and MENU_AFTER_HOLA in sent["Body"]
