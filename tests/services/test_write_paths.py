"""The fast write paths keep their meaning: a submission graded before its write, one-read throttle tiers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from safeclass import clock, throttle
from safeclass.db.models import Learner, QuizAttempt, SiteDayRollup, SiteRollup
from safeclass.domain import Role
from safeclass.services import ServiceError
from safeclass.services.accounts import staff_at_site
from safeclass.services.progress import record_module_progress, site_of
from safeclass.services.quizzes import grade_submission, record_submission, start_quiz_attempt
from safeclass.services.rollups import bump
from tests.factories import make_account, make_class, make_learners, make_site, right_answer
from tests.services.test_progress import RIGHT, WRONG


@pytest.fixture
def ready(database, fixture_catalog, test_campaign):
    """Two learners with the lesson completed and the quiz started; their attempt keys."""
    quiz = fixture_catalog.quizzes["test-quiz"]
    with database.transaction() as s:
        learners = make_learners(s, make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))), 2)
        for learner in learners:
            record_module_progress(s, learner, test_campaign, fixture_catalog.modules["test-lesson"], sections_done=6, completed=True)
        keys = [start_quiz_attempt(s, learner, test_campaign, quiz).attempt_key for learner in learners]
    return learners, keys


def _counts(database) -> tuple[int, int]:
    with database.reading() as s:
        return s.execute(select(SiteRollup.quiz_passes, SiteRollup.learners_completed)).one()


def _grade(database, learner, campaign, quiz, key, answers):
    with database.reading() as s:  # as the quiz page does: graded in a read session
        return grade_submission(s, learner, campaign, quiz, attempt_key=key, answers=answers)


def test_a_submission_graded_in_a_read_session_is_written_and_counted_once(database, ready, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    (learner, _), (key, _) = ready
    first = _grade(database, learner, test_campaign, quiz, key, RIGHT)
    second = _grade(database, learner, test_campaign, quiz, key, WRONG)  # a second tab graded meanwhile
    with database.reading() as s:  # grading wrote nothing
        assert s.scalar(select(QuizAttempt.submitted_at).where(QuizAttempt.attempt_key == key)) is None
    with database.transaction() as s:
        written = record_submission(s, first)
    assert written.passed and written.score == 4 and written.submitted
    with database.transaction() as s:  # the second tab loses the compare-and-set: the first grading comes back
        again = record_submission(s, second)
    assert again.passed and again.score == 4
    assert _counts(database) == (1, 1)
    # Submitting a graded attempt again is read-only: nothing to write.
    assert _grade(database, learner, test_campaign, quiz, key, WRONG).grade is None


def test_a_pass_counted_between_grading_and_writing_is_not_counted_twice(database, ready, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    (learner, _), (key, _) = ready
    graded = _grade(database, learner, test_campaign, quiz, key, RIGHT)
    assert graded.first_pass  # as read: no pass yet
    with database.transaction() as s:  # another attempt of the same quiz passed (and was counted) meanwhile
        s.add(QuizAttempt(attempt_key="other-tab", learner_id=learner.id, campaign_id=test_campaign.id, quiz_id=quiz.id,
                          content_hash=quiz.content_hash, drawn=[], answers={}, score=4, max_score=4, passed=True,
                          submitted_at=clock.now()))  # fmt: skip
        bump(s, test_campaign.id, site_of(learner, s), quiz_passes=1, learners_completed=1)
    with database.transaction() as s:
        assert record_submission(s, graded).passed
    assert _counts(database) == (1, 1)  # the write re-checked inside its transaction


def test_a_seat_removed_between_grading_and_writing_is_refused(database, ready, fixture_catalog, test_campaign) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    (learner, _), (key, _) = ready
    graded = _grade(database, learner, test_campaign, quiz, key, RIGHT)
    with database.transaction() as s:
        s.delete(s.get(Learner, learner.id))
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        record_submission(s, graded)
    assert refused.value.code == "seat_gone"
    assert _counts(database) == (0, 0)


def test_bump_creates_missing_rows_and_adds_to_existing_ones(database) -> None:
    with database.transaction() as s:
        site = make_site(s)  # has its row for the test campaign, none for "c1"
    with clock.frozen_at(dt.datetime(2025, 4, 1, 3, 0, tzinfo=dt.UTC)):
        for campaign_id in ("c1", "c1", "c1", "test-campaign"):
            with database.transaction() as s:
                bump(s, campaign_id, site.id, learners_completed=1, quiz_passes=2)
        with database.transaction() as s:
            bump(s, "c1", site.id, learners_joined=1)  # another set of counters on the same row
    counts = (SiteRollup.campaign_id, SiteRollup.learners_completed, SiteRollup.quiz_passes, SiteRollup.learners_joined)
    with database.reading() as s:
        totals = {tuple(r) for r in s.execute(select(*counts))}
        daily = {tuple(r) for r in s.execute(select(SiteDayRollup.campaign_id, SiteDayRollup.day, SiteDayRollup.learners_completed))}
    assert totals == {("c1", 3, 6, 1), ("test-campaign", 1, 2, 0)}
    assert daily == {("c1", dt.date(2025, 4, 1), 3), ("test-campaign", dt.date(2025, 4, 1), 1)}


def test_every_throttle_tier_holds_from_one_read(database) -> None:
    # seat_pin: at most 5 failures in 5 minutes and 10 in an hour. Failures 6 minutes apart never trip the
    # short tier; the tenth trips the long one, until the first ages out of the hour.
    start = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)
    short, long = throttle.LIMITS["seat_pin"]
    assert (short.failures, short.window, long.failures, long.window) == (5, dt.timedelta(minutes=5), 10, dt.timedelta(hours=1))
    for n in range(10):
        with clock.frozen_at(start + n * dt.timedelta(minutes=6)), database.transaction() as s:
            assert throttle.wait_time(s, "seat_pin", "1:3") is None
            throttle.record_failure(s, "seat_pin", "1:3")
    with clock.frozen_at(start + dt.timedelta(minutes=55)), database.reading() as s:
        assert throttle.wait_time(s, "seat_pin", "1:3") == dt.timedelta(minutes=5)  # the first failure ages out at 60
    with clock.frozen_at(start + dt.timedelta(minutes=60, seconds=1)), database.reading() as s:
        assert throttle.wait_time(s, "seat_pin", "1:3") is None
    # Five within five minutes trip the short tier, which then waits longer than the long one.
    later = start + dt.timedelta(hours=3)
    for n in range(5):
        with clock.frozen_at(later + n * dt.timedelta(seconds=30)), database.transaction() as s:
            throttle.record_failure(s, "seat_pin", "1:4")
    with clock.frozen_at(later + dt.timedelta(minutes=3)), database.reading() as s:
        assert throttle.wait_time(s, "seat_pin", "1:4") == dt.timedelta(minutes=2)


def test_staff_completion_counts_the_staff_quizzes_too(database, fixture_catalog, test_campaign) -> None:
    # The fixture assigns staff a module only; with a quiz as well, the module alone is not completion.
    campaign = test_campaign.model_copy(
        update={"audiences": test_campaign.audiences.model_copy(update={"staff": test_campaign.audiences.principal})}
    )
    training, quiz = fixture_catalog.modules["test-training"], fixture_catalog.quizzes["test-certification"]
    with database.transaction() as s:
        site = make_site(s)
        principal = make_account(s, "park", Role.PRINCIPAL, site)
        kim, lee = make_account(s, "kim", Role.TEACHER, site), make_account(s, "lee", Role.TEACHER, site)
        for teacher in (kim, lee):
            record_module_progress(s, teacher, campaign, training, sections_done=9, completed=True)
        attempt = start_quiz_attempt(s, kim, campaign, quiz)
        answers = {q.id: right_answer(q) for q in quiz.questions if q.id in attempt.drawn}
        key = attempt.attempt_key
    graded = _grade(database, kim, campaign, quiz, key, answers)
    with database.transaction() as s:
        assert record_submission(s, graded).passed
    with database.reading() as s:
        rows = {r.username: r.completed for r in staff_at_site(s, principal, campaign)}
    assert rows == {"kim": True, "lee": False}
