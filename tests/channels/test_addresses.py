"""Identity as an address (`channel:id`, keyed-hashed): phone channels keep today's keys."""

from __future__ import annotations

import pytest

from bot.contacts import Address, InvalidSender, address_key, contact_key

SECRET = "test-secret-key"


@pytest.mark.parametrize(
    "raw", ["whatsapp:+50937123456", "sms:+50937123456", "tel:+509 3712 3456", "voice:50937123456"]
)
def test_phone_addresses_are_one_person_with_the_key_stored_today(raw: str) -> None:
    address = Address.parse(raw)
    assert str(address) == "tel:+50937123456"
    assert address_key(SECRET, address) == contact_key(SECRET, "+50937123456")


def test_another_channel_has_its_own_keys_that_never_collide_with_phones() -> None:
    telegram = Address.parse("telegram:50937123456")
    assert str(telegram) == "telegram:50937123456"
    key = address_key(SECRET, telegram)
    assert key != contact_key(SECRET, "+50937123456")
    assert key != address_key(SECRET, Address.parse("signal:50937123456"))
    assert key == address_key(SECRET, Address("telegram", "50937123456"))
    assert key != address_key("another-secret", telegram)  # keyed: a dump cannot be reversed
    assert len(key.digest) == 32


@pytest.mark.parametrize("raw", ["", "+50937123456", "telegram:", ":123", "whatsapp:hello"])
def test_what_is_not_an_address_is_refused(raw: str) -> None:
    with pytest.raises(InvalidSender):
        Address.parse(raw)


def test_an_inbound_message_is_from_its_phone_address() -> None:
    from datetime import UTC, datetime

    from bot.messages import ChannelKind, Inbound

    inbound = Inbound("SM1", "+50937123456", ChannelKind.WHATSAPP, "hola", datetime.now(UTC))
    assert address_key(SECRET, inbound.address) == contact_key(SECRET, inbound.sender)
