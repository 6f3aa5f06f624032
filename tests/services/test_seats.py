"""Classes and seats: no silent duplicate class, close/reopen and expiry, the seat list, reset PIN, remove seat, join slips."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from safeclass import clock, throttle
from safeclass.db.models import ClassGroup, Learner, SiteRollup
from safeclass.documents import join_slips_pdf
from safeclass.domain import Level, Role
from safeclass.services import ServiceError
from safeclass.services.classes import (
    close_class,
    join_class,
    join_slips,
    open_class,
    remove_seat,
    reopen_class,
    reset_seat_pin,
    resume_seat,
    seat_list,
    seat_token,
    update_class,
)
from safeclass.services.progress import attest_lesson, record_module_progress
from safeclass.services.rollups import COUNTERS, rebuild_rollups
from tests.factories import make_account, make_site
from tests.services.test_progress import RIGHT, take_quiz

KEY = "test-key-" + "x" * 24
IN_CAMPAIGN = dt.datetime(2025, 5, 2, 3, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _during_the_campaign():
    with clock.frozen_at(IN_CAMPAIGN):
        yield


@pytest.fixture
def teacher(database):
    with database.transaction() as s:
        return make_account(s, "kim", Role.TEACHER, make_site(s))


def _open(database, teacher, label: str = "3반", **fields) -> ClassGroup:
    with database.transaction() as s:
        return open_class(s, opened_by=teacher, campaign_id="test-campaign", label=label, level=Level.MIDDLE, grade=2, **fields)


def test_a_second_click_or_a_repeated_label_never_makes_a_second_class(database, teacher) -> None:
    first = _open(database, teacher, "3반", expected_size=25, expires_on=dt.date(2026, 2, 28))
    assert (first.grade, first.expected_size, first.expires_on) == (2, 25, dt.date(2026, 2, 28))
    for again in ("3반", " 3반 ", "3반"):
        with pytest.raises(ServiceError) as refused:
            _open(database, teacher, again)
        assert refused.value.code == "class_label_taken" and refused.value.params["code"] == first.join_code
    with database.transaction() as s:
        close_class(s, teacher, first.id)
    with pytest.raises(ServiceError):
        _open(database, teacher, "3반")  # a closed class is reopened, not shadowed by a twin
    _open(database, teacher, "2-A")
    with pytest.raises(ServiceError):
        _open(database, teacher, "2-a")
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(ClassGroup)) == 2


def test_the_database_itself_refuses_a_duplicate_label(database, teacher) -> None:
    group = _open(database, teacher, "3반")
    from sqlalchemy.exc import IntegrityError

    def insert(code: str, label: str, grade: int | None) -> None:  # two servers racing past the check
        with database.transaction() as s:
            s.add(ClassGroup(site_id=group.site_id, campaign_id="test-campaign", join_code=code, label=label, level="middle", grade=grade))

    _open(database, teacher, "A반")
    for label in ("3반", "a반"):  # case is ignored
        with pytest.raises(IntegrityError):
            insert("ZZZZZZ", label, 2)
    insert("YYYYYY", "3반", None)  # no grade is a grade of its own, and it too is unique
    with pytest.raises(IntegrityError):
        insert("XXXXXX", "3반", None)


def test_the_same_label_in_another_grade_is_another_class(database, teacher) -> None:
    second_grade = _open(database, teacher, "3반")
    with database.transaction() as s:
        first_grade = open_class(s, opened_by=teacher, campaign_id="test-campaign", label="3반", level=Level.MIDDLE, grade=1)
    assert first_grade.join_code != second_grade.join_code
    with pytest.raises(ServiceError) as refused, database.transaction() as s:
        open_class(s, opened_by=teacher, campaign_id="test-campaign", label="3반", level=Level.MIDDLE, grade=1)
    assert refused.value.params["code"] == first_grade.join_code
    with pytest.raises(ServiceError), database.transaction() as s:  # without a grade: most likely one of them again
        open_class(s, opened_by=teacher, campaign_id="test-campaign", label="3반", level=Level.MIDDLE, grade=None)
    with database.transaction() as s:
        open_class(s, opened_by=teacher, campaign_id="test-campaign", label="4반", level=Level.MIDDLE, grade=None)
    with pytest.raises(ServiceError), database.transaction() as s:  # and a graded twin of a class without a grade
        open_class(s, opened_by=teacher, campaign_id="test-campaign", label="4반", level=Level.MIDDLE, grade=3)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"grade": 7}, "class_grade_range"),
        ({"expected_size": 0}, "class_size_range"),
        ({"expected_size": 61}, "class_size_range"),
        ({"expires_on": dt.date(2025, 5, 1)}, "class_expiry_past"),
        ({"label": " "}, "class_label_length"),
    ],
)
def test_class_fields_are_checked(database, teacher, fields, code) -> None:
    values = {"label": "3반", "grade": 2, **fields}
    with pytest.raises(ServiceError) as refused, database.transaction() as s:
        open_class(s, opened_by=teacher, campaign_id="test-campaign", level=Level.MIDDLE, **values)
    assert refused.value.code == code


def test_closed_and_expired_codes_admit_nobody_new(database, teacher) -> None:
    group = _open(database, teacher, expires_on=dt.date(2025, 5, 10))
    with database.transaction() as s:
        close_class(s, teacher, group.id)
    with pytest.raises(ServiceError) as refused, database.transaction() as s:
        join_class(s, join_code=group.join_code, seat_number=1, pin="2580")
    assert refused.value.code == "class_not_found"
    with database.transaction() as s:
        reopen_class(s, teacher, group.id)
        learner = join_class(s, join_code=group.join_code, seat_number=1, pin="2580")
        token = seat_token(learner, KEY)
    with clock.frozen_at(dt.datetime(2025, 5, 11, 3, tzinfo=dt.UTC)):
        with pytest.raises(ServiceError) as expired, database.transaction() as s:
            join_class(s, join_code=group.join_code, seat_number=2, pin="1357")
        assert expired.value.code == "class_code_expired"
        with database.reading() as s:
            assert resume_seat(s, token, KEY) is not None  # a student already seated carries on
        with database.transaction() as s:
            update_class(s, teacher, group.id, expected_size=None, expires_on=dt.date(2025, 6, 30))
            join_class(s, join_code=group.join_code, seat_number=2, pin="1357")


def test_the_seat_list_shows_every_seat_and_activity_never_a_name(database, teacher, fixture_catalog, test_campaign) -> None:
    group = _open(database, teacher, expected_size=4)
    with database.transaction() as s:
        first = join_class(s, join_code=group.join_code, seat_number=1, pin="2580")
        join_class(s, join_code=group.join_code, seat_number=3, pin="1357")
    later = IN_CAMPAIGN + dt.timedelta(hours=2)
    with clock.frozen_at(later), database.transaction() as s:
        record_module_progress(s, first, test_campaign, fixture_catalog.modules["test-lesson"], sections_done=6, completed=True)
    with database.reading() as s:
        seats = seat_list(s, teacher, group.id)
    assert [(r.seat_number, r.joined) for r in seats] == [(1, True), (2, False), (3, True), (4, False)]
    assert seats[0].last_active_at == later and seats[0].modules_completed == 1
    assert seats[2].last_active_at == IN_CAMPAIGN and seats[2].modules_completed == 0
    assert not any("name" in field for field in type(seats[0]).__dataclass_fields__)
    with database.transaction() as s:
        join_class(s, join_code=group.join_code, seat_number=9, pin="1111")  # beyond the expected size: still listed
    with database.reading() as s:
        assert [r.seat_number for r in seat_list(s, teacher, group.id)][-1] == 9
    with pytest.raises(ServiceError) as refused, database.transaction() as s:
        update_class(s, teacher, group.id, expected_size=5, expires_on=None)
    assert refused.value.code == "class_size_below_seats"


def test_reset_pin_lets_the_next_student_choose_one_and_signs_out_remembered_browsers(database, teacher) -> None:
    group = _open(database, teacher)
    with database.transaction() as s:
        learner = join_class(s, join_code=group.join_code, seat_number=5, pin="2580")
        token = seat_token(learner, KEY)
    for _ in range(3):  # the student forgot the PIN and guessed
        with pytest.raises(ServiceError), database.transaction() as s:
            join_class(s, join_code=group.join_code, seat_number=5, pin="0000")
    with database.transaction() as s:
        reset_seat_pin(s, teacher, learner.id)
    with database.reading() as s:
        assert s.get(Learner, learner.id).pin_hash is None
        assert resume_seat(s, token, KEY) is None  # the old browser's seat token no longer opens the seat
        assert throttle.failures(s, "seat_pin", f"{group.id}:5") == 0
    with database.transaction() as s:
        again = join_class(s, join_code=group.join_code, seat_number=5, pin="4826")
    assert again.id == learner.id  # same seat, same progress, new PIN
    with database.reading() as s:
        assert s.scalar(select(SiteRollup.learners_joined)) == 1


def _counters(database) -> dict[str, int]:
    with database.reading() as s:
        row = s.scalar(select(SiteRollup))
        return {c: getattr(row, c) for c in COUNTERS}


def test_removing_a_seat_takes_exactly_its_share_out_of_the_counters(database, teacher, fixture_catalog, test_campaign) -> None:
    group = _open(database, teacher, expected_size=30)
    lesson, quiz = fixture_catalog.modules["test-lesson"], fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        seats = [join_class(s, join_code=group.join_code, seat_number=n, pin="2580") for n in (1, 2, 3)]
        for learner in seats[:2]:
            record_module_progress(s, learner, test_campaign, lesson, sections_done=6, completed=True)
        record_module_progress(s, seats[2], test_campaign, lesson, sections_done=1, completed=False)
        attest_lesson(s, teacher, s.get(ClassGroup, group.id), test_campaign, lesson, delivered_on=dt.date(2025, 5, 1), students_present=30)
    take_quiz(database, seats[0], test_campaign, quiz, RIGHT)  # seat 1 completes everything
    before = _counters(database)
    assert (before["learners_joined"], before["learners_completed"], before["quiz_passes"]) == (3, 1, 1)
    for learner in (seats[0], seats[2]):
        with database.transaction() as s:
            remove_seat(s, teacher, learner.id, test_campaign)
        incremental = _counters(database)
        with database.transaction() as s:
            rebuild_rollups(s, test_campaign)
        assert _counters(database) == incremental
    left = {"learners_joined": 1, "learners_started": 1, "learners_completed": 0, "module_completions": 1, "quiz_passes": 0}
    assert incremental == {**before, **left}  # the attested lesson stays: it was the class's, not the seat's
    with pytest.raises(ServiceError) as gone, database.transaction() as s:
        remove_seat(s, teacher, seats[0].id, test_campaign)
    assert gone.value.code == "seat_gone"


def test_join_slips_are_one_page_per_class_with_the_code_and_korean_steps(database, teacher) -> None:
    groups = [_open(database, teacher, label, expires_on=dt.date(2026, 2, 28)) for label in ("1반", "2반")]
    with database.reading() as s:
        slips = join_slips(s, teacher, [g.id for g in groups], "https://safeclass.example.kr")
    reader = PdfReader(io.BytesIO(join_slips_pdf(slips)))
    assert len(reader.pages) == 2
    for page, group in zip(reader.pages, groups, strict=True):
        text = page.extract_text()
        assert f"{group.join_code[:3]}-{group.join_code[3:]}" in text
        assert "학급 코드" in text and "비밀번호" in text and "https://safeclass.example.kr" in text and group.label in text


def test_an_unknown_level_is_refused_with_the_levels_listed(database, teacher) -> None:
    with pytest.raises(ServiceError) as refused, database.transaction() as s:
        open_class(s, opened_by=teacher, campaign_id="test-campaign", label="3반", level="college", grade=None)
    assert refused.value.code == "class_level_unknown" and "middle" in refused.value.params["levels"]
