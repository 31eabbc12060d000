"""Erase a contact in the booking API: every registration known by id, then whatever the API
still holds under each of the contact's references (its natural key), e.g. a registration whose
answer was lost in a timeout. A conversation that took a registration shelter staff made has
two: the household's `hh-...` and the contact key it registered under itself, if it did.
Raises `BookingError` when it could not be finished now."""

from __future__ import annotations

from collections.abc import Sequence

from bot.booking.client import BookingClient, BookingUnavailable

#: A "delete my data" whose booking part must wait: the registration ids still to erase
#: (a slot of the session being erased; bot/erasure.py keeps it after the session is gone).
BOOKING_PENDING_SLOT = "_erase_booking"
#: Registrations one contact could hold at most (the reference is a natural key: one; a
#: booking API that does not enforce it still gets every one erased, up to this many).
MAX_REGISTRATIONS = 20


async def erase_contact(
    booking: BookingClient, contact_refs: Sequence[str], registration_ids: Sequence[str], key: str
) -> None:
    for registration_id in registration_ids:
        await booking.delete_registration(registration_id, key=f"{key}-{registration_id}")
    for contact_ref in dict.fromkeys(r for r in contact_refs if r):
        await _erase_under(booking, contact_ref, key)


async def _erase_under(booking: BookingClient, contact_ref: str, key: str) -> None:
    for _ in range(MAX_REGISTRATIONS):
        found = await booking.find_registration(contact_ref)
        if found is None:
            return
        await booking.delete_registration(found.id, key=f"{key}-{found.id}")
    raise BookingUnavailable(f"more than {MAX_REGISTRATIONS} registrations: try again later")
