"""What the campaign's words mean, defined once: started, completed, certified, a site's status, where a
target should be today, and whether the campaign is running or has ended.

Everything here is computed from the rollup counters (one row per site), so it costs O(sites).
Services and pages call these functions; nothing else re-derives them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from safeclass import clock
from safeclass.content.models import Campaign, Target


class Phase(StrEnum):
    """Where today falls in the campaign's period."""

    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"


class SiteStatus(StrEnum):
    """A site's standing: the one definition used by tables, filters, charts and exports."""

    NOT_STARTED = "not_started"
    BEHIND = "behind"
    ON_TRACK = "on_track"
    COMPLETE = "complete"


class TargetState(StrEnum):
    """How a target stands today."""

    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"  # its date has passed (or the campaign ended) and it was not reached
    NO_DATA = "no_data"  # nobody to count yet (no staff accounts)


def phase(campaign: Campaign, today: dt.date | None = None) -> Phase:
    """Whether the campaign has not begun, is running, or has ended (its last day has passed)."""
    today = today or clock.today()
    if today < campaign.period.start:
        return Phase.UPCOMING
    return Phase.ENDED if today > campaign.period.end else Phase.RUNNING


def current_campaign(campaigns: Mapping[str, Campaign], today: dt.date | None = None) -> Campaign | None:
    """The campaign running today; else the one that started most recently; else the next to start."""
    if not campaigns:
        return None
    today = today or clock.today()
    ordered = sorted(campaigns.values(), key=lambda c: (c.period.start, c.id))
    running = [c for c in ordered if phase(c, today) == Phase.RUNNING]
    if running:
        return running[-1]
    begun = [c for c in ordered if c.period.start <= today]
    return begun[-1] if begun else ordered[0]


# --- per site ------------------------------------------------------------------------------------


def site_started(sites: pd.DataFrame) -> pd.Series:
    """A site has started when a student has begun a lesson there or a teacher attested one."""
    return (sites["learners_started"] > 0) | (sites["lessons_attested"] > 0)


def principal_certified(sites: pd.DataFrame) -> pd.Series:
    """A site's principal is certified when a principal account there finished the whole response training."""
    return sites["principals_certified"] > 0


def site_drilled(sites: pd.DataFrame) -> pd.Series:
    """A site has drilled when its principal finished a tabletop drill with their staff in this campaign."""
    return sites["drills"] > 0


def student_completion(sites: pd.DataFrame) -> pd.Series:
    """Students who finished every assigned lesson and quiz, over the roster's expected students."""
    expected = sites["expected_students"].astype(float)
    return (sites["learners_completed"].astype(float) / expected.where(expected > 0)).fillna(0.0)


def expected_by(target: Target | None, campaign: Campaign, today: dt.date | None = None) -> float:
    """Where a target should be today (0–1): a straight line from 0 at the period start to the target on its date."""
    if target is None:
        return 0.0
    today = today or clock.today()
    span = (target.by - campaign.period.start).days
    elapsed = (today - campaign.period.start).days
    share = 1.0 if span <= 0 else min(max(elapsed / span, 0.0), 1.0)
    return target.percent / 100 * share


def target_for(campaign: Campaign, audience: str, metric: str) -> Target | None:
    """The campaign's target for one audience and metric, if it sets one."""
    return next((t for t in campaign.targets if t.audience == audience and t.metric == metric), None)


def site_status(sites: pd.DataFrame, campaign: Campaign, today: dt.date | None = None) -> pd.Series:
    """Each site's status: not started; complete (students' completion target reached); on track (at or
    above where the completion target says it should be today); else behind."""
    target = target_for(campaign, "students", "completed")
    goal = target.percent / 100 if target else 1.0
    should = expected_by(target, campaign, today)
    rate = student_completion(sites).to_numpy()
    started = site_started(sites).to_numpy()
    status = np.select(
        [~started, rate >= goal, rate >= should],
        [SiteStatus.NOT_STARTED.value, SiteStatus.COMPLETE.value, SiteStatus.ON_TRACK.value],
        default=SiteStatus.BEHIND.value,
    )
    return pd.Series(status, index=sites.index, dtype=object)


# --- campaign-wide -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetProgress:
    """One target: where we are, where we should be today, and its state."""

    target: Target
    numerator: int
    denominator: int
    current: float | None
    expected_now: float
    state: TargetState


def measure(sites: pd.DataFrame, audience: str, metric: str) -> tuple[int, int]:
    """(count, out of) for an audience and metric over these sites: the one place each is counted."""
    if audience == "students":
        counter = "learners_started" if metric == "started" else "learners_completed"
        return int(sites[counter].sum()), int(sites["expected_students"].sum())
    if audience == "principal":  # every site needs its principal certified: counted per site, not per account
        return int(principal_certified(sites).sum()), len(sites)
    if audience == "sites":  # the only site-level target: drills (the content model allows no other metric here)
        return int(site_drilled(sites).sum()), len(sites)
    return int(sites["staff_completed"].sum()), int(sites["staff"].sum())


def target_progress(sites: pd.DataFrame, campaign: Campaign, today: dt.date | None = None) -> list[TargetProgress]:
    """Every target of the campaign measured over ``sites`` against where it should be today."""
    today = today or clock.today()
    ended = phase(campaign, today) == Phase.ENDED
    out = []
    for target in campaign.targets:
        part, whole = measure(sites, target.audience, target.metric)
        current = part / whole if whole else None
        should = expected_by(target, campaign, today)
        if current is None:
            state = TargetState.NO_DATA
        elif current * 100 >= target.percent:
            state = TargetState.MET
        elif ended or today > target.by:
            state = TargetState.MISSED
        else:
            state = TargetState.ON_TRACK if current >= should else TargetState.BEHIND
        out.append(TargetProgress(target, part, whole, current, should, state))
    return out


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many sites have each status, every status present (zero when none)."""
    counts = {s.value: 0 for s in SiteStatus}
    for value in statuses:
        counts[value] += 1
    return counts
