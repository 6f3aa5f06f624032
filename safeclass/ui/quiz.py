"""Quiz questions as widgets that work on a phone, one renderer per question kind, and the result view.

Each renderer draws a question of the attempt and returns the answer in the grader's shape (None while
unanswered). Ordering uses up/down buttons, never drag and drop, so it works with a thumb or a keyboard.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import streamlit as st

from safeclass.content.models import Campaign, MultipleChoiceQuestion, OrderingQuestion, Quiz, SingleChoiceQuestion, TrueFalseQuestion
from safeclass.db.models import QuizAttempt
from safeclass.grading import grade_attempt
from safeclass.ui import state
from safeclass.ui.actions import action_button
from safeclass.ui.i18n import t, voiced
from safeclass.ui.i18n import text as localized

QUESTION_RENDERERS: dict[type, Callable[[Any, str, Campaign, bool], Any]] = {}  # (question, key, campaign, staff)


def renders(kind: type) -> Callable:
    """Register the widget of one question kind."""

    def register(function: Callable) -> Callable:
        QUESTION_RENDERERS[kind] = function
        return function

    return register


@renders(SingleChoiceQuestion)
def _single(question: SingleChoiceQuestion, key: str, campaign: Campaign, staff: bool) -> int | None:
    return st.radio(
        t("quiz.choose_one"),
        list(range(len(question.choices))),
        index=None,
        format_func=lambda i: localized(question.choices[i].text, campaign.help),
        key=key,
    )


@renders(MultipleChoiceQuestion)
def _multiple(question: MultipleChoiceQuestion, key: str, campaign: Campaign, staff: bool) -> list[int] | None:
    st.caption(t("quiz.choose_all"))
    picked = [i for i, c in enumerate(question.choices) if st.checkbox(localized(c.text, campaign.help), key=f"{key}.{i}")]
    return picked or None


@renders(TrueFalseQuestion)
def _true_false(question: TrueFalseQuestion, key: str, campaign: Campaign, staff: bool) -> bool | None:
    return st.radio(
        voiced("quiz.true_or_false", staff),
        [True, False],
        index=None,
        format_func=lambda v: t("quiz.true" if v else "quiz.false"),
        key=key,
        horizontal=True,
    )


@renders(OrderingQuestion)
def _ordering(question: OrderingQuestion, key: str, campaign: Campaign, staff: bool) -> list[int]:
    order_key = f"{key}.order"
    if order_key not in st.session_state:
        order = list(range(len(question.items)))
        rng = random.Random(key)  # the same attempt shows the same starting order after a rerun
        while order == sorted(order):
            rng.shuffle(order)
        st.session_state[order_key] = order
    order: list[int] = st.session_state[order_key]
    st.caption(t("quiz.order_help"))

    def swap(a: int, b: int) -> None:
        current = list(st.session_state[order_key])
        current[a], current[b] = current[b], current[a]
        st.session_state[order_key] = current

    for position, item in enumerate(order):
        # Text on its own line, the two buttons below it: readable and thumb-sized on a 390 px phone.
        with st.container(border=True, gap="small"):
            st.markdown(f"**{position + 1}.** {localized(question.items[item], campaign.help)}")
            with st.container(horizontal=True, gap="small"):
                action_button(
                    t("quiz.up"),
                    key=f"{order_key}.up.{position}",
                    icon=":material/arrow_upward:",
                    disabled=position == 0,
                    on_click=swap,
                    args=(position, position - 1),
                )
                action_button(
                    t("quiz.down"),
                    key=f"{order_key}.down.{position}",
                    icon=":material/arrow_downward:",
                    disabled=position == len(order) - 1,
                    on_click=swap,
                    args=(position, position + 1),
                )
    return list(order)


def answer_form(quiz: Quiz, attempt: QuizAttempt, campaign: Campaign, *, staff: bool = False) -> dict[str, Any]:
    """Draw the attempt's questions (the server's draw, in its order); the answers given so far."""
    answers: dict[str, Any] = {}
    for number, question_id in enumerate(attempt.drawn, start=1):
        question = quiz.question(question_id)
        with st.container(border=True):
            st.markdown(f"**{t('quiz.question', number=number, total=len(attempt.drawn))}** {localized(question.prompt, campaign.help)}")
            key = state.quiz(quiz.id, f"{attempt.attempt_key}.{question_id}")
            answer = QUESTION_RENDERERS[type(question)](question, key, campaign, staff)
            if answer is not None:
                answers[question_id] = answer
    return answers


def _answer_text(question: Any, answer: Any, campaign: Campaign) -> str:
    if answer is None:
        return t("quiz.unanswered")
    if isinstance(question, SingleChoiceQuestion):
        return localized(question.choices[answer].text, campaign.help)
    if isinstance(question, MultipleChoiceQuestion):
        return " · ".join(localized(question.choices[i].text, campaign.help) for i in answer)
    if isinstance(question, TrueFalseQuestion):
        return t("quiz.true" if answer else "quiz.false")
    return " → ".join(localized(question.items[i], campaign.help) for i in answer)


def result_view(quiz: Quiz, attempt: QuizAttempt, campaign: Campaign, *, staff: bool = False) -> None:
    """Score, pass or not, and each question's explanation beside the answer given."""
    grade = grade_attempt(quiz, list(attempt.drawn), dict(attempt.answers))
    summary = t("quiz.score", score=grade.score, total=grade.max_score, percent=grade.percent, mark=quiz.pass_mark)
    if grade.passed:
        st.success(f"**{voiced('quiz.passed', staff)}** {summary}", icon=":material/verified:")
    else:
        st.warning(f"**{voiced('quiz.not_passed', staff)}** {summary}", icon=":material/replay:")
    for number, result in enumerate(grade.results, start=1):
        question = quiz.question(result.question_id)
        with st.container(border=True):
            mark = ":green[:material/check_circle:]" if result.correct else ":red[:material/cancel:]"  # icons render without an emoji font
            st.markdown(f"**{number}. {localized(question.prompt, campaign.help)}**")
            st.markdown(f"{mark} {t('quiz.your_answer')} {_answer_text(question, attempt.answers.get(result.question_id), campaign)}")
            st.caption(localized(question.explanation, campaign.help))
