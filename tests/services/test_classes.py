"""Opening classes and joining them with a code, a seat and an optional PIN."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from safeclass.db.models import Learner, SiteRollup
from safeclass.domain import Level, Role
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.classes import JOIN_CODE_ALPHABET, join_class, open_class
from tests.factories import make_account, make_class, make_site


def test_open_class_gives_a_readable_code_at_the_teachers_site(database) -> None:
    with database.transaction() as s:
        site = make_site(s)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        group = make_class(s, teacher)
        assert len(group.join_code) == 6 and set(group.join_code) <= set(JOIN_CODE_ALPHABET)
        assert group.site_id == site.id and group.level == "middle"


def test_only_site_staff_open_classes(database) -> None:
    with database.transaction() as s:
        coordinator = make_account(s, "coord", Role.COORDINATOR)
        with pytest.raises(NotAllowed):
            open_class(s, opened_by=coordinator, campaign_id="test-campaign", label="1반", level=Level.MIDDLE, grade=None)


def test_join_is_case_and_space_insensitive_and_counts_once(database) -> None:
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)))
        code = group.join_code
    with database.transaction() as s:
        first = join_class(s, join_code=f" {code[:3].lower()}-{code[3:]} ", seat_number=7, pin=None)
    with database.transaction() as s:
        again = join_class(s, join_code=code, seat_number=7, pin=None)
    assert first.id == again.id
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(Learner)) == 1
        assert s.scalar(select(SiteRollup.learners_joined)) == 1


def test_pin_protects_a_seat(database) -> None:
    with database.transaction() as s:
        code = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))).join_code
        join_class(s, join_code=code, seat_number=3, pin="4821")
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        join_class(s, join_code=code, seat_number=3, pin="0000")
    assert refused.value.code == "seat_pin_mismatch"
    with database.transaction() as s, pytest.raises(ServiceError):
        join_class(s, join_code=code, seat_number=3, pin=None)
    with database.transaction() as s:
        assert join_class(s, join_code=code, seat_number=3, pin="4821").seat_number == 3


@pytest.mark.parametrize(
    ("code", "seat", "pin", "error"),
    [
        ("NOPE99", 1, None, "class_not_found"),
        (None, 0, None, "seat_out_of_range"),
        (None, 61, None, "seat_out_of_range"),
        (None, 2, "12a4", "pin_format"),
    ],
)
def test_bad_join_input_is_refused_with_its_reason(database, code, seat, pin, error) -> None:
    with database.transaction() as s:
        real = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))).join_code
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        join_class(s, join_code=code or real, seat_number=seat, pin=pin)
    assert refused.value.code == error
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(Learner)) == 0
