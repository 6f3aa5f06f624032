"""Grading and drawing questions (pure)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeclass.grading import InvalidAnswers, draw_questions, grade_attempt

RIGHT = {"ask-first": 0, "personal": [1, 0], "joke": False, "steps": [0, 1, 2]}


def test_all_right_passes(fixture_catalog) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]  # pass_mark 75, draw 4
    grade = grade_attempt(quiz, list(RIGHT), RIGHT)
    assert (grade.score, grade.max_score, grade.passed, grade.percent) == (4, 4, True, 100)


def test_pass_mark_is_inclusive_and_partial_credit_is_none(fixture_catalog) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    three = {**RIGHT, "personal": [0]}  # missing one correct choice: wrong
    assert grade_attempt(quiz, list(RIGHT), three).passed  # 3/4 = 75%
    two = {**three, "steps": [1, 0, 2]}
    assert not grade_attempt(quiz, list(RIGHT), two).passed
    unanswered = grade_attempt(quiz, list(RIGHT), {})
    assert unanswered.score == 0


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"ask-first": 5}, "must be a choice index"),
        ({"ask-first": True}, "must be a choice index"),
        ({"personal": "0"}, "list of choice indexes"),
        ({"joke": "no"}, "true or false"),
        ({"steps": [0, 0, 1]}, "an order of items"),
        ({"nope": 1}, "has no question"),
    ],
)
def test_malformed_answers_are_refused(fixture_catalog, answers, message) -> None:
    with pytest.raises(InvalidAnswers, match=message):
        grade_attempt(fixture_catalog.quizzes["test-quiz"], list(RIGHT), answers)


def test_drawn_must_match_the_quiz(fixture_catalog) -> None:
    with pytest.raises(InvalidAnswers):
        grade_attempt(fixture_catalog.quizzes["test-quiz"], ["joke", "joke", "steps", "personal"], {})


@given(seed=st.integers())
def test_draw_takes_distinct_questions_from_the_pool(fixture_catalog, seed) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    drawn = draw_questions(quiz, random.Random(seed))
    assert len(drawn) == quiz.draw == len(set(drawn))
    assert set(drawn) <= {q.id for q in quiz.questions}
    assert drawn == [q.id for q in quiz.questions]  # shuffle: false keeps the file's order
