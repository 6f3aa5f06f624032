"""Recording learning: module progress, quiz attempts, scenario choices and lesson attestations."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeclass import clock, permissions
from safeclass.content.models import Assignment, Campaign, CheckSection, Module, ScenarioSection
from safeclass.db.base import utcnow
from safeclass.db.models import Account, CheckAnswer, ClassGroup, Learner, LessonAttestation, ModuleProgress, QuizAttempt, ScenarioChoice
from safeclass.domain import Role
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.rollups import bump, count_check_answer

Participant = Learner | Account


def owner(participant: Participant) -> dict[str, int]:
    """The owner columns of a row belonging to ``participant``."""
    return {"learner_id": participant.id} if isinstance(participant, Learner) else {"account_id": participant.id}


def owner_filter(model, participant: Participant):  # noqa: ANN001
    """A WHERE clause selecting ``participant``'s rows of ``model``."""
    return owner_column(model, isinstance(participant, Learner)) == participant.id


def owner_column(model, learner: bool):  # noqa: ANN001
    """The column naming the owner of ``model``'s rows: the seat for a student, the account for staff."""
    return model.learner_id if learner else model.account_id


def _class_of(session: Session, learner: Learner) -> ClassGroup:
    # One action asks for the learner's class several times (assignment, site, completion). The session's
    # identity map holds objects weakly, so without a reference kept here each ask was a new SELECT.
    held = session.info.setdefault("safeclass_classes", {})
    group = held.get(learner.class_group_id)
    if group is None:
        group = held[learner.class_group_id] = session.scalars(_CLASS, {"class_id": learner.class_group_id}).one()
    return group


# A statement built once rather than ``session.get``, which builds its load anew each call (half the cost of
# the read; the same for ``seat``).
_CLASS = select(ClassGroup).where(ClassGroup.id == bindparam("class_id"))


def assignment_for(participant: Participant, campaign: Campaign, session: Session) -> Assignment:
    """What the campaign asks this participant to complete."""
    if isinstance(participant, Learner):
        return campaign.audiences.students.for_level(_class_of(session, participant).level)
    if participant.role == Role.PRINCIPAL:
        return campaign.audiences.principal
    return campaign.audiences.staff


def site_of(participant: Participant, session: Session) -> int | None:
    """The site a participant belongs to."""
    if isinstance(participant, Learner):
        return _class_of(session, participant).site_id
    return participant.site_id


def record_module_progress(
    session: Session,
    participant: Participant,
    campaign: Campaign,
    module: Module,
    *,
    sections_done: int,
    completed: bool,
    position: int | None = None,
    alternative: bool = False,
) -> ModuleProgress:
    """Save how far the participant is through a module; the first completion counts in the rollup.

    ``position`` is the section on screen (where a closed tab reopens); ``alternative`` completes the
    module through its content warning's alternative activity, which counts as completed everywhere.
    """
    check_assigned(participant, campaign, session, module_id=module.id)
    if alternative and module.content_warning is None:
        raise ServiceError("no_alternative", module=module.id)
    sections_done = max(0, min(sections_done, len(module.sections)))
    progress = _progress_in(session, participant, campaign.id, module.id)
    site_id = site_of(participant, session)
    deltas: dict[str, int] = {}
    if progress is None:
        if isinstance(participant, Learner) and not _has_any_progress(session, participant, campaign.id):
            deltas["learners_started"] = 1
        progress = ModuleProgress(**owner(participant), campaign_id=campaign.id, module_id=module.id, content_hash=module.content_hash)
        session.add(progress)
    progress.sections_done = max(progress.sections_done or 0, sections_done)
    if position is not None:
        progress.position = max(0, min(position, len(module.sections) - 1))
    newly_completed = (completed or alternative) and progress.completed_at is None
    if newly_completed:
        progress.completed_at = utcnow()
        progress.content_hash = module.content_hash
        progress.alternative = alternative
        if not alternative:
            progress.sections_done = len(module.sections)
        if isinstance(participant, Learner):
            deltas["module_completions"] = 1
    session.flush()
    if newly_completed:
        deltas.update(completion_deltas(session, participant, campaign))
    if site_id is not None and deltas:
        bump(session, campaign.id, site_id, **deltas)
    return progress


def record_check_answer(
    session: Session, participant: Participant, campaign: Campaign, module: Module, *, check_id: str, choice_index: int
) -> CheckAnswer:
    """Keep the first answer to an inline check (the option index, never free text); later tries are not stored."""
    check_assigned(participant, campaign, session, module_id=module.id)
    check = next((c for c in module.sections_of(CheckSection) if c.id == check_id), None)
    if check is None or not 0 <= choice_index < len(check.choices):
        raise ServiceError("invalid_choice", node=check_id)
    mine = _answer_to(participant, campaign.id, module.id, check_id)
    existing = session.scalar(select(CheckAnswer).where(*mine))
    if existing is not None:
        return existing
    row = CheckAnswer(
        **owner(participant),
        campaign_id=campaign.id,
        module_id=module.id,
        check_id=check_id,
        choice_index=choice_index,
        correct=check.choices[choice_index].correct,
        content_hash=module.content_hash,
    )
    recorded = _insert_once(session, row, select(CheckAnswer).where(*mine))
    if recorded is row and isinstance(participant, Learner):  # the first answer, not a concurrent request's
        count_check_answer(session, campaign.id, participant, module.id, check_id, choice_index)
    return recorded


def first_check_answer(session: Session, participant: Participant, campaign_id: str, module_id: str, check_id: str) -> int | None:
    """The option the participant first chose at an inline check (the one stored), or None if not answered yet."""
    return session.scalar(select(CheckAnswer.choice_index).where(*_answer_to(participant, campaign_id, module_id, check_id)))


def _answer_to(participant: Participant, campaign_id: str, module_id: str, check_id: str) -> tuple:
    """The WHERE clauses of the participant's (one, first) answer to a check."""
    return (
        owner_filter(CheckAnswer, participant),
        CheckAnswer.campaign_id == campaign_id,
        CheckAnswer.module_id == module_id,
        CheckAnswer.check_id == check_id,
    )


def seat(session: Session, learner_id: int) -> Learner:
    """The student seat a browser session holds; refused if the seat was removed meanwhile."""
    learner = session.scalars(_SEAT, {"learner_id": learner_id}).one_or_none()
    if learner is None:
        raise ServiceError("seat_gone")
    return learner


_SEAT = select(Learner).where(Learner.id == bindparam("learner_id"))  # every student page run asks: built once


def module_progress(session: Session, participant: Participant, campaign: Campaign, module: Module) -> ModuleProgress | None:
    """The participant's progress in one assigned module, if they have opened it."""
    check_assigned(participant, campaign, session, module_id=module.id)
    return _progress_in(session, participant, campaign.id, module.id)


def _progress_in(session: Session, participant: Participant, campaign_id: str, module_id: str) -> ModuleProgress | None:
    query = _PROGRESS[isinstance(participant, Learner)]
    return session.scalar(query, {"who": participant.id, "cid": campaign_id, "module_id": module_id})


# Built once per owner kind: every run of the lesson page reads it, and every saved step.
_PROGRESS = {
    learner: select(ModuleProgress).where(
        owner_column(ModuleProgress, learner) == bindparam("who"),
        ModuleProgress.campaign_id == bindparam("cid"),
        ModuleProgress.module_id == bindparam("module_id"),
    )
    for learner in (True, False)
}


def learner_progress(session: Session, learner_id: int, campaign_id: str) -> tuple[Learner, ClassGroup, dict[str, ModuleProgress]] | None:
    """A learner, their class and their progress by module id; None if the seat no longer exists."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        return None
    query = select(ModuleProgress).where(ModuleProgress.learner_id == learner_id, ModuleProgress.campaign_id == campaign_id)
    return learner, session.get(ClassGroup, learner.class_group_id), {p.module_id: p for p in session.scalars(query)}


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
    """Record a choice at a node of a scenario run, with the content version; the same node in a run is recorded once."""
    check_assigned(participant, campaign, session, module_id=module.id)
    if scenario not in module.sections:
        raise ServiceError("invalid_choice", node=node_id)
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
        **owner(participant),
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
    from safeclass.services.classes import class_capacity  # classes imports this module

    permissions.require_site_staff(teacher, class_group.site_id, "attest_lesson")
    if class_group.campaign_id != campaign.id:
        raise NotAllowed("attest_lesson")
    if module.id not in campaign.audiences.students.for_level(class_group.level).modules:
        raise ServiceError("module_not_for_class", module=module.id)
    capacity = class_capacity(class_group)
    if not 1 <= students_present <= capacity:
        raise ServiceError("students_present_range", max=capacity)
    if delivered_on > min(clock.today(), campaign.period.end) or delivered_on < campaign.period.start:
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


def check_assigned(participant: Participant, campaign: Campaign, session: Session, *, module_id: str = "", quiz_id: str = "") -> None:
    """Refuse a module or quiz the campaign does not assign to this participant."""
    assignment = assignment_for(participant, campaign, session)
    if module_id and module_id not in assignment.modules:
        raise ServiceError("not_assigned", item=module_id)
    if quiz_id and quiz_id not in assignment.quizzes:
        raise ServiceError("not_assigned", item=quiz_id)


def _has_any_progress(session: Session, learner: Learner, campaign_id: str) -> bool:
    return session.scalar(_ANY_PROGRESS, {"who": learner.id, "cid": campaign_id}) is not None


_ANY_PROGRESS = (
    select(ModuleProgress.id).where(ModuleProgress.learner_id == bindparam("who"), ModuleProgress.campaign_id == bindparam("cid")).limit(1)
)


def has_passed(session: Session, participant: Participant, campaign_id: str, quiz_id: str) -> bool:
    """Whether the participant passed this quiz in this campaign (a pass in another campaign does not count)."""
    query = _PASSED[isinstance(participant, Learner)]
    return session.scalar(query, {"who": participant.id, "cid": campaign_id, "quiz_id": quiz_id}) is not None


# Built once per owner kind (learner, account): every submission and quiz page asks this.
_PASSED = {
    learner: select(QuizAttempt.id)
    .where(
        owner_column(QuizAttempt, learner) == bindparam("who"),
        QuizAttempt.campaign_id == bindparam("cid"),
        QuizAttempt.quiz_id == bindparam("quiz_id"),
        QuizAttempt.passed,
    )
    .limit(1)
    for learner in (True, False)
}


def completed_modules(session: Session, participant: Participant, campaign_id: str) -> set[str]:
    """Ids of the modules this participant has completed in this campaign."""
    return set(session.scalars(_COMPLETED[isinstance(participant, Learner)], {"who": participant.id, "cid": campaign_id}))


_COMPLETED = {
    learner: select(ModuleProgress.module_id).where(
        owner_column(ModuleProgress, learner) == bindparam("who"),
        ModuleProgress.campaign_id == bindparam("cid"),
        ModuleProgress.completed_at.is_not(None),
    )
    for learner in (True, False)
}


@functools.lru_cache(maxsize=256)
def assignment_state_query(learner: bool, modules: tuple[str, ...], quizzes: tuple[str, ...], *, other_pass: bool = False) -> Select:
    """One participant's (assigned modules completed, assigned quizzes passed[, another attempt passed ``:quiz_id``]).

    Parameters ``:who`` and ``:cid`` (and ``:quiz_id``, ``:attempt_id``). Built once per assignment: a
    statement object reused keeps its cache key and compiled SQL, so a write pays no SQL construction.
    """
    progress_owner = owner_column(ModuleProgress, learner)
    attempt_owner = owner_column(QuizAttempt, learner)
    done = (
        select(func.count())
        .select_from(ModuleProgress)
        .where(
            progress_owner == bindparam("who"),
            ModuleProgress.campaign_id == bindparam("cid"),
            ModuleProgress.module_id.in_(modules),
            ModuleProgress.completed_at.is_not(None),
        )
        .scalar_subquery()
    )
    passed = (
        select(func.count(func.distinct(QuizAttempt.quiz_id)))
        .where(
            attempt_owner == bindparam("who"),
            QuizAttempt.campaign_id == bindparam("cid"),
            QuizAttempt.quiz_id.in_(quizzes),
            QuizAttempt.passed,
        )
        .scalar_subquery()
    )
    columns = [done, passed]
    if other_pass:
        columns.append(
            select(func.count())
            .select_from(QuizAttempt)
            .where(
                attempt_owner == bindparam("who"),
                QuizAttempt.campaign_id == bindparam("cid"),
                QuizAttempt.quiz_id == bindparam("quiz_id"),
                QuizAttempt.passed,
                QuizAttempt.id != bindparam("attempt_id"),
            )
            .scalar_subquery()
        )
    return select(*columns)


def has_completed_assignment(session: Session, participant: Participant, campaign: Campaign) -> bool:
    """Whether every assigned module is complete and every assigned quiz passed."""
    assignment = assignment_for(participant, campaign, session)
    if not assignment.modules and not assignment.quizzes:
        return False
    query = assignment_state_query(isinstance(participant, Learner), assignment.modules, assignment.quizzes)
    done, passed = session.execute(query, {"who": participant.id, "cid": campaign.id}).one()
    return done == len(set(assignment.modules)) and passed == len(set(assignment.quizzes))


def finished_among(session: Session, owners: Select, campaign_id: str, modules: tuple[str, ...], quizzes: tuple[str, ...]) -> set[int]:
    """Which of ``owners`` (a select of learner or account ids) completed these modules and passed these quizzes.

    The same rule as ``has_completed_assignment``, for many participants in two grouped queries.
    """
    need = len(set(modules)) + len(set(quizzes))
    if not need:
        return set()
    learner = owners.selected_columns[0].table is Learner.__table__
    progress_owner = owner_column(ModuleProgress, learner)
    attempt_owner = owner_column(QuizAttempt, learner)
    items: Counter[int] = Counter()
    for who, _ in session.execute(
        select(progress_owner, ModuleProgress.module_id)
        .where(
            progress_owner.in_(owners),
            ModuleProgress.campaign_id == campaign_id,
            ModuleProgress.completed_at.is_not(None),
            ModuleProgress.module_id.in_(modules),
        )
        .distinct()
    ):
        items[who] += 1
    for who, _ in session.execute(
        select(attempt_owner, QuizAttempt.quiz_id)
        .where(attempt_owner.in_(owners), QuizAttempt.campaign_id == campaign_id, QuizAttempt.passed, QuizAttempt.quiz_id.in_(quizzes))
        .distinct()
    ):
        items[who] += 1
    return {who for who, n in items.items() if n == need}


def completion_counter(participant: Participant) -> str:
    """The rollup counter that counts this participant finishing the whole assignment."""
    if isinstance(participant, Learner):
        return "learners_completed"
    return "principals_certified" if participant.role == Role.PRINCIPAL else "staff_completed"


def completion_deltas(session: Session, participant: Participant, campaign: Campaign) -> dict[str, int]:
    """Rollup counters to add when an item newly completed may have finished the whole assignment."""
    # Called only right after an item was newly completed or passed, so the participant was not complete
    # before this action: completing the whole assignment now is a transition, counted exactly once.
    if not has_completed_assignment(session, participant, campaign):
        return {}
    return {completion_counter(participant): 1}
