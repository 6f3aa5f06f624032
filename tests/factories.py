"""Small factories for service tests: a site, staff accounts, a class and its learners."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safeclass.content.models import MultipleChoiceQuestion, OrderingQuestion, SingleChoiceQuestion, TrueFalseQuestion
from safeclass.content.roster import SiteRow
from safeclass.db.models import Account, ClassGroup, Learner, Site
from safeclass.domain import Level, Role, SiteType
from safeclass.security import hash_password
from safeclass.services.classes import open_class
from safeclass.services.rollups import bump, ensure_rollups

FAST_HASH = hash_password("correct-horse-battery", rounds=4)  # bcrypt's minimum cost keeps tests quick
PASSWORD = "correct-horse-battery"


def make_site(
    session: Session,
    code: str = "M0001",
    district: str = "Mapo-gu",
    site_type: SiteType = SiteType.MIDDLE,
    campaign_id: str = "test-campaign",
) -> Site:
    site = Site(code=code, name=f"[가상] 시험{code}", district=district, site_type=site_type.value, expected_students=300, synthetic=True)
    session.add(site)
    session.flush()
    ensure_rollups(session, campaign_id, [site.id])
    return site


def make_account(session: Session, username: str, role: Role, site: Site | None = None, district: str | None = None) -> Account:
    account = Account(
        username=username,
        display_name=username.title(),
        password_hash=FAST_HASH,
        role=role.value,
        site_id=site.id if site else None,
        district=district,
    )
    session.add(account)
    session.flush()
    return account


def make_class(session: Session, teacher: Account, level: Level = Level.MIDDLE, label: str = "2학년 3반") -> ClassGroup:
    return open_class(session, opened_by=teacher, campaign_id="test-campaign", label=label, level=level, grade=2)


FAST_PIN = "2580"
FAST_PIN_HASH = hash_password(FAST_PIN, rounds=4)


def make_learners(session: Session, group: ClassGroup, count: int) -> list[Learner]:
    """Seats 1..count with PIN 2580, joined as students join (counted in the rollup), with a cheap hash."""
    learners = []
    for seat in range(1, count + 1):
        learner = Learner(class_group_id=group.id, seat_number=seat, pin_hash=FAST_PIN_HASH)
        session.add(learner)
        learners.append(learner)
    session.flush()
    bump(session, group.campaign_id, group.site_id, learners_joined=count)
    return learners


def roster_row(code: str, district: str = "Mapo-gu", kind: SiteType = SiteType.MIDDLE) -> SiteRow:
    return SiteRow(code=code, name=f"[가상] {code}", district=district, type=kind, expected_students=300)


def right_answer(question) -> object:
    """The correct answer to a quiz question, in the grader's shape."""
    if isinstance(question, SingleChoiceQuestion):
        return min(question.correct_indexes)
    if isinstance(question, MultipleChoiceQuestion):
        return sorted(question.correct_indexes)
    if isinstance(question, TrueFalseQuestion):
        return question.answer
    assert isinstance(question, OrderingQuestion)
    return list(range(len(question.items)))
