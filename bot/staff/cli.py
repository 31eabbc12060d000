"""`frontdoor staff`: the operator's side of staff accounts.

frontdoor staff invite --shelter NAME --phone NUMBER   one-time code (expiring) to link a phone
frontdoor staff audit [--shelter NAME] [--limit N]      who did what, when, for which household
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.contacts import InvalidSender, contact_key, normalize_phone
from bot.settings import Settings
from bot.staff.crypto import FieldCipher
from bot.staff.db import default_url, make_engine
from bot.staff.migrations import upgrade
from bot.staff.repository import StaffRepository
from bot.staff.service import new_code


def open_repository(settings: Settings, data_dir: Path) -> StaffRepository:
    engine = make_engine(settings.database_url or default_url(data_dir), settings.database_schema)
    upgrade(engine)
    return StaffRepository(engine, FieldCipher(settings.secret_key.get_secret_value()))


def invite(
    repo: StaffRepository, settings: Settings, shelter: str, phone: str, now: datetime
) -> tuple[str, datetime]:
    """A one-time code that links `phone` (only that phone) as staff of `shelter`."""
    expires = now + timedelta(hours=settings.staff_invite_hours)
    shelter_id = repo.ensure_shelter(shelter, now)
    digest = contact_key(settings.secret_key.get_secret_value(), phone).digest
    code = new_code()
    cipher = FieldCipher(settings.secret_key.get_secret_value())
    invite_id = repo.create_invite(
        shelter_id, digest, cipher.code_digest("invite", code), now, expires
    )
    repo.audit(now, "invite_created", shelter_id=shelter_id, detail=f"invite {invite_id}")
    return code, expires


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frontdoor staff",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".frontdoor"),
        help="where the SQLite staff database lives (no FRONTDOOR_DATABASE_URL)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    inv = sub.add_parser("invite", help="print a one-time code that links a phone as staff")
    inv.add_argument("--shelter", required=True, help="shelter name (created if new)")
    inv.add_argument("--phone", required=True, help="the staff member's phone, E.164 (+52...)")
    audit = sub.add_parser("audit", help="show the audit log")
    audit.add_argument("--shelter", help="only this shelter")
    audit.add_argument("--limit", type=int, default=200)
    return parser


def run(argv: Sequence[str], settings: Settings | None = None) -> int:
    args = build_parser().parse_args(list(argv))
    settings = settings or Settings()
    repo = open_repository(settings, args.data_dir)
    try:
        now = datetime.now(UTC)
        if args.command == "invite":
            try:
                if not args.phone.strip().startswith("+"):
                    raise InvalidSender("no country code")
                phone = normalize_phone(args.phone)
            except InvalidSender:
                print(
                    f"frontdoor staff: --phone {args.phone!r} is not an international number: "
                    "give it with + and the country code, for example +526641234567",
                    file=sys.stderr,
                )
                return 2
            code, expires = invite(repo, settings, args.shelter, phone, now)
            print(f"Invite code for {args.shelter}: {code}")
            print(f"Send it from that phone to the bot before {expires:%Y-%m-%d %H:%M} UTC.")
            return 0
        shelter_id = None
        if args.shelter:
            ids = {name: sid for sid, name in repo.shelter_names().items()}
            if args.shelter not in ids:
                print(f"frontdoor staff: no shelter named {args.shelter!r}", file=sys.stderr)
                return 2
            shelter_id = ids[args.shelter]
        for entry in repo.audit_entries(shelter_id, args.limit):
            print(
                f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.shelter or '-':<20}  "
                f"staff {entry.staff_id if entry.staff_id is not None else '-':<4}  "
                f"household {entry.household_id or '-':<36}  {entry.action:<28}  {entry.detail}"
            )
        return 0
    finally:
        repo.engine.dispose()
