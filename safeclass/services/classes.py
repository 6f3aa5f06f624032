"""Class groups: opening a class code and students joining with it."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeclass.db.models import Account, ClassGroup, Learner, Site
from safeclass.domain import LEVEL_FOR_SITE_TYPE, Level, Role, SiteType
from safeclass.security import hash_pin, verify_password
from safeclass.services import NotAllowed, ServiceError
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
    if opened_by.role not in (Role.TEACHER, Role.PRINCIPAL) or opened_by.site_id is None:
        raise NotAllowed("open_class")
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


def join_class(session: Session, *, join_code: str, seat_number: int, pin: str | None) -> Learner:
    """Take (or come back to) a seat in a class; a seat protected by a PIN needs the same PIN."""
    code = normalize_join_code(join_code)
    group = session.scalar(select(ClassGroup).where(ClassGroup.join_code == code, ClassGroup.closed_at.is_(None)))
    if group is None:
        raise ServiceError("class_not_found", code=code)
    if not 1 <= seat_number <= MAX_SEAT:
        raise ServiceError("seat_out_of_range", max=MAX_SEAT)
    pin = (pin or "").strip() or None
    if pin is not None and not PIN.match(pin):
        raise ServiceError("pin_format")
    learner = session.scalar(select(Learner).where(Learner.class_group_id == group.id, Learner.seat_number == seat_number))
    if learner is not None:
        if learner.pin_hash is not None and (pin is None or not verify_password(pin, learner.pin_hash)):
            raise ServiceError("seat_pin_mismatch", seat=seat_number)
        if learner.pin_hash is None and pin is not None:
            learner.pin_hash = hash_pin(pin)
        return learner
    learner = Learner(class_group_id=group.id, seat_number=seat_number, pin_hash=hash_pin(pin) if pin else None)
    session.add(learner)
    session.flush()
    bump(session, group.campaign_id, group.site_id, learners_joined=1)
    return learner


def default_level(session: Session, viewer: Account) -> Level:
    """The lesson level a new class at the viewer's site most likely needs (special schools: middle)."""
    if viewer.site_id is None:
        raise NotAllowed("site_classes")
    site = session.get(Site, viewer.site_id)
    return LEVEL_FOR_SITE_TYPE.get(SiteType(site.site_type)) or Level.MIDDLE


def classes_at_site(session: Session, viewer: Account) -> list[ClassGroup]:
    """Open classes at the viewer's own site."""
    if viewer.site_id is None:
        raise NotAllowed("site_classes")
    query = select(ClassGroup).where(ClassGroup.site_id == viewer.site_id, ClassGroup.closed_at.is_(None))
    return list(session.scalars(query.order_by(ClassGroup.label)))
