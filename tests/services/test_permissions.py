"""Role × service matrix: every cross-scope read and write through the services is refused, and counted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from safeclass.domain import Level, Role, SiteType
from safeclass.services import ServiceError
from safeclass.services.accounts import clear_sign_in_throttle, create_account
from safeclass.services.classes import classes_at_site, default_level, open_class
from safeclass.services.progress import attest_lesson, record_module_progress
from safeclass.services.quizzes import start_quiz_attempt, submit_quiz_attempt, submitted_attempt
from safeclass.services.reports import class_progress, site_table
from tests.factories import make_account, make_class, make_learners, make_site
from tests.security_tally import tally


@pytest.fixture
def world(database, fixture_catalog, test_campaign):
    """Two sites in two districts, staff at each, coordinators for each district and the city, students."""
    with database.transaction() as s:
        mapo = make_site(s, code="M0001", district="Mapo-gu")
        gangnam = make_site(s, code="M0002", district="Gangnam-gu", site_type=SiteType.MIDDLE)
        people = {
            "teacher_mapo": make_account(s, "kim", Role.TEACHER, mapo),
            "principal_mapo": make_account(s, "park", Role.PRINCIPAL, mapo),
            "teacher_gangnam": make_account(s, "lee", Role.TEACHER, gangnam),
            "principal_gangnam": make_account(s, "choi", Role.PRINCIPAL, gangnam),
            "coord_mapo": make_account(s, "mcoord", Role.COORDINATOR, district="Mapo-gu"),
            "coord_gangnam": make_account(s, "gcoord", Role.COORDINATOR, district="Gangnam-gu"),
            "coord_city": make_account(s, "coord", Role.COORDINATOR),
            "admin": make_account(s, "root", Role.ADMIN),
        }
        mapo_class = make_class(s, people["teacher_mapo"])
        gangnam_class = make_class(s, people["teacher_gangnam"], label="1-1")
        students = make_learners(s, mapo_class, 2)
        record_module_progress(s, students[0], test_campaign, fixture_catalog.modules["test-lesson"], sections_done=6, completed=True)
        attempt = start_quiz_attempt(s, students[0], test_campaign, fixture_catalog.quizzes["test-quiz"])
        key = attempt.attempt_key
    return {
        "sites": {"mapo": mapo, "gangnam": gangnam},
        "people": people,
        "classes": (mapo_class, gangnam_class),
        "students": students,
        "key": key,
    }


def _refused(database, attempt: Callable) -> bool:
    try:
        with database.transaction() as s:
            attempt(s)
    except ServiceError:
        return True
    return False


def test_every_cross_scope_attempt_is_refused(database, world, fixture_catalog, test_campaign) -> None:
    p, (mapo_class, gangnam_class) = world["people"], world["classes"]
    lesson, quiz = fixture_catalog.modules["test-lesson"], fixture_catalog.quizzes["test-quiz"]
    day = dt.date(2025, 4, 1)
    attempts: dict[str, Callable] = {}
    # Site staff of Gangnam against Mapo's class, and everyone who is not site staff.
    for who in ("teacher_gangnam", "principal_gangnam", "coord_mapo", "coord_city", "admin"):
        actor = p[who]
        attempts[f"{who} attests a lesson for Mapo's class"] = lambda s, a=actor: attest_lesson(
            s, a, mapo_class, test_campaign, lesson, delivered_on=day, students_present=20
        )
    attempts["teacher_mapo attests a lesson for Gangnam's class"] = lambda s: attest_lesson(
        s, p["teacher_mapo"], gangnam_class, test_campaign, lesson, delivered_on=day, students_present=20
    )
    for who in ("coord_mapo", "coord_city", "admin"):
        actor = p[who]
        attempts[f"{who} opens a class (no site of their own)"] = lambda s, a=actor: open_class(
            s, opened_by=a, campaign_id=test_campaign.id, label="x", level=Level.MIDDLE, grade=None
        )
        attempts[f"{who} reads a site's classes"] = lambda s, a=actor: classes_at_site(s, a)
        attempts[f"{who} reads a site's class view"] = lambda s, a=actor: class_progress(s, a, test_campaign.id, 5)
        attempts[f"{who} asks a site's default level"] = lambda s, a=actor: default_level(s, a)
    # Accounts: who may create whom.
    creations = [
        ("teacher_mapo", Role.TEACHER, "M0001"),
        ("teacher_mapo", Role.PRINCIPAL, "M0001"),
        ("principal_mapo", Role.TEACHER, "M0002"),
        ("principal_mapo", Role.PRINCIPAL, "M0001"),
        ("coord_mapo", Role.PRINCIPAL, "M0002"),
        ("coord_gangnam", Role.PRINCIPAL, "M0001"),
        ("coord_city", Role.ADMIN, None),
        ("coord_city", Role.COORDINATOR, None),
    ]
    for n, (who, role, site) in enumerate(creations):
        actor = p[who]
        attempts[f"{who} creates a {role.value} at {site}"] = lambda s, a=actor, r=role, c=site, n=n: create_account(
            s, username=f"made{n}", display_name="x", role=r, site_code=c, created_by=a
        )
    for who in ("teacher_mapo", "principal_mapo", "coord_city"):
        attempts[f"{who} clears a sign-in throttle"] = lambda s, a=p[who]: clear_sign_in_throttle(s, a, "kim")
    # Students: another seat's attempt, read or written.
    other = world["students"][1]
    attempts["a student submits another seat's quiz attempt"] = lambda s: submit_quiz_attempt(
        s, other, test_campaign, quiz, attempt_key=world["key"], answers={}
    )
    attempts["a student reads another seat's result"] = lambda s: submitted_attempt(s, other, world["key"])
    attempts["a student starts a quiz not yet open to them"] = lambda s: start_quiz_attempt(s, other, test_campaign, quiz)

    tried, allowed = 0, []
    for name, attempt in attempts.items():
        tried += 1
        if not _refused(database, attempt):
            allowed.append(name)
    assert not allowed, f"allowed across scope: {allowed}"
    tally("cross-scope attempts through the services (role x service matrix)", tried, outcome="all refused")


def test_reads_are_narrowed_to_the_actors_scope(database, world, test_campaign) -> None:
    p = world["people"]
    expected = {
        "teacher_mapo": ["M0001"],
        "principal_gangnam": ["M0002"],
        "coord_mapo": ["M0001"],
        "coord_gangnam": ["M0002"],
        "coord_city": ["M0001", "M0002"],
        "admin": ["M0001", "M0002"],
    }
    with database.reading() as s:
        for who, codes in expected.items():
            assert list(site_table(s, p[who], test_campaign.id)["code"]) == codes, who
        assert class_progress(s, p["teacher_gangnam"], test_campaign.id, 5)["label"].tolist() == ["1-1"]  # its own class only


def test_what_is_allowed_still_works(database, world, fixture_catalog, test_campaign) -> None:
    p, (mapo_class, _) = world["people"], world["classes"]
    with database.transaction() as s:
        attest_lesson(
            s,
            p["teacher_mapo"],
            mapo_class,
            test_campaign,
            fixture_catalog.modules["test-lesson"],
            delivered_on=dt.date(2025, 4, 1),
            students_present=20,
        )
        create_account(s, username="new.teacher", display_name="x", role=Role.TEACHER, site_code="M0001", created_by=p["principal_mapo"])
        create_account(s, username="new.principal", display_name="x", role=Role.PRINCIPAL, site_code="M0001", created_by=p["coord_mapo"])
        assert clear_sign_in_throttle(s, p["admin"], "kim") == 0
