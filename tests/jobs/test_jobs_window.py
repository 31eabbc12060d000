"""The WhatsApp 24-hour window: inside it free text; outside it the approved template of that
purpose and language; with no template, SMS to the same number if the person agreed to SMS;
otherwise nothing (logged). Every request goes through Prism."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from jobs_support import APPOINTMENT, add_contact, worker_services
from support.app import Clock
from support.prism import SMS_FROM, WHATSAPP_FROM, CountingTwilio

from bot.jobs.models import NotifyJob
from bot.messages import ChannelKind

PHONE = "+50370001111"
TEMPLATE = "HX" + "0a" * 16
TEMPLATES = {"allocated": {"es": TEMPLATE}}


@pytest.mark.parametrize(
    ("label", "ago", "templates", "sms_ok", "expected"),
    [
        ("inside the window: free text", 2, {}, False, "whatsapp text"),
        ("outside, template for es: template", 30, TEMPLATES, False, "whatsapp template"),
        ("outside, template for another language: SMS", 30,
         {"allocated": {"pt": TEMPLATE}}, True, "sms"),
        ("outside, no template, SMS agreed: SMS", 30, {}, True, "sms"),
        ("outside, no template, no SMS: nothing", 30, {}, False, "nothing"),
        ("never wrote on WhatsApp: template", None, TEMPLATES, False, "whatsapp template"),
    ],
)
async def test_whatsapp_window(
    label: str,
    ago: int | None,
    templates: dict[str, dict[str, str]],
    sms_ok: bool,
    expected: str,
    twilio: tuple[CountingTwilio, str],
    tmp_path: Path,
    clock: Clock,
    backend: str,
) -> None:
    counter, url = twilio
    services_cm = worker_services(
        url, tmp_path, clock, backend=backend, whatsapp_templates=templates
    )
    async with services_cm as services:
        key = await add_contact(
            services,
            PHONE,
            last_inbound_ago=None if ago is None else timedelta(hours=ago),
            sms_fallback=sms_ok,
        )
        assert services.worker is not None
        job = NotifyJob(job_id="evt-1", contact=key.digest, purpose="allocated", values=APPOINTMENT)
        await services.worker.notify(job)
        await services.outbound.queue.wait_idle()
    assert counter.refused == []
    if expected == "nothing":
        assert counter.sent == []
        return
    [sent] = counter.sent
    if expected == "sms":
        assert (sent.to, sent.form["From"]) == (PHONE, SMS_FROM)
        assert "Confirme antes del" in sent.body  # Spanish, transliterated for SMS
    else:
        assert (sent.to, sent.form["From"]) == (f"whatsapp:{PHONE}", f"whatsapp:{WHATSAPP_FROM}")
    if expected == "whatsapp text":
        assert "Buenas noticias" in sent.body and "Ana Lucía Reyes" in sent.body
        assert "1. Confirmar" in sent.body
    if expected == "whatsapp template":
        assert "Body" not in sent.form and sent.form["ContentSid"] == TEMPLATE
        variables = json.loads(sent.form["ContentVariables"])
        assert variables["1"] == "Laredo"  # the port by its name (configured ports)
        assert variables["3"] == "Ana Lucía Reyes"
        assert "30 de marzo de 2026" in variables["2"]


async def test_an_sms_contact_gets_sms(
    twilio: tuple[CountingTwilio, str], tmp_path: Path, clock: Clock, backend: str
) -> None:
    counter, url = twilio
    async with worker_services(url, tmp_path, clock, backend=backend) as services:
        key = await add_contact(services, PHONE, channel=ChannelKind.SMS, lang="ht")
        assert services.worker is not None
        await services.worker.notify(
            NotifyJob(job_id="evt-2", contact=key.digest, purpose="not_selected",
                      values={"request_date": "2026-03-13"})
        )
        await services.outbound.queue.wait_idle()
    [sent] = counter.sent
    assert (sent.to, sent.form["From"]) == (PHONE, SMS_FROM)
    assert sent.body.startswith("Yo pa t chwazi demann ou te fè 13 mas 2026")
