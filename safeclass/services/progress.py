"""Recording learning: module progress, quiz attempts, scenario choices and lesson attestations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeclass.content.models import Assignment, Campaign, Module, Quiz, ScenarioSection
from safeclass.db.base import utcnow
from safeclass.db.models import Account, ClassGroup, Learner, LessonAttestation, ModuleProgress, QuizAttempt, ScenarioChoice
from safeclass.domain import Role
from safeclass.grading import InvalidAnswers, grade_attempt
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.rollups import bump

Participant = Learner | Account


def _owner(participant: Participant) -> dict[str, int]:
    return {"learner_id": participant.id} if isinstance(participant, Learner) else {"account_id": participant.id}


def _owner_filter(model, participant: Participant):  # noqa: ANN001
    if isinstance(participant, Learner):
        return model.learner_id == participant.id
    return model.account_id == participant.id


def assignment_for(participant: Participant, campaign: Campaign, session: Session) -> Assignment:
    """What the campaign asks this participant to complete."""
    if isinstance(participant, Learner):
        level = session.get(ClassGroup, participant.class_group_id).level
        return campaign.audiences.students.for_level(level)
    if participant.role == Role.PRINCIPAL:
        return campaign.audiences.principal
    return campaign.audiences.staff


def _site_of(participant: Participant, session: Session) -> int | None:
    if isinstance(participant, Learner):
        return session.get(ClassGroup, participant.class_group_id).site_id
    return participant.site_id


def record_module_progress(
    session: Session, participant: Participant, campaign: Campaign, module: Module, *, sections_done: int, completed: bool
) -> ModuleProgress:
    """Save how far the participant is through a module; the first completion counts in the rollup."""
    _check_assigned(participant, campaign, session, module_id=module.id)
    sections_done = max(0, min(sections_done, len(module.sections)))
    progress = session.scalar(
        select(ModuleProgress).where(
            _owner_filter(ModuleProgress, participant), ModuleProgress.campaign_id == campaign.id, ModuleProgress.module_id == module.id
        )
    )
    site_id = _site_of(participant, session)
    deltas: dict[str, int] = {}
    if progress is None:
        if isinstance(participant, Learner) and not _has_any_progress(session, participant, campaign.id):
            deltas["learners_started"] = 1
        progress = ModuleProgress(**_owner(participant), campaign_id=campaign.id, module_id=module.id, content_hash=module.content_hash)
        session.add(progress)
    progress.sections_done = max(progress.sections_done or 0, sections_done)
    newly_completed = completed and progress.completed_at is None
    if newly_completed:
        progress.completed_at = utcnow()
        progress.content_hash = module.content_hash
        progress.sections_done = len(module.sections)
        if isinstance(participant, Learner):
            deltas["module_completions"] = 1
    session.flush()
    if newly_completed:
        deltas.update(_completion_deltas(session, participant, campaign))
    if site_id is not None and deltas:
        bump(session, campaign.id, site_id, **deltas)
    return progress


def learner_progress(session: Session, learner_id: int, campaign_id: str) -> tuple[Learner, ClassGroup, dict[str, ModuleProgress]] | None:
    """A learner, their class and their progress by module id; None if the seat no longer exists."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        return None
    query = select(ModuleProgress).where(ModuleProgress.learner_id == learner_id, ModuleProgress.campaign_id == campaign_id)
    return learner, session.get(ClassGroup, learner.class_group_id), {p.module_id: p for p in session.scalars(query)}


def submit_quiz_attempt(
    session: Session,
    participant: Participant,
    campaign: Campaign,
    quiz: Quiz,
    *,
    attempt_key: str,
    drawn: list[str],
    answers: dict[str, Any],
) -> QuizAttempt:
    """Grade and record an attempt; submitting the same ``attempt_key`` again returns the first record."""
    existing = session.scalar(select(QuizAttempt).where(QuizAttempt.attempt_key == attempt_key))
    if existing is not None:
        if existing.learner_id != _owner(participant).get("learner_id") or existing.account_id != _owner(participant).get("account_id"):
            raise ServiceError("attempt_key_reused")
        return existing
    _check_assigned(participant, campaign, session, quiz_id=quiz.id)
    used = session.scalar(
        select(func.count()).select_from(QuizAttempt).where(_owner_filter(QuizAttempt, participant), QuizAttempt.quiz_id == quiz.id)
    )
    if quiz.attempts is not None and used >= quiz.attempts:
        raise ServiceError("no_attempts_left", allowed=quiz.attempts)
    try:
        grade = grade_attempt(quiz, drawn, answers)
    except InvalidAnswers as exc:
        raise ServiceError("invalid_answers", detail=str(exc)) from exc
    already_passed = _has_passed(session, participant, quiz.id)
    attempt = QuizAttempt(
        attempt_key=attempt_key,
        **_owner(participant),
        campaign_id=campaign.id,
        quiz_id=quiz.id,
        content_hash=quiz.content_hash,
        score=grade.score,
        max_score=grade.max_score,
        passed=grade.passed,
        answers={"drawn": drawn, "answers": answers},
    )
    stored = _insert_once(session, attempt, select(QuizAttempt).where(QuizAttempt.attempt_key == attempt_key))
    if stored is not attempt:
        return stored
    if grade.passed and not already_passed:
        deltas = {"quiz_passes": 1} if isinstance(participant, Learner) else {}
        deltas.update(_completion_deltas(session, participant, campaign))
        site_id = _site_of(participant, session)
        if site_id is not None and deltas:
            bump(session, campaign.id, site_id, **deltas)
    return attempt


def record_scenario_choice(
    session: Session,
    participant: Participant,
    campaign: Campaign,
    module: Module,
    scenario: ScenarioSection,
    *,
    run_key: str,
    node_id: str,
    choice_index: int,
) -> ScenarioChoice:
    """Record a choice at a node of a scenario run; the same node in the same run is recorded once."""
    nodes = {n.id: n for n in scenario.nodes}
    node = nodes.get(node_id)
    if node is None or node.is_ending or not 0 <= choice_index < len(node.choices):
        raise ServiceError("invalid_choice", node=node_id)
    existing = session.scalar(select(ScenarioChoice).where(ScenarioChoice.run_key == run_key, ScenarioChoice.node_id == node_id))
    if existing is not None:
        return existing
    choice = node.choices[choice_index]
    row = ScenarioChoice(
        run_key=run_key,
        **_owner(participant),
        campaign_id=campaign.id,
        module_id=module.id,
        scenario_id=scenario.id,
        node_id=node_id,
        choice_index=choice_index,
        points=choice.points,
        critical=choice.critical,
        content_hash=module.content_hash,
    )
    return _insert_once(session, row, select(ScenarioChoice).where(ScenarioChoice.run_key == run_key, ScenarioChoice.node_id == node_id))


def attest_lesson(
    session: Session,
    teacher: Account,
    class_group: ClassGroup,
    campaign: Campaign,
    module: Module,
    *,
    delivered_on: dt.date,
    students_present: int,
) -> LessonAttestation:
    """Record that a lesson was taught to a whole class without devices; re-attesting corrects the record."""
    if teacher.role not in (Role.TEACHER, Role.PRINCIPAL) or teacher.site_id != class_group.site_id:
        raise NotAllowed("attest_lesson")
    if module.id not in campaign.audiences.students.for_level(class_group.level).modules:
        raise ServiceError("module_not_for_class", module=module.id)
    if not 1 <= students_present <= 60:
        raise ServiceError("students_present_range")
    if delivered_on > dt.date.today() or delivered_on < campaign.period.start:
        raise ServiceError("delivered_on_range", start=campaign.period.start.isoformat())
    row = session.scalar(
        select(LessonAttestation).where(LessonAttestation.class_group_id == class_group.id, LessonAttestation.module_id == module.id)
    )
    if row is None:
        row = LessonAttestation(
            class_group_id=class_group.id,
            campaign_id=campaign.id,
            module_id=module.id,
            content_hash=module.content_hash,
            attested_by_id=teacher.id,
            delivered_on=delivered_on,
            students_present=students_present,
        )
        session.add(row)
        bump(session, campaign.id, class_group.site_id, lessons_attested=1, students_attested=students_present)
    else:
        bump(session, campaign.id, class_group.site_id, students_attested=students_present - row.students_present)
        row.delivered_on, row.students_present, row.attested_by_id = delivered_on, students_present, teacher.id
        row.content_hash = module.content_hash
    session.flush()
    return row


# --- helpers ----------------------------------------------------------------------------------


def _insert_once(session: Session, row, existing):  # noqa: ANN001
    """Insert ``row``; if a concurrent request inserted the same unique key first, return that row instead."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return session.scalar(existing)
    return row


def _check_assigned(participant: Participant, campaign: Campaign, session: Session, *, module_id: str = "", quiz_id: str = "") -> None:
    assignment = assignment_for(participant, campaign, session)
    if module_id and module_id not in assignment.modules:
        raise ServiceError("not_assigned", item=module_id)
    if quiz_id and quiz_id not in assignment.quizzes:
        raise ServiceError("not_assigned", item=quiz_id)


def _has_any_progress(session: Session, learner: Learner, campaign_id: str) -> bool:
    query = select(ModuleProgress.id).where(ModuleProgress.learner_id == learner.id, ModuleProgress.campaign_id == campaign_id)
    return session.scalar(query.limit(1)) is not None


def _has_passed(session: Session, participant: Participant, quiz_id: str) -> bool:
    query = select(QuizAttempt.id).where(_owner_filter(QuizAttempt, participant), QuizAttempt.quiz_id == quiz_id, QuizAttempt.passed)
    return session.scalar(query.limit(1)) is not None


def has_completed_assignment(session: Session, participant: Participant, campaign: Campaign) -> bool:
    """Whether every assigned module is complete and every assigned quiz passed."""
    assignment = assignment_for(participant, campaign, session)
    if not assignment.modules and not assignment.quizzes:
        return False
    done = session.scalar(
        select(func.count())
        .select_from(ModuleProgress)
        .where(
            _owner_filter(ModuleProgress, participant),
            ModuleProgress.campaign_id == campaign.id,
            ModuleProgress.module_id.in_(assignment.modules),
            ModuleProgress.completed_at.is_not(None),
        )
    )
    passed = session.scalar(
        select(func.count(func.distinct(QuizAttempt.quiz_id))).where(
            _owner_filter(QuizAttempt, participant),
            QuizAttempt.campaign_id == campaign.id,
            QuizAttempt.quiz_id.in_(assignment.quizzes),
            QuizAttempt.passed,
        )
    )
    return done == len(set(assignment.modules)) and passed == len(set(assignment.quizzes))


def _completion_deltas(session: Session, participant: Participant, campaign: Campaign) -> dict[str, int]:
    # Called only right after an item was newly completed or passed, so the participant was not complete
    # before this action: completing the whole assignment now is a transition, counted exactly once.
    if not has_completed_assignment(session, participant, campaign):
        return {}
    if isinstance(participant, Learner):
        return {"learners_completed": 1}
    return {"principals_certified": 1} if participant.role == Role.PRINCIPAL else {"staff_completed": 1}
