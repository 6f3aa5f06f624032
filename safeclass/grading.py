"""Pure quiz logic: draw questions for an attempt and grade the answers. No I/O."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from safeclass.content.models import MultipleChoiceQuestion, OrderingQuestion, Quiz, SingleChoiceQuestion, TrueFalseQuestion


class InvalidAnswers(ValueError):
    """The submitted answers do not fit the drawn questions."""


@dataclass(frozen=True)
class QuestionResult:
    """Whether one question was answered correctly."""

    question_id: str
    correct: bool


@dataclass(frozen=True)
class Grade:
    """The outcome of an attempt."""

    score: int
    max_score: int
    passed: bool
    results: tuple[QuestionResult, ...]

    @property
    def percent(self) -> int:
        """Score as a whole percentage, rounded down (a pass mark of 80 needs a true 80%)."""
        return self.score * 100 // self.max_score if self.max_score else 0


def draw_questions(quiz: Quiz, rng: random.Random) -> list[str]:
    """The ids of the questions asked in one attempt: ``draw`` of the pool, shuffled if the quiz says so."""
    ids = [q.id for q in quiz.questions]
    drawn = rng.sample(ids, quiz.draw) if quiz.draw < len(ids) else list(ids)
    if quiz.shuffle:
        rng.shuffle(drawn)
    else:
        drawn.sort(key=ids.index)
    return drawn


def grade_attempt(quiz: Quiz, drawn: list[str], answers: dict[str, Any]) -> Grade:
    """Grade ``answers`` (question id -> answer) to the ``drawn`` questions; one point per question.

    Answers: single -> choice index; multiple -> list of choice indexes; true_false -> bool; ordering -> the
    item indexes (as written in the file) in the order the learner put them. Unanswered questions score 0.
    """
    pool = {q.id for q in quiz.questions}
    unknown = [q for q in [*drawn, *answers] if q not in pool]
    if unknown:
        raise InvalidAnswers(f"quiz '{quiz.id}' has no question {unknown[0]!r}")
    extra = set(answers) - set(drawn)
    if extra:
        raise InvalidAnswers(f"answer to question {sorted(extra)[0]!r}, which was not asked")
    if len(set(drawn)) != len(drawn) or len(drawn) != quiz.draw:
        raise InvalidAnswers(f"an attempt at '{quiz.id}' asks {quiz.draw} different questions")
    results = tuple(QuestionResult(qid, qid in answers and _is_correct(quiz.question(qid), answers[qid])) for qid in drawn)
    score = sum(r.correct for r in results)
    return Grade(score=score, max_score=len(drawn), passed=score * 100 >= quiz.pass_mark * len(drawn), results=results)


def _is_correct(question, answer: Any) -> bool:  # noqa: ANN001
    if isinstance(question, SingleChoiceQuestion):
        _expect(
            isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < len(question.choices), question.id, "a choice index"
        )
        return answer in question.correct_indexes
    if isinstance(question, MultipleChoiceQuestion):
        ok = isinstance(answer, list | tuple) and all(isinstance(a, int) and 0 <= a < len(question.choices) for a in answer)
        _expect(ok, question.id, "a list of choice indexes")
        return frozenset(answer) == question.correct_indexes
    if isinstance(question, TrueFalseQuestion):
        _expect(isinstance(answer, bool), question.id, "true or false")
        return answer == question.answer
    if isinstance(question, OrderingQuestion):
        ok = isinstance(answer, list | tuple) and sorted(answer) == list(range(len(question.items)))
        _expect(ok, question.id, f"an order of items 0..{len(question.items) - 1}")
        return list(answer) == list(range(len(question.items)))
    raise InvalidAnswers(f"question {question.id!r} has a type grading does not know")


def _expect(ok: bool, question_id: str, what: str) -> None:
    if not ok:
        raise InvalidAnswers(f"the answer to {question_id!r} must be {what}")


def is_correct(question, answer: Any) -> bool:  # noqa: ANN001
    """Whether one stored answer to one question is right (reports of where learners go wrong)."""
    return _is_correct(question, answer)
