"""Quiz attempts: the server draws the questions when an attempt starts, and grades it once when submitted."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from safeclass import permissions
from safeclass.content.catalog import Catalog
from safeclass.content.models import Assignment, Campaign, Quiz
from safeclass.db.base import utcnow
from safeclass.db.models import Learner, QuizAttempt
from safeclass.grading import Grade, InvalidAnswers, draw_questions, grade_attempt
from safeclass.services import ServiceError
from safeclass.services.progress import (
    Participant,
    assignment_for,
    assignment_state_query,
    check_assigned,
    completed_modules,
    completion_counter,
    has_passed,
    owner,
    owner_column,
    site_of,
)
from safeclass.services.rollups import bump, count_quiz_answers_in, learner_district

_DRAW = random.SystemRandom()  # the draw must not be predictable from the page or the clock


@dataclass(frozen=True)
class QuizStatus:
    """Where a participant stands with one quiz in a campaign."""

    quiz: Quiz
    unlocked: bool
    attempts_used: int
    passed: bool
    best_percent: int | None
    open_attempt: QuizAttempt | None

    @property
    def attempts_left(self) -> int | None:
        """Attempts still allowed (None: unlimited)."""
        return None if self.quiz.attempts is None else max(0, self.quiz.attempts - self.attempts_used)

    @property
    def can_start(self) -> bool:
        """Whether a new attempt may start now."""
        return self.unlocked and self.attempts_left != 0


def quiz_unlocked(quiz: Quiz, assigned_modules: tuple[str, ...], completed: set[str]) -> bool:
    """A module's quiz opens when that module is completed; a final quiz when every assigned module is."""
    if quiz.module is not None:
        return quiz.module in completed
    return set(assigned_modules) <= completed


def quiz_status(session: Session, participant: Participant, campaign: Campaign, quiz: Quiz) -> QuizStatus:
    """Attempts used, best score, pass, lock and any attempt started but not submitted."""
    check_assigned(participant, campaign, session, quiz_id=quiz.id)
    learner = isinstance(participant, Learner)
    mine = {"who": participant.id, "cid": campaign.id, "quiz_id": quiz.id}
    used, best_score, best_max = session.execute(_SUBMITTED[learner], mine).one()
    open_attempt = session.scalar(_OPEN[learner], mine)
    if open_attempt is not None and open_attempt.content_hash != quiz.content_hash:
        open_attempt = None  # the quiz was edited since: that draw may name questions that no longer exist
    assignment = assignment_for(participant, campaign, session)
    unlocked = quiz_unlocked(quiz, assignment.modules, completed_modules(session, participant, campaign.id))
    return QuizStatus(
        quiz=quiz,
        unlocked=unlocked,
        attempts_used=used or 0,
        passed=has_passed(session, participant, campaign.id, quiz.id),
        best_percent=int(best_score) if best_max else None,
        open_attempt=open_attempt,
    )


def _attempts_of(learner: bool) -> tuple:
    return (
        owner_column(QuizAttempt, learner) == bindparam("who"),
        QuizAttempt.campaign_id == bindparam("cid"),
        QuizAttempt.quiz_id == bindparam("quiz_id"),
    )


# Built once per owner kind: every run of the quiz page asks both.
_SUBMITTED = {
    learner: select(func.count(), func.max(QuizAttempt.score * 100 / QuizAttempt.max_score), func.max(QuizAttempt.max_score)).where(
        *_attempts_of(learner), QuizAttempt.submitted_at.is_not(None)
    )
    for learner in (True, False)
}
_OPEN = {
    learner: select(QuizAttempt)
    .where(*_attempts_of(learner), QuizAttempt.submitted_at.is_(None))
    .order_by(QuizAttempt.started_at.desc())
    .limit(1)
    for learner in (True, False)
}


def start_quiz_attempt(session: Session, participant: Participant, campaign: Campaign, quiz: Quiz) -> QuizAttempt:
    """Draw the questions for a new attempt and store the draw; an attempt already open is returned instead."""
    status = quiz_status(session, participant, campaign, quiz)
    if status.open_attempt is not None:
        return status.open_attempt  # a second tab, a reload or a double click continues the same attempt
    if not status.unlocked:
        raise ServiceError("quiz_locked")
    if status.attempts_left == 0:
        raise ServiceError("no_attempts_left", allowed=quiz.attempts)
    attempt = QuizAttempt(
        attempt_key=secrets.token_urlsafe(24),
        **owner(participant),
        campaign_id=campaign.id,
        quiz_id=quiz.id,
        content_hash=quiz.content_hash,
        drawn=draw_questions(quiz, _DRAW),
        answers={},
    )
    session.add(attempt)
    session.flush()
    return attempt


@dataclass(frozen=True)
class Submission:
    """A submission checked and graded before the write transaction; ``record_submission`` writes it.

    Grading and the reads it needs are the slow part of a submission. Done here, in a read session, they do
    not hold SQLite's write lock (every other student's save waits behind it) nor a PostgreSQL row lock.
    """

    attempt: QuizAttempt
    answers: dict[str, Any]
    grade: Grade | None  # None: the attempt was already graded, and is returned as it is
    learner: bool
    owner_id: int
    campaign_id: str
    first_pass: bool  # passed now and not before, as read: confirmed again inside the write transaction
    site_id: int | None
    assignment: Assignment
    completion_counter: str  # the rollup counter a finished assignment adds
    district: str | None  # where a student's answers count in the question rollup (None: staff, or not counted)


def grade_submission(
    session: Session, participant: Participant, campaign: Campaign, quiz: Quiz, *, attempt_key: str, answers: dict[str, Any]
) -> Submission:
    """Check and grade a submission against its stored draw, reading only (see ``Submission``)."""
    attempt = session.scalar(_BY_KEY, {"attempt_key": attempt_key})
    # Someone else's attempt is "not found": a handle tells a stranger nothing.
    permissions.require_owner(participant, attempt, "attempt_not_found")
    if attempt.quiz_id != quiz.id or attempt.campaign_id != campaign.id:
        raise ServiceError("attempt_not_found")
    learner = isinstance(participant, Learner)
    found = {"attempt": attempt, "answers": answers, "learner": learner, "owner_id": participant.id, "campaign_id": campaign.id}
    if attempt.submitted:
        return Submission(
            **found, grade=None, first_pass=False, site_id=None, assignment=Assignment(), completion_counter="", district=None
        )
    if attempt.content_hash != quiz.content_hash:
        raise ServiceError("quiz_changed")
    try:
        grade = grade_attempt(quiz, list(attempt.drawn), answers)
    except InvalidAnswers as exc:
        raise ServiceError("invalid_answers", detail=str(exc)) from exc
    first_pass = grade.passed and not has_passed(session, participant, campaign.id, quiz.id)
    return Submission(
        **found,
        grade=grade,
        first_pass=first_pass,
        site_id=site_of(participant, session) if first_pass else None,
        assignment=assignment_for(participant, campaign, session) if first_pass else Assignment(),
        completion_counter=completion_counter(participant),
        district=learner_district(session, campaign.id, participant) if learner else None,
    )


def record_submission(session: Session, submission: Submission) -> QuizAttempt:
    """Write a graded submission, once, in a short transaction: the graded attempt, or the first grading if it lost a race."""
    attempt, grade = submission.attempt, submission.grade
    if grade is None:
        return attempt
    now = utcnow().astimezone(dt.UTC)
    # Compare-and-set: of two submissions racing (two tabs, a double tap), only one grades the attempt.
    graded = session.execute(
        _GRADE,
        {
            "attempt_id": attempt.id,
            "g_score": grade.score,
            "g_max_score": grade.max_score,
            "g_passed": grade.passed,
            "g_answers": submission.answers,
            "g_submitted_at": now,
        },
    )
    if graded.rowcount == 0:
        current = session.get(QuizAttempt, attempt.id, populate_existing=True)
        if current is None:  # the seat (and its attempts with it) was removed meanwhile
            raise ServiceError("seat_gone" if submission.learner else "attempt_not_found")
        return current
    values = {
        "score": grade.score,
        "max_score": grade.max_score,
        "passed": grade.passed,
        "answers": submission.answers,
        "submitted_at": now,
    }
    for name, value in values.items():  # what the UPDATE wrote, without reading it back
        set_committed_value(attempt, name, value)
    if submission.learner:
        count_quiz_answers_in(session, submission.campaign_id, submission.district, attempt.quiz_id, submission.answers)
    if not submission.first_pass:
        return attempt
    modules, quizzes = submission.assignment.modules, submission.assignment.quizzes
    query = assignment_state_query(submission.learner, modules, quizzes, other_pass=True)
    done, passed, passed_before = session.execute(
        query, {"who": submission.owner_id, "cid": submission.campaign_id, "quiz_id": attempt.quiz_id, "attempt_id": attempt.id}
    ).one()
    if passed_before:  # another attempt of this quiz passed since it was read: that one counted
        return attempt
    deltas = {"quiz_passes": 1} if submission.learner else {}
    if (modules or quizzes) and done == len(set(modules)) and passed == len(set(quizzes)):
        deltas[submission.completion_counter] = 1
    if submission.site_id is not None and deltas:
        bump(session, submission.campaign_id, submission.site_id, **deltas)
    return attempt


def submit_quiz_attempt(
    session: Session, participant: Participant, campaign: Campaign, quiz: Quiz, *, attempt_key: str, answers: dict[str, Any]
) -> QuizAttempt:
    """Grade the started attempt against its stored draw, once: submitting it again returns the first result.

    In one session; a page grades first in a read session (``grade_submission``) and then writes
    (``record_submission``), so the write lock is held only for the writes.
    """
    return record_submission(session, grade_submission(session, participant, campaign, quiz, attempt_key=attempt_key, answers=answers))


_ATTEMPT = QuizAttempt.__table__
# Built once: the statements' cache keys and compiled SQL are reused on every submission.
_BY_KEY = select(QuizAttempt).where(QuizAttempt.attempt_key == bindparam("attempt_key"))
_GRADE = (
    update(_ATTEMPT)
    .where(_ATTEMPT.c.id == bindparam("attempt_id"), _ATTEMPT.c.submitted_at.is_(None))
    .values(
        {name: bindparam(f"g_{name}", type_=_ATTEMPT.c[name].type) for name in ("score", "max_score", "passed", "answers", "submitted_at")}
    )
)


def module_quiz_status(
    session: Session, participant: Participant, campaign: Campaign, catalog: Catalog, module_id: str
) -> QuizStatus | None:
    """The status of the quiz that follows ``module_id`` in this participant's assignment, if there is one."""
    assignment = assignment_for(participant, campaign, session)
    quiz = next((catalog.quizzes[q] for q in assignment.quizzes if q in catalog.quizzes and catalog.quizzes[q].module == module_id), None)
    return quiz_status(session, participant, campaign, quiz) if quiz is not None else None


def submitted_attempt(session: Session, participant: Participant, attempt_key: str) -> QuizAttempt:
    """One of the participant's own graded attempts, to show its result again."""
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.attempt_key == attempt_key))
    permissions.require_owner(participant, attempt, "attempt_not_found")
    if not attempt.submitted:
        raise ServiceError("attempt_not_found")
    return attempt
