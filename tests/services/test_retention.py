"""Retention purge: refused until the campaign's retention has passed, then every learner record goes, rollups agree, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from safeclass import clock
from safeclass.cli import main
from safeclass.db.models import (
    AuditLog,
    CheckAnswer,
    ClassGroup,
    Learner,
    ModuleProgress,
    QuizAttempt,
    ScenarioChoice,
    SiteRollup,
)
from safeclass.domain import Role
from safeclass.services import ServiceError
from safeclass.services.retention import kept_until, purge_allowed_from, purge_learners
from safeclass.services.rollups import COUNTERS, rebuild_rollups
from tests.factories import make_account, make_class, make_learners, make_site
from tests.security_tally import tally

SEOUL = clock.SEOUL


def _moment(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SEOUL)


def _records(session, learner_id: int | None = None, account_id: int | None = None, campaign_id: str = "test-campaign") -> None:
    """One row in every learner-related table for this participant: a completed lesson, a passed quiz, a choice, an answer."""
    who = {"learner_id": learner_id, "account_id": account_id}
    module = "test-lesson" if learner_id else "test-training"
    quiz = "test-quiz" if learner_id else "test-certification"
    session.add(
        ModuleProgress(**who, campaign_id=campaign_id, module_id=module, content_hash="h", sections_done=6, completed_at=clock.now())
    )
    session.add(
        QuizAttempt(
            **who,
            attempt_key=f"k{learner_id}-{account_id}-{campaign_id}",
            campaign_id=campaign_id,
            quiz_id=quiz,
            content_hash="h",
            drawn=["q"],
            score=4,
            max_score=4,
            passed=True,
            answers={"q": 0},
            submitted_at=clock.now(),
        )
    )
    session.add(
        ScenarioChoice(
            **who,
            run_key=f"r{learner_id}-{account_id}-{campaign_id}",
            campaign_id=campaign_id,
            module_id=module,
            scenario_id="s",
            node_id="start",
            choice_index=0,
            points=0,
            critical=True,
            content_hash="h",
        )
    )
    session.add(
        CheckAnswer(**who, campaign_id=campaign_id, module_id=module, check_id="c", choice_index=1, correct=False, content_hash="h")
    )


@pytest.fixture
def finished_campaign(database, test_campaign):
    """Five learners with records in the test campaign, two in another campaign, and a certified principal."""
    with database.transaction() as s:
        site = make_site(s)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        principal = make_account(s, "park", Role.PRINCIPAL, site)
        ours = make_learners(s, make_class(s, teacher), 5)
        other_group = ClassGroup(site_id=site.id, campaign_id="other-campaign", join_code="OTHER1", label="x", level="middle")
        s.add(other_group)
        s.flush()
        others = [Learner(class_group_id=other_group.id, seat_number=n) for n in (1, 2)]
        s.add_all(others)
        s.flush()
        for learner in ours:
            _records(s, learner_id=learner.id)
        for learner in others:
            _records(s, learner_id=learner.id, campaign_id="other-campaign")
        _records(s, account_id=principal.id)
        rebuild_rollups(s, test_campaign)
    with database.reading() as s:
        before = s.scalar(select(SiteRollup).where(SiteRollup.campaign_id == "test-campaign"))
        assert (before.learners_joined, before.learners_completed, before.principals_certified) == (5, 5, 1)
    return [learner.id for learner in ours], [learner.id for learner in others]


def _count(session, model, ids: list[int]) -> int:
    column = model.id if model is Learner else model.learner_id
    return session.scalar(select(func.count()).select_from(model).where(column.in_(ids)))


def _rollups(session) -> list[dict[str, int]]:
    rows = session.scalars(select(SiteRollup).order_by(SiteRollup.campaign_id, SiteRollup.site_id))
    return [{"campaign": r.campaign_id, "site": r.site_id, **{c: getattr(r, c) for c in COUNTERS}} for r in rows]


def test_the_dates_follow_the_campaign_file(test_campaign) -> None:
    assert test_campaign.period.end == dt.date(2026, 2, 28) and test_campaign.retention_days == 400
    assert kept_until(test_campaign) == dt.date(2027, 4, 4)
    assert purge_allowed_from(test_campaign) == dt.date(2027, 4, 5)


@pytest.mark.parametrize("day", [dt.date(2026, 2, 28), dt.date(2027, 4, 4)], ids=["period-end", "last-kept-day"])
def test_purge_is_refused_while_records_are_kept(database, finished_campaign, test_campaign, day: dt.date) -> None:
    ours, _ = finished_campaign
    with clock.frozen_at(_moment(day, 23)), database.transaction() as s, pytest.raises(ServiceError) as refused:
        purge_learners(s, test_campaign)
    assert refused.value.code == "retention_not_over"
    assert refused.value.params["purge_from"] == dt.date(2027, 4, 5)
    with database.reading() as s:
        assert _count(s, Learner, ours) == 5 and _count(s, ModuleProgress, ours) == 5
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0
    tally("purges before the retention date", outcome="all refused, nothing deleted")


def test_purge_removes_every_learner_record_and_rollups_equal_a_rebuild(database, finished_campaign, test_campaign) -> None:
    ours, others = finished_campaign
    with clock.frozen_at(_moment(dt.date(2027, 4, 5), 0)), database.transaction() as s:
        dry = purge_learners(s, test_campaign, dry_run=True)
    with database.reading() as s:
        assert _count(s, Learner, ours) == 5  # the dry run deleted nothing
    with clock.frozen_at(_moment(dt.date(2027, 4, 5), 0)), database.transaction() as s:
        report = purge_learners(s, test_campaign)
    expected = {"learner": 5, "module_progress": 5, "quiz_attempt": 5, "scenario_choice": 5, "check_answer": 5}
    assert dry.counts() == report.counts() == expected
    with database.reading() as s:
        for model in (Learner, ModuleProgress, QuizAttempt, ScenarioChoice, CheckAnswer):
            assert _count(s, model, ours) == 0, model.__tablename__
            assert _count(s, model, others) == 2, model.__tablename__  # another campaign's learners stay
        # Staff records are not learner records: the principal's certification stays.
        assert s.scalar(select(func.count()).select_from(ModuleProgress).where(ModuleProgress.account_id.is_not(None))) == 1
        after = _rollups(s)
        audit = s.scalars(select(AuditLog)).all()
    ours_after = next(r for r in after if r["campaign"] == "test-campaign")
    assert ours_after["learners_joined"] == ours_after["learners_completed"] == ours_after["quiz_passes"] == 0
    assert ours_after["principals_certified"] == 1
    with database.transaction() as s:
        rebuild_rollups(s, test_campaign)
    with database.reading() as s:
        assert _rollups(s) == after  # what the dashboards read is what the tables hold
    assert [(a.action, a.target, a.actor_id) for a in audit] == [("learners.purge", "test-campaign", None)]
    assert audit[0].detail == {**expected, "kept_until": "2027-04-04", "purged_on": "2027-04-05"}


def test_purge_command_refuses_early_and_dry_run_changes_nothing(monkeypatch, tmp_path, sqlite_template, capsys) -> None:
    import shutil

    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("SAFECLASS_CONTENT", str(tmp_path.parents[0] / "nowhere"))
    assert main(["purge", "--campaign", "test-campaign"]) == 2  # no content there
    from tests.conftest import ROOT

    monkeypatch.setenv("SAFECLASS_CONTENT", str(ROOT / "tests" / "content" / "valid"))
    with clock.frozen_at(_moment(dt.date(2026, 6, 1))):
        assert main(["purge", "--campaign", "test-campaign"]) == 1
    err = capsys.readouterr().err
    assert "error: Learner records of campaign test-campaign are kept until 2027-04-04; they can be purged from 2027-04-05" in err
    with clock.frozen_at(_moment(dt.date(2027, 4, 5))):
        assert main(["purge", "--campaign", "test-campaign", "--dry-run"]) == 0
        assert "would delete" in capsys.readouterr().out
        assert main(["purge", "--campaign", "test-campaign"]) == 0
    out = capsys.readouterr().out
    assert "deleted:" in out and "learners.purge" in out
    tally("purges before the retention date", outcome="all refused, nothing deleted")
