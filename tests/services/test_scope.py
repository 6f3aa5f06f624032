"""Scope: teachers and principals read and change only their own site; every cross-site attempt is refused in the service."""

from __future__ import annotations

import datetime as dt

import pytest

from safeclass import clock
from safeclass.domain import Level, Role
from safeclass.services import NotAllowed
from safeclass.services.accounts import create_teacher, own_site, reissue_one_time_password, set_staff_active, staff_at_site
from safeclass.services.attestations import attestations_at_site
from safeclass.services.certificates import issue_certificate
from safeclass.services.classes import (
    class_for_staff,
    classes_at_site,
    close_class,
    join_class,
    join_slips,
    open_class,
    remove_seat,
    reopen_class,
    reset_seat_pin,
    seat_list,
    update_class,
)
from safeclass.services.progress import attest_lesson
from tests.factories import make_account, make_site
from tests.security_tally import tally


@pytest.fixture(autouse=True)
def _during_the_campaign():
    with clock.frozen_at(dt.datetime(2025, 5, 2, 3, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def two_sites(database, fixture_catalog, test_campaign):
    """Site A with a principal, a teacher, a class, a seat and an attested lesson; site B with its own staff."""
    with database.transaction() as s:
        a, b = make_site(s, code="M0001"), make_site(s, code="M0002")
        staff = {
            "principal_a": make_account(s, "park", Role.PRINCIPAL, a),
            "teacher_a": make_account(s, "kim", Role.TEACHER, a),
            "principal_b": make_account(s, "choi", Role.PRINCIPAL, b),
            "teacher_b": make_account(s, "lee", Role.TEACHER, b),
            "coordinator": make_account(s, "coord", Role.COORDINATOR),
        }
        group = open_class(s, opened_by=staff["teacher_a"], campaign_id=test_campaign.id, label="3반", level=Level.MIDDLE, grade=2)
        learner = join_class(s, join_code=group.join_code, seat_number=1, pin="2580")
        lesson = fixture_catalog.modules["test-lesson"]
        attest_lesson(s, staff["teacher_a"], group, test_campaign, lesson, delivered_on=dt.date(2025, 5, 1), students_present=20)
    return staff, group, learner


# Each action is something a teacher or principal of site A may do; done by someone of site B it must be refused.
CROSS_SITE = {
    "see a class": lambda s, who, g, learner, c, cat: class_for_staff(s, who, g.id),
    "close a class": lambda s, who, g, learner, c, cat: close_class(s, who, g.id),
    "reopen a class": lambda s, who, g, learner, c, cat: reopen_class(s, who, g.id),
    "change a class": lambda s, who, g, learner, c, cat: update_class(s, who, g.id, expected_size=30, expires_on=None),
    "see the seats": lambda s, who, g, learner, c, cat: seat_list(s, who, g.id),
    "reset a PIN": lambda s, who, g, learner, c, cat: reset_seat_pin(s, who, learner.id),
    "remove a seat": lambda s, who, g, learner, c, cat: remove_seat(s, who, learner.id, c),
    "print join slips": lambda s, who, g, learner, c, cat: join_slips(s, who, [g.id], "https://x"),
    "attest a lesson": lambda s, who, g, learner, c, cat: attest_lesson(
        s, who, g, c, cat.modules["test-lesson"], delivered_on=dt.date(2025, 5, 1), students_present=10
    ),
}
CROSS_SITE_STAFF = {
    "deactivate a teacher": lambda s, who, teacher: set_staff_active(s, who, teacher.id, active=False),
    "reset a teacher's password": lambda s, who, teacher: reissue_one_time_password(s, who, teacher.id),
}


@pytest.mark.parametrize("actor", ["teacher_b", "principal_b", "coordinator"])
@pytest.mark.parametrize("action", list(CROSS_SITE))
def test_site_b_cannot_read_or_change_site_a(database, two_sites, fixture_catalog, test_campaign, actor, action) -> None:
    staff, group, learner = two_sites
    with database.transaction() as s, pytest.raises(NotAllowed):
        CROSS_SITE[action](s, staff[actor], group, learner, test_campaign, fixture_catalog)
    tally("cross-scope attempts through the services (another site's class)", outcome="all refused")
    with database.transaction() as s:  # the same action by site A's own teacher goes through
        CROSS_SITE[action](s, staff["teacher_a"], group, learner, test_campaign, fixture_catalog)


@pytest.mark.parametrize("actor", ["principal_b", "teacher_a", "coordinator"])
@pytest.mark.parametrize("action", list(CROSS_SITE_STAFF))
def test_only_the_own_principal_manages_a_teacher(database, two_sites, actor, action) -> None:
    staff, _, _ = two_sites
    with database.transaction() as s, pytest.raises(NotAllowed):
        CROSS_SITE_STAFF[action](s, staff[actor], staff["teacher_a"])
    tally("cross-scope attempts through the services (another site's teacher)", outcome="all refused")
    with database.transaction() as s:
        CROSS_SITE_STAFF[action](s, staff["principal_a"], staff["teacher_a"])


def test_lists_hold_only_the_viewers_own_site(database, two_sites, test_campaign) -> None:
    staff, group, _ = two_sites
    with database.reading() as s:
        assert [g.id for g in classes_at_site(s, staff["teacher_a"])] == [group.id]
        assert classes_at_site(s, staff["teacher_b"], include_closed=True) == []
        assert [r.username for r in staff_at_site(s, staff["principal_a"], test_campaign)] == ["kim"]
        assert [r.username for r in staff_at_site(s, staff["principal_b"], test_campaign)] == ["lee"]
        assert len(attestations_at_site(s, staff["teacher_a"], test_campaign)) == 1
        assert attestations_at_site(s, staff["principal_b"], test_campaign) == []
        assert own_site(s, staff["teacher_b"]).code == "M0002"
        for refused in (
            lambda: classes_at_site(s, staff["coordinator"]),
            lambda: staff_at_site(s, staff["teacher_a"], test_campaign),
            lambda: attestations_at_site(s, staff["coordinator"], test_campaign),
        ):
            with pytest.raises(NotAllowed):
                refused()


def test_a_new_teacher_lands_at_the_principals_own_site_and_a_deactivated_one_is_refused(database, two_sites) -> None:
    staff, group, _ = two_sites
    with database.transaction() as s:
        teacher, _ = create_teacher(s, staff["principal_b"], username="new.teacher", display_name="새 선생님")
    assert teacher.site_id == staff["principal_b"].site_id
    with database.transaction() as s:
        set_staff_active(s, staff["principal_a"], staff["teacher_a"].id, active=False)
        gone = s.get(type(staff["teacher_a"]), staff["teacher_a"].id)
    with database.transaction() as s, pytest.raises(NotAllowed):
        class_for_staff(s, gone, group.id)


def test_a_certificate_is_only_ever_the_principals_own(database, two_sites, test_campaign) -> None:
    staff, _, _ = two_sites
    with database.transaction() as s, pytest.raises(NotAllowed):
        issue_certificate(s, staff["teacher_a"], test_campaign)
