"""The staff database on SQLite and PostgreSQL: personal fields are encrypted at rest, phone
numbers appear only as digests, codes only as keyed hashes, and forgetting a contact erases
their handoffs, households and staff link (audit entries keep no personal data)."""

from __future__ import annotations

from conftest import link_staff, random_phone
from sqlalchemy import text

from bot.services import Services
from bot.staff.repository import PersonView


async def test_personal_fields_are_encrypted_at_rest(services: Services) -> None:
    assert services.staff is not None
    staff_phone, applicant_phone = random_phone(), random_phone()
    staff = link_staff(services, "Casa del Migrante", staff_phone)
    repo, now = services.staff.repo, services.staff.clock()
    household = repo.add_household(
        shelter_id=staff.shelter_id,
        staff_id=staff.id,
        primary=PersonView("Yolanda Quispe Mamani", "1984-07-21", "PE"),
        members=[],
        port="brownsville",
        lang="es",
        applicant_phone=applicant_phone,
        applicant_digest=services.staff.digest(applicant_phone),
        now=now,
    )
    handoff, _ = repo.open_handoff(
        contact_digest=services.staff.digest(applicant_phone),
        phone=applicant_phone,
        channel="sms",
        lang="es",
        interpreter_needed=False,
        now=now,
    )
    repo.add_handoff_message(handoff.id, "in", "Tengo miedo de perder la cita", now)
    dump = b""
    with repo.engine.connect() as connection:
        for table in ("households", "staff_members", "handoffs", "handoff_messages", "audit_log"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                dump += repr(tuple(row)).encode()
    for secret in ("Yolanda", "1984-07-21", applicant_phone, staff_phone[1:], "miedo"):
        assert secret.encode() not in dump, secret
    assert repo.household(staff.shelter_id, household.id) == household  # and it reads back


async def test_forgetting_a_contact_erases_their_rows(services: Services) -> None:
    assert services.staff is not None
    repo, now = services.staff.repo, services.staff.clock()
    phone = random_phone()
    digest = services.staff.digest(phone)
    staff = link_staff(services, "Casa del Migrante", phone)
    repo.add_household(
        shelter_id=staff.shelter_id,
        staff_id=staff.id,
        primary=PersonView("Ana Lucía Reyes", "1990-08-22", "HN"),
        members=[],
        port="brownsville",
        lang="es",
        applicant_phone=phone,
        applicant_digest=digest,
        now=now,
    )
    repo.open_handoff(
        contact_digest=digest,
        phone=phone,
        channel="sms",
        lang="es",
        interpreter_needed=False,
        now=now,
    )
    await services.staff.forget_contact(digest)
    assert repo.staff_by_digest(digest) is None
    assert repo.open_handoff_of(digest) is None
    assert repo.households(staff.shelter_id) == []
    assert any(e.action == "contact_forgotten" for e in repo.audit_entries())


async def test_results_go_to_the_applicant_or_else_to_the_staff_phone(services: Services) -> None:
    assert services.staff is not None
    repo, now = services.staff.repo, services.staff.clock()
    staff_phone, applicant = random_phone(), random_phone("+50937")
    staff = link_staff(services, "Casa del Migrante", staff_phone)
    refs = []
    for phone in (applicant, None):
        household = repo.add_household(
            shelter_id=staff.shelter_id,
            staff_id=staff.id,
            primary=PersonView("Jean Pierre", "1980-01-01", "HT"),
            members=[],
            port="brownsville",
            lang="ht",
            applicant_phone=phone,
            applicant_digest=services.staff.digest(phone) if phone else None,
            now=now,
        )
        refs.append(household.contact_ref)
    with_phone = repo.result_target(refs[0])
    without = repo.result_target(refs[1])
    assert with_phone is not None and with_phone.staff is None
    assert with_phone.household.applicant_phone == applicant
    assert without is not None and without.staff is not None
    assert without.staff.phone == staff_phone and without.staff.lang == "es"
    assert repo.result_target("hh-unknown") is None
    # The staff member goes (deletes their data): the shelter's inbox alone still hears it.
    repo.forget_contact(services.staff.digest(staff_phone))
    alone = repo.result_target(refs[1])
    assert alone is not None and alone.staff is None and not alone.to_family
