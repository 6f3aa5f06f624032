"""What a participant has to do in a campaign, how far they are, and the one next step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeclass.content.catalog import Catalog
from safeclass.content.models import Campaign, Module, Quiz
from safeclass.db.models import ModuleProgress
from safeclass.services.progress import Participant, assignment_for, owner_filter
from safeclass.services.quizzes import QuizStatus, quiz_status

ModuleState = Literal["new", "started", "completed", "quiz_passed"]


@dataclass(frozen=True)
class ModuleStep:
    """One assigned module, the participant's progress in it and its own quiz (if the campaign assigns one)."""

    module: Module
    progress: ModuleProgress | None
    quiz: QuizStatus | None

    @property
    def completed(self) -> bool:
        """Whether the module is completed (its sections, or the alternative activity)."""
        return self.progress is not None and self.progress.completed_at is not None

    @property
    def state(self) -> ModuleState:
        """Not started, in progress, completed, or completed with its quiz passed."""
        if not self.completed:
            return "new" if self.progress is None else "started"
        return "quiz_passed" if self.quiz is not None and self.quiz.passed else "completed"

    @property
    def finished(self) -> bool:
        """Nothing left to do here: completed, and its quiz passed if it has one."""
        return self.completed and (self.quiz is None or self.quiz.passed)


@dataclass(frozen=True)
class NextStep:
    """The one thing to do next: open a module or take a quiz."""

    kind: Literal["module", "quiz"]
    item: Module | Quiz
    resume: bool = False


@dataclass(frozen=True)
class Plan:
    """A participant's assignment in order, with progress."""

    modules: tuple[ModuleStep, ...]
    finals: tuple[QuizStatus, ...]  # assigned quizzes that follow no single module (the level's final quiz)

    @property
    def total(self) -> int:
        """Modules plus quizzes assigned."""
        return len(self.modules) + sum(s.quiz is not None for s in self.modules) + len(self.finals)

    @property
    def done(self) -> int:
        """Modules completed plus quizzes passed."""
        quizzes = [s.quiz for s in self.modules if s.quiz is not None] + list(self.finals)
        return sum(s.completed for s in self.modules) + sum(q.passed for q in quizzes)

    @property
    def next_step(self) -> NextStep | None:
        """The first module not completed, else the first quiz that can still be passed; None when all is done."""
        for step in self.modules:
            if not step.completed:
                return NextStep("module", step.module, resume=step.progress is not None)
            if step.quiz is not None and not step.quiz.passed and step.quiz.can_start:
                return NextStep("quiz", step.quiz.quiz, resume=step.quiz.open_attempt is not None)
        for final in self.finals:
            if not final.passed and final.can_start:
                return NextStep("quiz", final.quiz, resume=final.open_attempt is not None)
        return None


def learning_plan(session: Session, participant: Participant, campaign: Campaign, catalog: Catalog) -> Plan:
    """The participant's assigned modules and quizzes with their progress (items missing from the catalog are left out)."""
    assignment = assignment_for(participant, campaign, session)
    progress = {
        p.module_id: p
        for p in session.scalars(
            select(ModuleProgress).where(owner_filter(ModuleProgress, participant), ModuleProgress.campaign_id == campaign.id)
        )
    }
    quizzes = [catalog.quizzes[q] for q in assignment.quizzes if q in catalog.quizzes]
    statuses = {q.id: quiz_status(session, participant, campaign, q) for q in quizzes}
    steps = []
    for module_id in assignment.modules:
        module = catalog.modules.get(module_id)
        if module is None:
            continue
        own = next((statuses[q.id] for q in quizzes if q.module == module_id), None)
        steps.append(ModuleStep(module, progress.get(module_id), own))
    finals = tuple(statuses[q.id] for q in quizzes if q.module is None or q.module not in assignment.modules)
    return Plan(tuple(steps), finals)
