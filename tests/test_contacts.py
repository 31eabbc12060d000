"""Sender numbers: the cached E.164 fast path gives what phonenumbers gives (the oracle)."""

from __future__ import annotations

import pytest

from bot.contacts import InvalidSender, canonical_e164, normalize_phone, slow_canonical_e164

#: Senders as Twilio sends them: SMS, WhatsApp, odd but real (Mexican mobiles as +521...),
#: numbers phonenumbers calls impossible or cannot place, and the longest E.164 allows.
SENDERS = [
    "+5216641234567", "whatsapp:+5216641234567", "+526641234567", "+50937123456",
    "whatsapp:+50937123456", "+5511987654321", "+15005550006", "+16195550100",
    "+50241234567", "+50371234567", "+50499887766", "+573001234567", "+584121234567",
    "+442071838750", "+4407700900123", "+390612345678", "+1 (619) 555-0100", "sms:+5215512345678",
    "+9991234567", "+1234567", "+123456789012345", "+86 138 0013 8000", "tel:+33612345678",
]  # fmt: skip


@pytest.mark.parametrize("raw", SENDERS)
def test_cached_form_is_phonenumbers_form(raw: str) -> None:
    number = normalize_phone(raw)
    assert number == slow_canonical_e164(number)
    # what the uncached path of before gave for the raw address
    digits = "+" + "".join(c for c in raw.split(":")[-1] if c.isdigit())
    assert number == slow_canonical_e164(digits)


def test_a_repeating_sender_skips_phonenumbers() -> None:
    canonical_e164.cache_clear()
    normalize_phone("+5216641234567")
    for _ in range(1000):
        normalize_phone("whatsapp:+5216641234567")
    assert canonical_e164.cache_info().hits >= 1000


@pytest.mark.parametrize("raw", ["", "hola", "+0123456789", "+12", "whatsapp:", "+1" + "2" * 15])
def test_what_is_not_e164_is_refused(raw: str) -> None:
    with pytest.raises(InvalidSender):
        normalize_phone(raw)
