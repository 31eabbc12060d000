"""A person registered by shelter staff, in their own conversation."""

from __future__ import annotations

from bot.engine.session import Session
from bot.staff.repository import HouseholdView

#: The booking API's contact_ref of a household registered by staff (never a phone digest).
HOUSEHOLD_REF_PREFIX = "hh-"


def adopt(session: Session, household: HouseholdView) -> None:
    """Give a conversation the registration staff made for this phone's person: their
    answers, consent, registration and the booking API's reference; they are at the menu."""
    primary = household.primary
    session.lang = session.lang or household.lang
    session.consented_at = session.consented_at or household.consent_at
    session.registration_id = household.registration_id
    session.contact_ref = household.contact_ref
    session.slots.update(
        {
            "language": session.lang,
            "full_name": primary.full_name,
            "birth_date": primary.birth_date,
            "nationality": primary.nationality,
            "port": household.port,
            "members": [
                {
                    "full_name": m.full_name,
                    "birth_date": m.birth_date,
                    "nationality": m.nationality,
                    "relationship": m.relationship or "other",
                }
                for m in household.members
            ],
        }
    )
    session.flow, session.step = "menu", "choose"
