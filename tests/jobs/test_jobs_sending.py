"""Sending through the queue to Prism: retries with backoff on transient errors, none on
permanent ones, SMS fallback when WhatsApp refuses (at once or in a status callback), status
callbacks recorded, long messages split and sent in order, a message run twice sent once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from jobs_support import add_contact, twilio_settings, worker_services
from support.app import Clock
from support.prism import AUTH_TOKEN, SMS_FROM, CountingTwilio
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.jobs.models import NotifyJob, Parcel, Part, SendJob
from bot.jobs.sending import seal_parcel
from bot.messages import ChannelKind
from bot.services import Services

PHONE = "+5215512349999"


def _job(services: Services, job_id: str, bodies: list[str], *, channel: ChannelKind,
         contact: str, sms: list[str] | None = None) -> SendJob:
    parcel = Parcel(phone=PHONE, parts=[Part(body=b) for b in bodies], sms_fallback=sms)
    return SendJob(
        job_id=job_id,
        contact=contact,
        channel=channel,
        sealed=seal_parcel(services.outbound.codec, parcel),
    )


async def _run(services: Services, job: SendJob) -> None:
    await services.outbound.queue.send(job)
    await services.outbound.queue.wait_idle()


async def test_transient_errors_are_retried_then_sent_once(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    counter.fail_next += [(503, 20500), (429, 20429)]
    services_cm = worker_services(url, tmp_path, clock, backend=backend, sms_rate_per_second=100)
    async with services_cm as services:
        await _run(services, _job(services, "j1", ["Hola"], channel=ChannelKind.SMS, contact="c1"))
        state = await services.outbound.ledger.send_state("j1#0")
    assert counter.bodies(PHONE) == ["Hola"]
    assert state is not None and state.state == "sent" and state.sid == counter.sent[0].sid


async def test_permanent_errors_are_not_retried(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    counter.fail_next += [(400, 30003)]
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        await _run(services, _job(services, "j2", ["Hola"], channel=ChannelKind.SMS, contact="c2"))
        state = await services.outbound.ledger.send_state("j2#0")
    assert counter.sent == []
    assert state is not None and (state.state, state.error) == ("failed", "30003")


async def test_carrier_stop_stops_proactive_messages(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    counter.fail_next += [(400, 21610)]
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        await _run(services, _job(services, "j3", ["Uno"], channel=ChannelKind.SMS, contact="c3"))
        assert await services.outbound.ledger.is_opted_out("c3")
        await _run(services, _job(services, "j4", ["Dos"], channel=ChannelKind.SMS, contact="c3"))
        state = await services.outbound.ledger.send_state("j4#0")
    assert counter.sent == []
    assert state is not None and state.state == "suppressed"


async def test_whatsapp_refusal_at_once_falls_back_to_sms(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    counter.fail_next += [(400, 63016)]
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        job = _job(services, "j5", ["Olá 👍"], channel=ChannelKind.WHATSAPP, contact="c5",
                   sms=["Ola"])
        await _run(services, job)
    [sent] = counter.sent
    assert (sent.to, sent.form["From"], sent.body) == (PHONE, SMS_FROM, "Ola")


async def test_a_long_message_is_sent_in_parts_in_order(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    services_cm = worker_services(url, tmp_path, clock, backend=backend, sms_rate_per_second=50)
    async with services_cm as services:
        parts = [f"parte {i} " + "x" * 1500 for i in range(3)]
        await _run(services, _job(services, "j6", parts, channel=ChannelKind.SMS, contact="c6"))
        # The same job again (a duplicate on the queue): nothing more is sent.
        await _run(services, _job(services, "j6", parts, channel=ChannelKind.SMS, contact="c6"))
    assert counter.bodies(PHONE) == parts
    assert counter.refused == []


async def test_a_long_notification_is_split_never_refused(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    """A notice with a very long name goes out in messages of at most 1,600 characters."""
    counter, url = twilio
    services_cm = worker_services(url, tmp_path, clock, backend=backend, sms_rate_per_second=50)
    async with services_cm as services:
        key = await add_contact(services, PHONE, channel=ChannelKind.SMS, full_name="Ana " * 500)
        assert services.worker is not None
        await services.worker.notify(
            NotifyJob(job_id="evt-long", contact=key.digest, purpose="appointment_reminder",
                      values={"appointment_port": "laredo",
                              "appointment_at": "2026-03-30T09:00:00-05:00"})
        )
        await services.outbound.queue.wait_idle()
    bodies = counter.bodies(PHONE)
    assert len(bodies) == 2 and all(len(b) <= 1600 for b in bodies)
    assert bodies[0].startswith("Recordatorio")
    assert counter.refused == []


def _callback(client: TestClient, form: dict[str, str]) -> int:
    """A status callback signed as Twilio signs it (the app checks X-Twilio-Signature)."""
    url = "http://testserver/twilio/status"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    response = client.post(url, data=form, headers={"X-Twilio-Signature": signature})
    return int(response.status_code)


def test_status_callbacks_are_recorded_and_63016_sends_the_sms_version(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    """Through the real `/twilio/status` route of a running app (embedded defaults)."""
    from support.app import make_settings

    counter, url = twilio
    app = create_app(make_settings(**twilio_settings(url)), clock=clock, data_dir=tmp_path)
    with TestClient(app) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        portal = client.portal
        assert portal is not None
        job = _job(services, "j7", ["Su cita 👍"], channel=ChannelKind.WHATSAPP, contact="c7",
                   sms=["Su cita"])
        portal.call(_run, services, job)
        [whatsapp] = counter.sent
        for status in ("sent", "delivered", "read"):
            form = {"MessageSid": whatsapp.sid, "MessageStatus": status}
            assert _callback(client, form) == 204
        record = portal.call(services.outbound.ledger.delivery, whatsapp.sid)
        assert record is not None
        assert [s for s, _, _ in record.history] == ["sent", "delivered", "read"]
        assert record.status == "read"

        job = _job(services, "j8", ["Otra 👍"], channel=ChannelKind.WHATSAPP, contact="c7",
                   sms=["Otra"])
        portal.call(_run, services, job)
        refused = counter.sent[-1]
        form = {"MessageSid": refused.sid, "MessageStatus": "failed", "ErrorCode": "63016"}
        for _ in range(2):  # Twilio may call twice: one fallback
            assert _callback(client, form) == 204
        portal.call(services.outbound.queue.wait_idle)
        record = portal.call(services.outbound.ledger.delivery, refused.sid)
    assert record is not None and (record.status, record.error_code) == ("failed", "63016")
    assert [(s.to, s.body) for s in counter.sent[2:]] == [(PHONE, "Otra")]
