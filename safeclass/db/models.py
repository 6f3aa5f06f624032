"""Typed ORM models. Learners are pseudonymous: a class group, a seat number and an optional PIN hash."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, false, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safeclass.db.base import Base, campaign_id, content_hash, content_id, created_at, intpk, record_campaign_id, utcnow

# A row belongs to exactly one kind of participant: a student (learner) or a staff member (account).
ONE_PARTICIPANT = "(learner_id IS NULL) <> (account_id IS NULL)"


class Site(Base):
    """A school or youth facility of the roster."""

    __tablename__ = "site"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(40), index=True)
    site_type: Mapped[str] = mapped_column(String(20))
    expected_students: Mapped[int]
    synthetic: Mapped[bool] = mapped_column(default=False)


class Account(Base):
    """A staff member who signs in: teacher, principal, coordinator or admin."""

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint("role IN ('teacher', 'principal', 'coordinator', 'admin')", name="role"),
        CheckConstraint("role NOT IN ('teacher', 'principal') OR site_id IS NOT NULL", name="site_staff_have_site"),
    )

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    # A coordinator with a district sees only that district; without one, the whole campaign.
    district: Mapped[str | None] = mapped_column(String(40))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    last_login_at: Mapped[dt.datetime | None]
    # Sign-in cookies issued before this moment are refused: sign-out and password changes revoke them
    # on every device, even if the browser never deleted its cookie.
    sessions_revoked_at: Mapped[dt.datetime | None]

    site: Mapped[Site | None] = relationship()


class ClassGroup(Base):
    """A class that students join with a code; its level decides which lessons they see."""

    __tablename__ = "class_group"
    # A repeated label in the same grade at the same site and campaign is refused, never a silent second class
    # ("3반" of grade 1 and "3반" of grade 2 are two classes). NULL grades count as one grade; case is ignored.
    __table_args__ = (
        Index(
            "uq_class_group_site_id_campaign_id_grade_label",
            "site_id",
            "campaign_id",
            text("coalesce(grade, 0)"),
            text("lower(label)"),
            unique=True,
        ),
    )

    id: Mapped[intpk]
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    campaign_id: Mapped[campaign_id]
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    label: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20))
    grade: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[created_at]
    closed_at: Mapped[dt.datetime | None]
    # Students the class has (seats listed, the ceiling of an attested lesson's attendance).
    expected_size: Mapped[int | None]
    # The last day the join code admits new seats (students already seated keep theirs).
    expires_on: Mapped[dt.date | None] = mapped_column(Date)

    site: Mapped[Site] = relationship()


class Learner(Base):
    """A student seat in a class group: no name, no birthdate, no free text."""

    __tablename__ = "learner"
    __table_args__ = (UniqueConstraint("class_group_id", "seat_number"),)

    id: Mapped[intpk]
    class_group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"))
    seat_number: Mapped[int]
    pin_hash: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[created_at]

    class_group: Mapped[ClassGroup] = relationship()


class ModuleProgress(Base):
    """How far a learner or staff member is through a module, and the content version they used."""

    __tablename__ = "module_progress"
    __table_args__ = (
        CheckConstraint(ONE_PARTICIPANT, name="one_participant"),
        UniqueConstraint("learner_id", "campaign_id", "module_id"),
        UniqueConstraint("account_id", "campaign_id", "module_id"),
    )

    id: Mapped[intpk]
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    campaign_id: Mapped[record_campaign_id]
    module_id: Mapped[content_id]
    content_hash: Mapped[content_hash]
    sections_done: Mapped[int] = mapped_column(default=0)
    # The section the participant was on when they last moved: a closed tab reopens here.
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    # Completed through the content warning's alternative activity: counts as completed everywhere.
    alternative: Mapped[bool] = mapped_column(default=False, server_default=false())
    started_at: Mapped[created_at]
    completed_at: Mapped[dt.datetime | None]


class QuizAttempt(Base):
    """A quiz attempt: created with the server's draw when it starts, graded once when submitted.

    ``attempt_key`` is the attempt's unguessable handle; submitting it again returns the first result.
    """

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        CheckConstraint(ONE_PARTICIPANT, name="one_participant"),
        Index("ix_quiz_attempt_learner_quiz", "learner_id", "quiz_id"),
        Index("ix_quiz_attempt_account_quiz", "account_id", "quiz_id"),
    )

    id: Mapped[intpk]
    attempt_key: Mapped[str] = mapped_column(String(64), unique=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    campaign_id: Mapped[record_campaign_id]
    quiz_id: Mapped[content_id]
    content_hash: Mapped[content_hash]
    # The question ids asked, in the order asked: drawn by the server when the attempt started.
    drawn: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    score: Mapped[int | None]
    max_score: Mapped[int | None]
    passed: Mapped[bool | None]
    # Question ids and the chosen option indexes only: never free text.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    submitted_at: Mapped[dt.datetime | None]

    @property
    def submitted(self) -> bool:
        """Whether the attempt has been graded."""
        return self.submitted_at is not None


class ScenarioChoice(Base):
    """One choice made in a scenario run; ``(run_key, node_id)`` makes a repeated click a no-op."""

    __tablename__ = "scenario_choice"
    __table_args__ = (
        CheckConstraint(ONE_PARTICIPANT, name="one_participant"),
        UniqueConstraint("run_key", "node_id"),
        # Removing a seat or an account cascades here: without these SQLite scans every choice per row deleted.
        Index("ix_scenario_choice_learner_id", "learner_id"),
        Index("ix_scenario_choice_account_id", "account_id"),
    )

    id: Mapped[intpk]
    run_key: Mapped[str] = mapped_column(String(64), index=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    campaign_id: Mapped[record_campaign_id]
    module_id: Mapped[content_id]
    scenario_id: Mapped[content_id]
    node_id: Mapped[content_id]
    choice_index: Mapped[int]
    points: Mapped[int]
    critical: Mapped[bool]
    content_hash: Mapped[content_hash]
    chosen_at: Mapped[created_at]


class CheckAnswer(Base):
    """The first answer a participant gave to an inline check (option index only), for misconception reports."""

    __tablename__ = "check_answer"
    __table_args__ = (
        CheckConstraint(ONE_PARTICIPANT, name="one_participant"),
        UniqueConstraint("learner_id", "campaign_id", "module_id", "check_id"),
        UniqueConstraint("account_id", "campaign_id", "module_id", "check_id"),
    )

    id: Mapped[intpk]
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    campaign_id: Mapped[record_campaign_id]
    module_id: Mapped[content_id]
    check_id: Mapped[content_id]
    choice_index: Mapped[int]
    correct: Mapped[bool]
    content_hash: Mapped[content_hash]
    answered_at: Mapped[created_at]


class LessonAttestation(Base):
    """A teacher's record that a lesson was delivered to a whole class without student devices."""

    __tablename__ = "lesson_attestation"
    __table_args__ = (UniqueConstraint("class_group_id", "module_id"),)

    id: Mapped[intpk]
    class_group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"))
    campaign_id: Mapped[campaign_id]
    module_id: Mapped[content_id]
    content_hash: Mapped[content_hash]
    attested_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    delivered_on: Mapped[dt.date] = mapped_column(Date)
    students_present: Mapped[int]
    created_at: Mapped[created_at]


class Certificate(Base):
    """A principal's certificate for one campaign: what it was earned on, frozen when it was issued.

    ``code`` is the public verification code (80 random bits); name and site are copied so the
    certificate says what it said on the day it was printed, even if the account or roster changes.
    """

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("account_id", "campaign_id"),)

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    campaign_id: Mapped[campaign_id]
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    holder_name: Mapped[str] = mapped_column(String(100))
    site_name: Mapped[str] = mapped_column(String(200))
    site_code: Mapped[str] = mapped_column(String(32))
    # [{"id": module or quiz id, "hash": content version it was completed on}], in assignment order.
    items: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    content_version: Mapped[content_hash]
    issued_at: Mapped[created_at]
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    revoked_reason: Mapped[str | None] = mapped_column(String(200))


class SiteRollup(Base):
    """Running totals per campaign and site, kept in step with every completion (dashboards read O(sites))."""

    __tablename__ = "site_rollup"

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)
    learners_joined: Mapped[int] = mapped_column(default=0)
    learners_started: Mapped[int] = mapped_column(default=0)
    learners_completed: Mapped[int] = mapped_column(default=0)
    module_completions: Mapped[int] = mapped_column(default=0)
    quiz_passes: Mapped[int] = mapped_column(default=0)
    lessons_attested: Mapped[int] = mapped_column(default=0)
    students_attested: Mapped[int] = mapped_column(default=0)
    staff_completed: Mapped[int] = mapped_column(default=0)
    principals_certified: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The last progress, completion, join or attestation counted here (a rebuild keeps the real moment).
    last_activity_at: Mapped[dt.datetime | None]

    site: Mapped[Site] = relationship()


class SiteDayRollup(Base):
    """Per campaign, site and Seoul day: what happened that day (the campaign over time, O(sites × days))."""

    __tablename__ = "site_day_rollup"
    # Covering the overview's per-day sum: SQLite reads the index alone (29 → 12 ms for a city-wide campaign).
    __table_args__ = (Index("ix_site_day_rollup_day_completed", "campaign_id", "day", "site_id", "learners_completed"),)

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    learners_started: Mapped[int] = mapped_column(default=0, server_default="0")
    learners_completed: Mapped[int] = mapped_column(default=0, server_default="0")
    module_completions: Mapped[int] = mapped_column(default=0, server_default="0")
    principals_certified: Mapped[int] = mapped_column(default=0, server_default="0")
    staff_completed: Mapped[int] = mapped_column(default=0, server_default="0")


class QuestionRollup(Base):
    """Students' answers per campaign, district, quiz or check, question and chosen option (where students go wrong).

    ``option`` is the answer as compact JSON (a choice index, a list of them, true/false, an order): grading
    happens when the report is read, against the question as it is now, as the report did from raw answers.
    """

    __tablename__ = "question_rollup"

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    district: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # "quiz" or "check"
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the quiz or the module of the check
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    option: Mapped[str] = mapped_column(Text, primary_key=True)
    chosen: Mapped[int] = mapped_column(default=0, server_default="0")


class ThrottleEvent(Base):
    """One counted failure (wrong PIN, unknown class code) for a sliding-window limit; pruned after its window."""

    __tablename__ = "throttle_event"
    __table_args__ = (Index("ix_throttle_event_scope_key_at", "scope", "key", "at"),)

    id: Mapped[intpk]
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[created_at]


class AuditLog(Base):
    """Who did what to accounts, rosters and content (never learner answers)."""

    __tablename__ = "audit_log"

    id: Mapped[intpk]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- response: tabletop drills and the case guide's one counter -------------------------------
# Nothing about a real case is ever stored: drills are fictional scenarios, and the case guide keeps its
# ticks in the browser session. The only trace of the guide is how often it was opened per site and month.


class DrillRun(Base):
    """A tabletop drill a principal ran with their staff: which scenario, where it stands, when it finished."""

    __tablename__ = "drill_run"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(12), unique=True)
    campaign_id: Mapped[campaign_id]
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    drill_id: Mapped[content_id]
    content_hash: Mapped[content_hash]
    started_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[created_at]
    # The inject in play (its index) and when its timer started; None while staff are still joining.
    current_index: Mapped[int] = mapped_column(default=0)
    inject_started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    site: Mapped[Site] = relationship()


class DrillDecision(Base):
    """The group's decision at one inject (an option index: never free text), and how long it took."""

    __tablename__ = "drill_decision"
    __table_args__ = (UniqueConstraint("run_id", "inject_id"),)

    id: Mapped[intpk]
    run_id: Mapped[int] = mapped_column(ForeignKey("drill_run.id", ondelete="CASCADE"))
    inject_index: Mapped[int]
    inject_id: Mapped[content_id]
    option_index: Mapped[int]
    follows_guide: Mapped[bool]
    critical: Mapped[bool]
    started_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))


class DrillParticipant(Base):
    """Someone following a drill on their own device: a staff account, or a quick join with no name at all.

    ``token`` is the browser session's handle. Staff accounts that took part in a finished drill count it as
    staff training attendance.
    """

    __tablename__ = "drill_participant"
    __table_args__ = (UniqueConstraint("run_id", "account_id"),)

    id: Mapped[intpk]
    run_id: Mapped[int] = mapped_column(ForeignKey("drill_run.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[created_at]


class GuideOpening(Base):
    """How many times the case guide was opened at a site in a month: the guide's only record."""

    __tablename__ = "guide_opening"

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM in Seoul time
    opened: Mapped[int] = mapped_column(default=0)
