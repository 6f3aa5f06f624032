"""The demo campaign: synthetic roster, demo accounts and simulated progress so dashboards look alive.

Everything here is synthetic: site names start with [가상], learners are seats in simulated classes, and
simulated principals cannot sign in (their password is a random value that is thrown away).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
import zlib
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from safeclass import clock
from safeclass.content.catalog import Catalog
from safeclass.content.models import Campaign, CheckSection, MultipleChoiceQuestion, OrderingQuestion, SingleChoiceQuestion
from safeclass.db.engine import Database
from safeclass.db.models import Account, CheckAnswer, ClassGroup, Learner, ModuleProgress, QuizAttempt, Site
from safeclass.domain import LEVEL_FOR_SITE_TYPE, Level, Role
from safeclass.security import hash_password
from safeclass.services.accounts import create_account
from safeclass.services.classes import JOIN_CODE_ALPHABET
from safeclass.services.rollups import rebuild_rollups
from safeclass.services.roster import import_sites

DEMO_PASSWORD = "safeclass-demo"  # printed by `make run` in demo mode only; never used outside it
DEFAULT_LEARNERS = 20_000
CLASS_SIZE = 25
# Grades a demo school spreads its classes over (elementary schools have six, middle and high schools three).
GRADES = {Level.ELEMENTARY: 6, Level.MIDDLE: 3, Level.HIGH: 3}
BATCH = 5_000
DETAILED_SHARE = 0.1  # learners whose check answers and quiz answers are simulated too (where students go wrong)
STAFF_PER_SITE = (2, 5)  # simulated teachers per site (they never sign in)


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in printed for people trying the app."""

    username: str
    role: Role
    what: str


# Korean names as on a real certificate, marked fictional like the demo sites' names.
DEMO_NAMES = {
    "principal.elementary": "[가상] 이서연",
    "principal.middle": "[가상] 박지훈",
    "principal.high": "[가상] 김하늘",
    "teacher": "[가상] 최유진",
}


def demo_accounts(session: Session) -> list[DemoAccount]:
    """The demo sign-ins: who they are and what they see."""
    first_sites = {
        t: session.scalar(select(Site).where(Site.site_type == t).order_by(Site.code).limit(1)) for t in ("elementary", "middle", "high")
    }
    gangnam = "Gangnam-gu"
    return [
        DemoAccount("admin", Role.ADMIN, "accounts and content"),
        DemoAccount("coordinator", Role.COORDINATOR, "the whole campaign"),
        DemoAccount("gangnam.coord", Role.COORDINATOR, f"district {gangnam} only"),
        *(DemoAccount(f"principal.{t}", Role.PRINCIPAL, f"{s.name} ({s.code})") for t, s in first_sites.items() if s),
        DemoAccount("teacher", Role.TEACHER, "a teacher at the demo middle school"),
    ]


def seed_demo(
    database: Database, catalog: Catalog, campaign: Campaign, *, learners: int = DEFAULT_LEARNERS, seed: int = 2025
) -> list[DemoAccount]:
    """Load the roster, create demo accounts and simulate ``learners`` learners; refuses a non-empty database."""
    rows = list(catalog.rosters[campaign.id])
    with database.transaction() as session:
        if session.scalar(select(func.count()).select_from(Account)):
            raise RuntimeError("the database already has accounts; seed-demo only fills an empty database")
        import_sites(session, rows, campaign.id, synthetic=True)
        accounts = demo_accounts(session)
        sites = {s.code: s for s in session.scalars(select(Site))}
        middle = next(s for s in sites.values() if s.site_type == "middle")
        for account in accounts:
            site_code = None
            if account.role == Role.PRINCIPAL:
                site_code = next(s.code for s in sites.values() if s.name in account.what)
            elif account.role == Role.TEACHER:
                site_code = middle.code
            create_account(
                session,
                username=account.username,
                display_name=DEMO_NAMES.get(account.username, f"Demo {account.role.value}"),
                role=account.role,
                password=DEMO_PASSWORD,
                site_code=site_code,
                district="Gangnam-gu" if account.username == "gangnam.coord" else None,
            )
    hashes = {item_id: catalog.content_hash(item_id) for item_id in [*catalog.modules, *catalog.quizzes]}
    _simulate(database, campaign, catalog, hashes, learners=learners, rng=random.Random(seed))
    return accounts


def _simulate(
    database: Database, campaign: Campaign, catalog: Catalog, hashes: dict[str, str], *, learners: int, rng: random.Random
) -> None:
    """Simulated classes, learners, progress, answers, principal and staff training, then rollups recounted in bulk.

    Activity is spread from the period's start to today (``clock.today()``), never in the future, so
    on-track projections compare against a campaign that has really been running that long.
    """
    start = dt.datetime.combine(campaign.period.start, dt.time(0, 30), tzinfo=dt.UTC)  # 09:30 in Seoul
    last_day = min(clock.today(), campaign.period.end)
    span = max((last_day - campaign.period.start).days, 0)

    def day_at(fraction: float) -> dt.datetime:
        """A moment ``fraction`` of the way from the start to today, in school hours."""
        return start + dt.timedelta(days=int(span * min(max(fraction, 0.0), 1.0)), minutes=rng.randint(0, 420))

    unusable = hash_password(secrets.token_urlsafe(16), rounds=4)  # simulated staff never sign in
    with database.transaction() as session:
        sites = list(session.scalars(select(Site).order_by(Site.code)))
        existing_principals = set(session.scalars(select(Account.site_id).where(Account.role == Role.PRINCIPAL.value)))
        principals = [
            {
                "username": f"sim.principal.{s.code.lower()}",
                "display_name": "Simulated principal",
                "password_hash": unusable,
                "role": Role.PRINCIPAL.value,
                "site_id": s.id,
                "must_change_password": False,
                "active": True,
                "created_at": start,
            }
            for s in sites
            if s.id not in existing_principals
        ]
        _insert(session, Account, principals)
        principal_ids = list(session.execute(select(Account.id, Account.site_id).where(Account.role == Role.PRINCIPAL.value)))

        # Principal training: momentum varies by site; most principals are part-way, about half certified.
        modules, quizzes = campaign.audiences.principal.modules, campaign.audiences.principal.quizzes
        progress, attempts = [], []
        for account_id, _site_id in principal_ids:
            done = min(len(modules), int(rng.betavariate(2.2, 1.2) * (len(modules) + 1)))
            begun = rng.betavariate(1.2, 4)
            for n, module_id in enumerate(modules[:done]):
                when = day_at(begun + 0.04 * n)
                progress.append(_completed(campaign.id, module_id, hashes[module_id], when, account_id=account_id))
            if done == len(modules) and rng.random() < 0.85:
                for quiz_id in quizzes:
                    attempts.append(
                        _attempt(
                            account_id=account_id,
                            campaign_id=campaign.id,
                            quiz_id=quiz_id,
                            content_hash=hashes[quiz_id],
                            when=day_at(begun + 0.04 * len(modules)),
                        )
                    )
        _insert(session, ModuleProgress, progress)
        _insert(session, QuizAttempt, attempts)

        # Staff: a few teachers per site, most of whom have done some or all of the staff training.
        teachers = []
        for site in sites:
            for n in range(rng.randint(*STAFF_PER_SITE)):
                teachers.append(
                    {
                        "username": f"sim.teacher.{site.code.lower()}.{n + 1}",
                        "display_name": "Simulated teacher",
                        "password_hash": unusable,
                        "role": Role.TEACHER.value,
                        "site_id": site.id,
                        "must_change_password": False,
                        "active": True,
                        "created_at": start,
                    }
                )
        _insert(session, Account, teachers)
        staff_modules = campaign.audiences.staff.modules
        progress = []
        for (account_id,) in session.execute(select(Account.id).where(Account.username.like("sim.teacher.%"))):
            done = min(len(staff_modules), int(rng.betavariate(1.8, 1.0) * (len(staff_modules) + 1)))
            begun = rng.betavariate(1.5, 2.5)
            for n, module_id in enumerate(staff_modules[:done]):
                progress.append(_completed(campaign.id, module_id, hashes[module_id], day_at(begun + 0.05 * n), account_id=account_id))
        _insert(session, ModuleProgress, progress)

        # Students: sites start at different paces; a started site opens classes until its share is used.
        codes: set[str] = set()
        for site, share in zip(sites, _shares(sites, learners, rng), strict=True):
            if share == 0:
                continue  # a site that has not started yet
            level = LEVEL_FOR_SITE_TYPE.get(site.site_type) or Level.MIDDLE
            assignment = campaign.audiences.students.for_level(level)
            groups = []
            grades = GRADES.get(level, 0)
            for n in range(0, share, CLASS_SIZE):
                code = _join_code(rng, codes)
                index = n // CLASS_SIZE
                groups.append(  # schools: 1학년 1반, 2학년 1반, … ; youth centres have groups without grades
                    {
                        "site_id": site.id,
                        "campaign_id": campaign.id,
                        "join_code": code,
                        "label": f"{index // grades + 1}반" if grades else f"{index + 1}반",
                        "level": level.value,
                        "grade": index % grades + 1 if grades else None,
                        "created_at": start,
                    }
                )
            _insert(session, ClassGroup, groups)
            group_ids = list(session.scalars(select(ClassGroup.id).where(ClassGroup.site_id == site.id).order_by(ClassGroup.id)))
            learner_rows = [
                {"class_group_id": group_ids[i // CLASS_SIZE], "seat_number": i % CLASS_SIZE + 1, "pin_hash": None, "created_at": start}
                for i in range(share)
            ]
            _insert(session, Learner, learner_rows)
            learner_ids = list(session.scalars(select(Learner.id).join(ClassGroup).where(ClassGroup.site_id == site.id)))
            pace = rng.random()
            site_begins = rng.betavariate(1.3, 2.2)  # when this site's classes begin, as a share of the period so far
            progress, attempts, answers = [], [], []
            for learner_id in learner_ids:
                done = min(len(assignment.modules), int(rng.betavariate(1 + 3 * pace, 1.5) * (len(assignment.modules) + 1)))
                detailed = rng.random() < DETAILED_SHARE
                moment = site_begins + rng.random() * 0.05
                when = day_at(moment)
                for module_id in assignment.modules[:done]:
                    when = day_at(moment)
                    moment += rng.uniform(0.01, 0.08)  # the next lesson a week or a few later
                    progress.append(_completed(campaign.id, module_id, hashes[module_id], when, learner_id=learner_id))
                    if detailed:
                        answers.extend(_check_answers(catalog, campaign.id, module_id, hashes[module_id], when, learner_id, rng))
                    quiz_id = f"quiz-{module_id}"
                    if quiz_id in assignment.quizzes:
                        attempts.append(
                            _attempt(
                                learner_id=learner_id,
                                campaign_id=campaign.id,
                                quiz_id=quiz_id,
                                content_hash=hashes[quiz_id],
                                when=when,
                                answers=_quiz_answers(catalog, quiz_id, rng) if detailed else None,
                            )
                        )
                finals = [q for q in assignment.quizzes if q.startswith("final-")]
                if done == len(assignment.modules) and finals and rng.random() < 0.8:
                    attempts.extend(
                        _attempt(
                            learner_id=learner_id,
                            campaign_id=campaign.id,
                            quiz_id=q,
                            content_hash=hashes[q],
                            when=when + dt.timedelta(minutes=30),
                            answers=_quiz_answers(catalog, q, rng) if detailed else None,
                        )
                        for q in finals
                    )
            _insert(session, ModuleProgress, progress)
            _insert(session, QuizAttempt, attempts)
            _insert(session, CheckAnswer, answers)
        rebuild_rollups(session, campaign)


def _shares(sites: list[Site], learners: int, rng: random.Random) -> list[int]:
    """Exactly ``learners`` learners spread over sites: proportional to size and a random pace, some at zero."""
    weights = [s.expected_students * rng.betavariate(1.2, 1.6) for s in sites]
    total = sum(weights)
    expected_total = sum(s.expected_students for s in sites)
    # Above the roster's expected total (a benchmark), sites grow in proportion instead of capping.
    caps = [max(s.expected_students, -(-s.expected_students * learners // expected_total)) for s in sites]
    shares = [min(cap, int(learners * w / total)) for cap, w in zip(caps, weights, strict=True)]
    remaining = learners - sum(shares)
    by_pace = sorted(range(len(sites)), key=lambda i: -weights[i])
    for i in by_pace:  # hand out what rounding left over, fastest sites first, up to their caps
        extra = min(remaining, caps[i] - shares[i])
        shares[i] += extra
        remaining -= extra
    for n, i in enumerate(by_pace * (remaining // len(sites) + 1)):  # only if every site is full
        if n >= remaining:
            break
        shares[i] += 1
    return shares


def _completed(campaign_id: str, module_id: str, content_hash: str, when: dt.datetime, **owner: int) -> dict:
    return {"campaign_id": campaign_id, "module_id": module_id, "content_hash": content_hash, "sections_done": 1,
            "started_at": when, "completed_at": when, **owner}  # fmt: skip


def _check_answers(
    catalog: Catalog, campaign_id: str, module_id: str, content_hash: str, when: dt.datetime, learner_id: int, rng: random.Random
) -> list[dict]:
    """First answers to a module's inline checks: mostly right, each check with its own most tempting wrong choice."""
    rows = []
    for check in catalog.modules[module_id].sections_of(CheckSection):
        right = [i for i, c in enumerate(check.choices) if c.correct]
        wrong = [i for i, c in enumerate(check.choices) if not c.correct]
        difficulty = (zlib.crc32(check.id.encode()) % 30) / 100  # stable per check: some are harder than others
        pick = rng.choice(right) if not wrong or rng.random() > 0.08 + difficulty else wrong[0 if rng.random() < 0.7 else -1]
        owner = {"learner_id": learner_id, "campaign_id": campaign_id, "module_id": module_id, "check_id": check.id}
        rows.append(
            {**owner, "choice_index": pick, "correct": check.choices[pick].correct, "content_hash": content_hash, "answered_at": when}
        )
    return rows


def _quiz_answers(catalog: Catalog, quiz_id: str, rng: random.Random) -> dict:
    """Answers to every question of the pool, mostly right (passing), the odd one wrong in a typical way."""
    out: dict = {}
    for question in catalog.quizzes[quiz_id].questions:
        slip = rng.random() < 0.06 + (zlib.crc32(question.id.encode()) % 20) / 100
        if isinstance(question, SingleChoiceQuestion):
            right = next(iter(question.correct_indexes))
            wrong = [i for i in range(len(question.choices)) if i != right]
            out[question.id] = wrong[0] if slip and wrong else right
        elif isinstance(question, MultipleChoiceQuestion):
            chosen = sorted(question.correct_indexes)
            out[question.id] = chosen[:-1] if slip and len(chosen) > 1 else chosen
        elif isinstance(question, OrderingQuestion):
            order = list(range(len(question.items)))
            if slip:
                order[0], order[1] = order[1], order[0]
            out[question.id] = order
        else:
            out[question.id] = question.answer != slip
    return out


def _attempt(
    *,
    campaign_id: str,
    quiz_id: str,
    content_hash: str,
    when: dt.datetime,
    learner_id: int | None = None,
    account_id: int | None = None,
    answers: dict | None = None,
) -> dict:
    return {
        "attempt_key": uuid.uuid4().hex,
        "learner_id": learner_id,
        "account_id": account_id,
        "campaign_id": campaign_id,
        "quiz_id": quiz_id,
        "content_hash": content_hash,
        "score": 8,
        "max_score": 8,
        "passed": True,
        "answers": answers or {"simulated": True},
        "submitted_at": when,
    }


def _join_code(rng: random.Random, used: set[str]) -> str:
    while True:
        code = "".join(rng.choice(JOIN_CODE_ALPHABET) for _ in range(6))
        if code not in used:
            used.add(code)
            return code


def _insert(session: Session, model: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start : start + BATCH])


@dataclass(frozen=True)
class DemoClass:
    """A demo class code with free seats, printed so a newcomer can try the student side at once."""

    level: str
    join_code: str
    site: str
    first_free_seat: int


def demo_class_codes(session: Session) -> list[DemoClass]:
    """One open class per school level whose seats above the simulated ones are free."""
    from safeclass.db.models import Learner
    from safeclass.services.classes import MAX_SEAT

    found = []
    for level in Level:
        row = session.execute(
            select(ClassGroup.join_code, Site.name, func.coalesce(func.max(Learner.seat_number), 0))
            .join(Site, Site.id == ClassGroup.site_id)
            .outerjoin(Learner, Learner.class_group_id == ClassGroup.id)
            .where(ClassGroup.level == level.value, ClassGroup.closed_at.is_(None))
            .group_by(ClassGroup.id, Site.name)
            .having(func.coalesce(func.max(Learner.seat_number), 0) < MAX_SEAT)
            .order_by(ClassGroup.id)
            .limit(1)
        ).first()
        if row is not None:
            found.append(DemoClass(level.value, row[0], row[1], int(row[2]) + 1))
    return found
