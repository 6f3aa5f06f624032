"""Quiz attempts: the server draws the questions when an attempt starts, and grades it once when submitted."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from safeclass import permissions
from safeclass.content.catalog import Catalog
from safeclass.content.models import Campaign, Quiz
from safeclass.db.base import utcnow
from safeclass.db.models import Learner, QuizAttempt
from safeclass.grading import InvalidAnswers, draw_questions, grade_attempt
from safeclass.services import ServiceError
from safeclass.services.progress import (
    Participant,
    assignment_for,
    check_assigned,
    completed_modules,
    completion_deltas,
    has_passed,
    owner,
    owner_filter,
    site_of,
)
from safeclass.services.rollups import bump, count_quiz_answers

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
    mine = (owner_filter(QuizAttempt, participant), QuizAttempt.campaign_id == campaign.id, QuizAttempt.quiz_id == quiz.id)
    used, best_score, best_max = session.execute(
        select(func.count(), func.max(QuizAttempt.score * 100 / QuizAttempt.max_score), func.max(QuizAttempt.max_score)).where(
            *mine, QuizAttempt.submitted_at.is_not(None)
        )
    ).one()
    open_attempt = session.scalar(
        select(QuizAttempt).where(*mine, QuizAttempt.submitted_at.is_(None)).order_by(QuizAttempt.started_at.desc()).limit(1)
    )
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


def submit_quiz_attempt(
    session: Session, participant: Participant, campaign: Campaign, quiz: Quiz, *, attempt_key: str, answers: dict[str, Any]
) -> QuizAttempt:
    """Grade the started attempt against its stored draw, once: submitting it again returns the first result."""
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.attempt_key == attempt_key))
    # Someone else's attempt is "not found": a handle tells a stranger nothing.
    permissions.require_owner(participant, attempt, "attempt_not_found")
    if attempt.quiz_id != quiz.id or attempt.campaign_id != campaign.id:
        raise ServiceError("attempt_not_found")
    if attempt.submitted:
        return attempt
    if attempt.content_hash != quiz.content_hash:
        raise ServiceError("quiz_changed")
    try:
        grade = grade_attempt(quiz, list(attempt.drawn), answers)
    except InvalidAnswers as exc:
        raise ServiceError("invalid_answers", detail=str(exc)) from exc
    already_passed = has_passed(session, participant, campaign.id, quiz.id)
    # Compare-and-set: of two submissions racing (two tabs, a double tap), only one grades the attempt.
    graded = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(score=grade.score, max_score=grade.max_score, passed=grade.passed, answers=answers, submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)
    if graded.rowcount == 0:
        return attempt
    if isinstance(participant, Learner):
        count_quiz_answers(session, campaign.id, participant, quiz.id, attempt.answers)
    if grade.passed and not already_passed:
        deltas = {"quiz_passes": 1} if isinstance(participant, Learner) else {}
        deltas.update(completion_deltas(session, participant, campaign))
        site_id = site_of(participant, session)
        if site_id is not None and deltas:
            bump(session, campaign.id, site_id, **deltas)
    return attempt


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
