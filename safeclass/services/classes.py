"""Class groups: opening a class code and students joining with it."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeclass import permissions, throttle
from safeclass.db.models import Account, ClassGroup, Learner, Site
from safeclass.domain import LEVEL_FOR_SITE_TYPE, Level, SiteType
from safeclass.security import hash_pin, sign, verify_password
from safeclass.services import Refusal, ServiceError
from safeclass.services.rollups import bump

# No 0/O, 1/I/L: codes are read aloud and copied from a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
MAX_SEAT = 60  # the largest Korean class is well under 40; 60 leaves room for combined groups
PIN = re.compile(r"^\d{4}$")


def normalize_join_code(raw: str) -> str:
    """Upper-case the code and drop spaces and dashes, as students type it."""
    return re.sub(r"[\s-]", "", raw).upper()


def open_class(session: Session, *, opened_by: Account, campaign_id: str, label: str, level: Level, grade: int | None) -> ClassGroup:
    """Open a class at the opener's own site with a fresh join code."""
    permissions.require_site_staff(opened_by, opened_by.site_id, "open_class")
    label = label.strip()
    if not 1 <= len(label) <= 40:
        raise ServiceError("class_label_length")
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if session.scalar(select(ClassGroup.id).where(ClassGroup.join_code == code)) is None:
            break
    group = ClassGroup(
        site_id=opened_by.site_id,
        campaign_id=campaign_id,
        join_code=code,
        label=label,
        level=Level(level).value,
        grade=grade,
        created_by_id=opened_by.id,
    )
    session.add(group)
    session.flush()
    return group


@dataclass(frozen=True)
class PinCheck:
    """The slow part of a join, done before the write transaction: the PIN checked against the seat's hash as seen.

    bcrypt is slow on purpose; doing it inside the write transaction would hold SQLite's write lock (and a
    row lock on PostgreSQL) for every join of a whole school period. ``join_class`` trusts this result only
    if the seat's hash is still the one checked here.
    """

    learner_id: int | None
    seen_hash: str | None
    matches: bool
    new_hash: str


def _valid_input(join_code: str, seat_number: int, pin: str | None) -> tuple[str, str]:
    if not 1 <= seat_number <= MAX_SEAT:
        raise ServiceError("seat_out_of_range", max=MAX_SEAT)
    pin = (pin or "").strip()
    if not PIN.match(pin):
        raise ServiceError("pin_format")
    return normalize_join_code(join_code), pin


def check_pin(session: Session, *, join_code: str, seat_number: int, pin: str) -> PinCheck:
    """Read the seat and check (or hash) the PIN, in a read-only session; nothing is decided or counted here."""
    code, pin = _valid_input(join_code, seat_number, pin)
    learner = session.scalar(select(Learner).join(ClassGroup).where(ClassGroup.join_code == code, Learner.seat_number == seat_number))
    seen = learner.pin_hash if learner is not None else None
    return PinCheck(
        learner_id=learner.id if learner is not None else None,
        seen_hash=seen,
        matches=seen is not None and verify_password(pin, seen),
        new_hash=hash_pin(pin),
    )


def join_class(
    session: Session, *, join_code: str, seat_number: int, pin: str, client: str = "unknown", checked: PinCheck | None = None
) -> Learner:
    """Take a seat with a new PIN, or come back to it with the same PIN; wrong guesses are throttled.

    ``client`` is the browser's address: wrong codes and wrong PINs are limited per address as well as per
    seat, and a refused guess is still recorded (the caller's transaction commits on a ``Refusal``).
    ``checked`` is the PIN check made before this transaction (``check_pin``); without it the check runs here.
    """
    code, pin = _valid_input(join_code, seat_number, pin)
    throttle.check(session, "join_code", client)
    group = session.scalar(select(ClassGroup).where(ClassGroup.join_code == code, ClassGroup.closed_at.is_(None)))
    if group is None:
        throttle.record_failure(session, "join_code", client)
        raise Refusal("class_not_found", code=code)
    learner = session.scalar(select(Learner).where(Learner.class_group_id == group.id, Learner.seat_number == seat_number))
    if learner is None:
        new_hash = checked.new_hash if checked is not None else hash_pin(pin)
        learner = Learner(class_group_id=group.id, seat_number=seat_number, pin_hash=new_hash)
        taken = _insert_seat(session, learner, group.id, seat_number)
        if taken is None:
            bump(session, group.campaign_id, group.site_id, learners_joined=1)
            return learner
        learner, checked = taken, None  # someone took this seat a moment ago: their PIN decides
    if learner.pin_hash is None:  # the teacher reset this seat's PIN: whoever sits there now chooses a new one
        learner.pin_hash = checked.new_hash if checked is not None else hash_pin(pin)
        return learner
    seat_key = f"{group.id}:{seat_number}"
    throttle.check(session, "seat_pin", seat_key)
    throttle.check(session, "pin_address", client)
    still_valid = checked is not None and checked.learner_id == learner.id and checked.seen_hash == learner.pin_hash
    matches = checked.matches if still_valid else verify_password(pin, learner.pin_hash)
    if not matches:
        throttle.record_failure(session, "seat_pin", seat_key)
        throttle.record_failure(session, "pin_address", client)
        raise Refusal("seat_pin_mismatch", seat=seat_number)
    throttle.clear(session, "seat_pin", seat_key)  # the owner is back: strangers' guesses no longer count
    return learner


def _insert_seat(session: Session, learner: Learner, group_id: int, seat_number: int) -> Learner | None:
    """Insert a new seat; None if it went in, or the seat a concurrent join created first (never a UniqueViolation)."""
    try:
        with session.begin_nested():
            session.add(learner)
    except IntegrityError:
        return session.scalar(select(Learner).where(Learner.class_group_id == group_id, Learner.seat_number == seat_number))
    return None


def seat_token(learner: Learner, key: str) -> str:
    """What a browser keeps to come back to its seat: valid until the seat's PIN is reset or changed."""
    return f"{learner.id}.{sign(key, f'seat:{learner.id}:{learner.pin_hash}')}"


def resume_seat(session: Session, token: str, key: str) -> Learner | None:
    """The seat a browser's token opens, or None (unknown, forged, or its PIN was reset since)."""
    learner_id = (token or "").partition(".")[0]
    if not learner_id.isdigit():
        return None
    learner = session.get(Learner, int(learner_id))
    if learner is None or learner.pin_hash is None or not hmac.compare_digest(seat_token(learner, key), token):
        return None
    return learner


def default_level(session: Session, viewer: Account) -> Level:
    """The lesson level a new class at the viewer's site most likely needs (special schools: middle)."""
    permissions.require_site_staff(viewer, viewer.site_id, "site_classes")
    site = session.get(Site, viewer.site_id)
    return LEVEL_FOR_SITE_TYPE.get(SiteType(site.site_type)) or Level.MIDDLE


def classes_at_site(session: Session, viewer: Account) -> list[ClassGroup]:
    """Open classes at the viewer's own site."""
    permissions.require_site_staff(viewer, viewer.site_id, "site_classes")
    query = select(ClassGroup).where(ClassGroup.site_id == viewer.site_id, ClassGroup.closed_at.is_(None))
    return list(session.scalars(query.order_by(ClassGroup.label)))


def class_of(session: Session, learner: Learner) -> ClassGroup:
    """The class a seat belongs to."""
    return session.get(ClassGroup, learner.class_group_id)
