"""Class groups: opening a class code, students joining with it, and the teacher's seat list."""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeclass import clock, permissions, throttle
from safeclass.content.models import Campaign
from safeclass.db.base import utcnow
from safeclass.db.models import Account, AuditLog, CheckAnswer, ClassGroup, Learner, ModuleProgress, QuizAttempt, Site
from safeclass.documents import JoinSlip
from safeclass.domain import LEVEL_FOR_SITE_TYPE, Level, SiteType
from safeclass.security import hash_pin, sign, verify_password
from safeclass.services import NotAllowed, Refusal, ServiceError, plain_text
from safeclass.services.progress import has_completed_assignment
from safeclass.services.rollups import bump, uncount_learner

# No 0/O, 1/I/L: codes are read aloud and copied from a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
MAX_SEAT = 60  # the largest Korean class is well under 40; 60 leaves room for combined groups
MAX_GRADE = 6  # elementary schools have six grades; middle and high schools three
PIN = re.compile(r"^[0-9]{4}$")  # ASCII digits: \d would also take Arabic-Indic or full-width ones
# What a typed code can be after normalising; anything else is no code at all and is never looked up.
CODE_SHAPE = re.compile(r"^[A-Z0-9]{1,12}$")


def normalize_join_code(raw: str) -> str:
    """Upper-case the code and drop spaces and dashes, as students type it."""
    return re.sub(r"[\s-]", "", raw or "").upper()


def could_be_code(code: str) -> bool:
    """Whether a normalised code has the shape of a join or drill code (letters and digits, at most 12)."""
    return CODE_SHAPE.match(code) is not None


def open_class(
    session: Session,
    *,
    opened_by: Account,
    campaign_id: str,
    label: str,
    level: Level,
    grade: int | None,
    expected_size: int | None = None,
    expires_on: dt.date | None = None,
) -> ClassGroup:
    """Open a class at the opener's own site with a fresh join code; a label already used in that grade is refused."""
    permissions.require_site_staff(opened_by, opened_by.site_id, "open_class")
    label = plain_text(label)  # "2학년  3반 " and "2학년 3반" are one class
    if not 1 <= len(label) <= 40:
        raise ServiceError("class_label_length")
    _check_class_fields(grade, expected_size, expires_on)
    if level not in set(Level):
        raise ServiceError("class_level_unknown", levels=", ".join(Level))
    # The unique index keys on (site, campaign, grade, label in any case). Stricter here: a class without a grade
    # and one with a grade under the same label are most likely one class entered twice, so that is refused too.
    same = (
        select(ClassGroup)
        .where(
            ClassGroup.site_id == opened_by.site_id,
            ClassGroup.campaign_id == campaign_id,
            func.lower(ClassGroup.label) == label.lower(),
            *([] if grade is None else [or_(ClassGroup.grade.is_(None), ClassGroup.grade == grade)]),
        )
        .limit(1)
    )
    existing = session.scalar(same)
    if existing is not None:
        raise ServiceError("class_label_taken", label=existing.label, code=existing.join_code)
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
        expected_size=expected_size,
        expires_on=expires_on,
    )
    try:
        with session.begin_nested():  # a double click racing itself: the unique label lets only one through
            session.add(group)
    except IntegrityError:
        existing = session.scalar(same)
        raise ServiceError("class_label_taken", label=label, code=existing.join_code if existing else "") from None
    return group


def _check_class_fields(grade: int | None, expected_size: int | None, expires_on: dt.date | None) -> None:
    if grade is not None and not 1 <= grade <= MAX_GRADE:
        raise ServiceError("class_grade_range", max=MAX_GRADE)
    if expected_size is not None and not 1 <= expected_size <= MAX_SEAT:
        raise ServiceError("class_size_range", max=MAX_SEAT)
    if expires_on is not None and expires_on < clock.today():
        raise ServiceError("class_expiry_past")


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
    learner = session.scalar(_SEAT_BY_CODE, {"code": code, "seat": seat_number}) if could_be_code(code) else None
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
    group = session.scalar(_OPEN_CLASS, {"code": code}) if could_be_code(code) else None
    if group is None:
        throttle.record_failure(session, "join_code", client)
        raise Refusal("class_not_found", code=code)
    if is_expired(group):
        raise ServiceError("class_code_expired", code=code)
    learner = session.scalar(_SEAT, {"group_id": group.id, "seat": seat_number})
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
        return session.scalar(_SEAT, {"group_id": group_id, "seat": seat_number})
    return None


# Built once: a whole school period joins through these, and a reused statement keeps its compiled SQL.
_SEAT_BY_CODE = select(Learner).join(ClassGroup).where(ClassGroup.join_code == bindparam("code"), Learner.seat_number == bindparam("seat"))
_OPEN_CLASS = select(ClassGroup).where(ClassGroup.join_code == bindparam("code"), ClassGroup.closed_at.is_(None))
_SEAT = select(Learner).where(Learner.class_group_id == bindparam("group_id"), Learner.seat_number == bindparam("seat"))


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


def classes_at_site(session: Session, viewer: Account, *, include_closed: bool = False) -> list[ClassGroup]:
    """Classes at the viewer's own site (open ones only unless ``include_closed``)."""
    permissions.require_site_staff(viewer, viewer.site_id, "site_classes")
    query = select(ClassGroup).where(ClassGroup.site_id == viewer.site_id)
    if not include_closed:
        query = query.where(ClassGroup.closed_at.is_(None))
    return list(session.scalars(query.order_by(ClassGroup.grade.is_(None), ClassGroup.grade, ClassGroup.label)))


def class_of(session: Session, learner: Learner) -> ClassGroup:
    """The class a seat belongs to."""
    return session.get(ClassGroup, learner.class_group_id)


# --- managing classes and seats (teachers and principals, their own site only) ------------------


def is_expired(group: ClassGroup, today: dt.date | None = None) -> bool:
    """Whether the class's join code has passed its last day (seated students keep their seats)."""
    return group.expires_on is not None and (today or clock.today()) > group.expires_on


def class_capacity(group: ClassGroup) -> int:
    """The most students a class can have: its expected size, or the largest seat number."""
    return group.expected_size or MAX_SEAT


def class_for_staff(session: Session, viewer: Account, class_id: int, what: str = "class") -> ClassGroup:
    """A class the viewer may manage: at their own site; another site's class is refused."""
    group = session.get(ClassGroup, class_id)
    if group is None:
        raise ServiceError("class_gone")
    permissions.require_site_staff(viewer, group.site_id, what)
    return group


def close_class(session: Session, viewer: Account, class_id: int) -> ClassGroup:
    """Stop the class code admitting anyone (seated students too); progress and counts stay."""
    group = class_for_staff(session, viewer, class_id, "close_class")
    if group.closed_at is None:
        group.closed_at = utcnow()
    return group


def reopen_class(session: Session, viewer: Account, class_id: int) -> ClassGroup:
    """Open a closed class again with the same code."""
    group = class_for_staff(session, viewer, class_id, "reopen_class")
    group.closed_at = None
    return group


def update_class(session: Session, viewer: Account, class_id: int, *, expected_size: int | None, expires_on: dt.date | None) -> ClassGroup:
    """Change a class's expected size and the last day its code admits new seats."""
    group = class_for_staff(session, viewer, class_id, "update_class")
    _check_class_fields(group.grade, expected_size, expires_on)
    seats = session.scalar(select(func.max(Learner.seat_number)).where(Learner.class_group_id == group.id)) or 0
    if expected_size is not None and expected_size < seats:
        raise ServiceError("class_size_below_seats", seats=seats)
    group.expected_size, group.expires_on = expected_size, expires_on
    return group


@dataclass(frozen=True)
class SeatRow:
    """One seat of the teacher's seat list: never a name, since there is none."""

    seat_number: int
    learner_id: int | None
    joined_at: dt.datetime | None
    last_active_at: dt.datetime | None
    pin_set: bool
    modules_completed: int

    @property
    def joined(self) -> bool:
        """Whether a student has taken this seat."""
        return self.learner_id is not None


def seat_list(session: Session, viewer: Account, class_id: int) -> list[SeatRow]:
    """Every seat of a class, joined or not, with its last activity: one query per table, O(seats)."""
    group = class_for_staff(session, viewer, class_id, "seat_list")
    learners = list(session.scalars(select(Learner).where(Learner.class_group_id == group.id)))
    ids = [learner.id for learner in learners]
    activity: dict[int, dt.datetime] = {}
    completed: dict[int, int] = {}
    if ids:
        moments = union_all(
            select(ModuleProgress.learner_id.label("who"), ModuleProgress.started_at.label("at")).where(ModuleProgress.learner_id.in_(ids)),
            select(ModuleProgress.learner_id, ModuleProgress.completed_at).where(ModuleProgress.learner_id.in_(ids)),
            select(QuizAttempt.learner_id, QuizAttempt.started_at).where(QuizAttempt.learner_id.in_(ids)),
            select(QuizAttempt.learner_id, QuizAttempt.submitted_at).where(QuizAttempt.learner_id.in_(ids)),
            select(CheckAnswer.learner_id, CheckAnswer.answered_at).where(CheckAnswer.learner_id.in_(ids)),
        ).subquery()
        for who, at in session.execute(select(moments.c.who, func.max(moments.c.at)).group_by(moments.c.who)):
            if at is not None:
                activity[who] = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
        done = (
            select(ModuleProgress.learner_id, func.count())
            .where(
                ModuleProgress.learner_id.in_(ids),
                ModuleProgress.campaign_id == group.campaign_id,
                ModuleProgress.completed_at.is_not(None),
            )
            .group_by(ModuleProgress.learner_id)
        )
        completed = dict(session.execute(done).all())
    by_seat = {learner.seat_number: learner for learner in learners}
    last_seat = max([group.expected_size or 0, *by_seat])
    rows = []
    for number in range(1, last_seat + 1):
        learner = by_seat.get(number)
        if learner is None:
            rows.append(SeatRow(number, None, None, None, False, 0))
            continue
        moments_seen = [m for m in (learner.created_at, activity.get(learner.id)) if m is not None]
        last = max(_aware(m) for m in moments_seen)
        rows.append(SeatRow(number, learner.id, learner.created_at, last, learner.pin_hash is not None, completed.get(learner.id, 0)))
    return rows


def _aware(moment: dt.datetime) -> dt.datetime:
    # A UNION of timestamps comes back untyped from SQLite: naive, in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _seat_for_staff(session: Session, viewer: Account, learner_id: int, what: str) -> tuple[Learner, ClassGroup]:
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise ServiceError("seat_gone")
    return learner, class_for_staff(session, viewer, learner.class_group_id, what)


def reset_seat_pin(session: Session, viewer: Account, learner_id: int) -> Learner:
    """Forget a seat's PIN: the next student to sit there chooses a new one, and remembered browsers are signed out."""
    learner, group = _seat_for_staff(session, viewer, learner_id, "reset_pin")
    learner.pin_hash = None  # seat tokens are signed over the PIN hash, so every remembered browser stops working
    throttle.clear(session, "seat_pin", f"{group.id}:{learner.seat_number}")
    session.add(AuditLog(actor_id=viewer.id, action="seat.reset_pin", target=f"class:{group.id}/seat:{learner.seat_number}", detail={}))
    return learner


def remove_seat(session: Session, viewer: Account, learner_id: int, campaign: Campaign) -> None:
    """Delete a seat and everything recorded for it; the site's counters lose exactly what it had added."""
    learner, group = _seat_for_staff(session, viewer, learner_id, "remove_seat")
    if group.campaign_id != campaign.id:
        raise NotAllowed("remove_seat")
    mine = (ModuleProgress.learner_id == learner.id, ModuleProgress.campaign_id == campaign.id)
    started = session.scalar(select(func.count()).select_from(ModuleProgress).where(*mine)) or 0
    modules_done = session.scalar(select(func.count()).select_from(ModuleProgress).where(*mine, ModuleProgress.completed_at.is_not(None)))
    passes = session.scalar(
        select(func.count(func.distinct(QuizAttempt.quiz_id))).where(
            QuizAttempt.learner_id == learner.id, QuizAttempt.campaign_id == campaign.id, QuizAttempt.passed
        )
    )
    deltas = {
        "learners_joined": -1,
        "learners_started": -1 if started else 0,
        "learners_completed": -1 if has_completed_assignment(session, learner, campaign) else 0,
        "module_completions": -(modules_done or 0),
        "quiz_passes": -(passes or 0),
    }
    seat = learner.seat_number
    uncount_learner(session, campaign.id, learner)
    session.execute(delete(Learner).where(Learner.id == learner.id))  # progress, attempts and answers cascade
    bump(session, campaign.id, group.site_id, **{name: delta for name, delta in deltas.items() if delta})
    throttle.clear(session, "seat_pin", f"{group.id}:{seat}")
    session.add(AuditLog(actor_id=viewer.id, action="seat.remove", target=f"class:{group.id}/seat:{seat}", detail={}))


def join_slips(session: Session, viewer: Account, class_ids: list[int], join_url: str) -> list[JoinSlip]:
    """Printable join slips for classes at the viewer's own site (another site's class is refused)."""
    groups = [class_for_staff(session, viewer, class_id, "join_slip") for class_id in class_ids]
    slips = []
    for group in groups:
        site = session.get(Site, group.site_id)
        slips.append(JoinSlip(site.name, group.label, group.level, group.grade, group.join_code, group.expires_on, join_url))
    return slips
