"""Pure tabletop-drill logic: timers on injects, the group's decisions, and the after-action report. No I/O.

Time is always passed in (``now``), so tests move it with ``clock.frozen_at`` or plain datetimes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from safeclass.content.models import Drill, DrillInject, DrillOption, Guide, GuideStep, Text


class DrillError(ValueError):
    """A move the drill does not allow (a decision out of turn, an option that does not exist)."""


@dataclass(frozen=True)
class Timer:
    """An inject's clock: started when the principal opened it, running for the inject's minutes."""

    started_at: dt.datetime
    limit: dt.timedelta

    def elapsed(self, now: dt.datetime) -> dt.timedelta:
        """Time since the inject opened (never negative, whatever the clocks of two replicas say)."""
        return max(now - self.started_at, dt.timedelta(0))

    def remaining(self, now: dt.datetime) -> dt.timedelta:
        """Time left before the timer runs out (zero once it has)."""
        return max(self.limit - self.elapsed(now), dt.timedelta(0))

    def expired(self, now: dt.datetime) -> bool:
        """Whether the group has used up the inject's time."""
        return self.elapsed(now) > self.limit


def timer(inject: DrillInject, started_at: dt.datetime) -> Timer:
    """The timer of ``inject`` opened at ``started_at``."""
    return Timer(started_at=started_at, limit=dt.timedelta(minutes=inject.minutes))


@dataclass(frozen=True)
class Decision:
    """The option the group chose at one inject, with when the inject opened and when they decided."""

    inject_id: str
    option_index: int
    started_at: dt.datetime
    decided_at: dt.datetime

    @property
    def seconds(self) -> int:
        """Whole seconds the group took."""
        return int(max(self.decided_at - self.started_at, dt.timedelta(0)).total_seconds())


def decide(
    drill: Drill, decisions: list[Decision], inject_id: str, option_index: int, started_at: dt.datetime, now: dt.datetime
) -> Decision:
    """The group's decision at the current inject; refused when out of turn or when the option does not exist."""
    if len(decisions) >= len(drill.injects):
        raise DrillError(f"drill '{drill.id}' has no inject left to decide")
    current = drill.injects[len(decisions)]
    if inject_id != current.id:
        raise DrillError(f"inject '{inject_id}' is not the one in play ('{current.id}')")
    if not 0 <= option_index < len(current.options):
        raise DrillError(f"inject '{current.id}' has no option {option_index}")
    return Decision(inject_id=current.id, option_index=option_index, started_at=started_at, decided_at=now)


@dataclass(frozen=True)
class ReportRow:
    """One inject of a finished drill: the decision beside the guide step it is measured against."""

    inject: DrillInject
    step: GuideStep
    option_index: int
    seconds: int

    @property
    def option(self) -> DrillOption:
        """The option the group chose."""
        return self.inject.options[self.option_index]

    @property
    def followed(self) -> bool:
        """Whether the decision follows the guide."""
        return self.option.follows_guide

    @property
    def critical(self) -> bool:
        """Whether the decision was a dangerous one (a critical miss)."""
        return self.option.critical

    @property
    def limit_seconds(self) -> int:
        """The inject's timer in seconds."""
        return self.inject.minutes * 60

    @property
    def late(self) -> bool:
        """Whether the group took longer than the timer."""
        return self.seconds > self.limit_seconds

    @property
    def guide_option(self) -> DrillOption:
        """The (first) option that follows the guide, shown beside a missed decision."""
        return next(o for o in self.inject.options if o.follows_guide)


@dataclass(frozen=True)
class FollowUp:
    """A task from the drill, with the role that owns it and why it is on the list."""

    task: Text
    owner: str
    inject_id: str
    reason: str  # "critical", "missed" or "late"


@dataclass(frozen=True)
class AfterAction:
    """The one-page after-action report of a finished drill."""

    drill: Drill
    rows: tuple[ReportRow, ...]

    @property
    def followed(self) -> int:
        """Decisions that followed the guide."""
        return sum(r.followed for r in self.rows)

    @property
    def critical_misses(self) -> tuple[ReportRow, ...]:
        """Dangerous decisions, first on the report."""
        return tuple(r for r in self.rows if r.critical)

    @property
    def late(self) -> tuple[ReportRow, ...]:
        """Decisions that took longer than their timer."""
        return tuple(r for r in self.rows if r.late)

    @property
    def total_seconds(self) -> int:
        """Time spent deciding, all injects together."""
        return sum(r.seconds for r in self.rows)

    @property
    def follow_ups(self) -> tuple[FollowUp, ...]:
        """A task for every decision that missed the guide or ran over time, critical misses first."""
        out = []
        for row in self.rows:
            if not row.followed or row.late:
                reason = "critical" if row.critical else "missed" if not row.followed else "late"
                out.append(FollowUp(task=row.inject.follow_up, owner=row.inject.lead, inject_id=row.inject.id, reason=reason))
        order = {"critical": 0, "missed": 1, "late": 2}
        return tuple(sorted(out, key=lambda f: order[f.reason]))


def after_action(drill: Drill, guide: Guide, decisions: list[Decision]) -> AfterAction:
    """The report of a finished drill: every decision against the guide, time taken, critical misses, follow-ups."""
    if len(decisions) != len(drill.injects):
        raise DrillError(f"drill '{drill.id}' is not finished: {len(decisions)} of {len(drill.injects)} injects decided")
    rows = []
    for inject, decision in zip(drill.injects, decisions, strict=True):
        if decision.inject_id != inject.id:
            raise DrillError(f"decision for '{decision.inject_id}' where '{inject.id}' was expected")
        step = guide.step(inject.guide_step)
        if step is None:  # the loader refuses such drills; a guide edited under a running drill must not crash
            raise DrillError(f"guide '{guide.id}' has no step '{inject.guide_step}'")
        rows.append(ReportRow(inject=inject, step=step, option_index=decision.option_index, seconds=decision.seconds))
    return AfterAction(drill=drill, rows=tuple(rows))


def term_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The school term containing ``day``: Korean schools run March–August and September–February."""
    if 3 <= day.month <= 8:
        return dt.date(day.year, 3, 1), dt.date(day.year, 8, 31)
    start_year = day.year if day.month >= 9 else day.year - 1
    end = dt.date(start_year + 1, 3, 1) - dt.timedelta(days=1)
    return dt.date(start_year, 9, 1), end
