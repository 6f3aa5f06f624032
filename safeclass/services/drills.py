"""Tabletop drills: a principal runs one with their staff; staff follow with a drill code; the report is kept for the site.

The principal (and only a principal of the run's site) starts a run, opens each inject, records the group's
decision and finishes it. Staff follow on their own devices: signed in (their staff account, which then
counts the drill as staff training attendance) or by a quick join with the code and no name at all.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeclass import clock, throttle
from safeclass.content import Catalog
from safeclass.content.models import Drill
from safeclass.db.models import Account, DrillDecision, DrillParticipant, DrillRun, Site
from safeclass.domain import Role
from safeclass.drills import AfterAction, Decision, DrillError, after_action, decide
from safeclass.services import NotAllowed, Refusal, ServiceError
from safeclass.services.classes import JOIN_CODE_ALPHABET, could_be_code, normalize_join_code
from safeclass.services.reports import suppress_small

DRILL_CODE_LENGTH = 6  # read aloud from the projected screen; 31^6 codes and a throttle make guessing pointless
SITE_STAFF = (Role.TEACHER.value, Role.PRINCIPAL.value)


@dataclass(frozen=True)
class RunState:
    """Where a drill run stands, for the principal's screen and the staff who follow it."""

    run_id: int
    code: str
    drill_id: str
    site_id: int
    site_name: str
    campaign_id: str
    current_index: int
    inject_started_at: dt.datetime | None
    finished_at: dt.datetime | None
    created_at: dt.datetime
    decisions: tuple[Decision, ...]
    participants: int
    signed_in: int

    @property
    def begun(self) -> bool:
        """Whether the first inject has opened (before that, staff are still joining)."""
        return self.inject_started_at is not None

    @property
    def finished(self) -> bool:
        """Whether the principal closed the drill."""
        return self.finished_at is not None

    @property
    def current_decided(self) -> bool:
        """Whether the group has decided the inject in play."""
        return self.begun and len(self.decisions) > self.current_index


@dataclass(frozen=True)
class RunSummary:
    """One drill run of a site, for the list of past drills."""

    run_id: int
    drill_id: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    participants: int


@dataclass(frozen=True)
class Attendance:
    """A staff member who took part in a finished drill: counted as staff training attendance."""

    account_id: int
    display_name: str
    drill_id: str
    run_id: int
    finished_at: dt.datetime


def _require_site_staff(actor: Account | None, site_id: int | None, what: str) -> None:
    if actor is None or not actor.active or actor.role not in SITE_STAFF or actor.site_id is None:
        raise NotAllowed(what)
    if site_id is not None and actor.site_id != site_id:
        raise NotAllowed(what)


def _require_principal(actor: Account | None, site_id: int | None, what: str) -> None:
    _require_site_staff(actor, site_id, what)
    if actor.role != Role.PRINCIPAL.value:
        raise NotAllowed(what)


def _run(session: Session, run_id: int, lock: bool = False) -> DrillRun:
    query = select(DrillRun).where(DrillRun.id == run_id)
    if lock and session.get_bind().dialect.name == "postgresql":  # SQLite writers already hold the database lock
        query = query.with_for_update()
    run = session.scalar(query)
    if run is None:
        raise ServiceError("drill_not_found")
    return run


def _drill_of(run: DrillRun, drill: Drill) -> Drill:
    if drill.id != run.drill_id:
        raise ServiceError("drill_not_found")
    return drill


def start_drill(session: Session, principal: Account, campaign_id: str, drill: Drill) -> DrillRun:
    """Open a drill run at the principal's own site with a fresh drill code; staff join before the first inject."""
    _require_principal(principal, None, "start_drill")
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(DRILL_CODE_LENGTH))
        if session.scalar(select(DrillRun.id).where(DrillRun.code == code)) is None:
            break
    run = DrillRun(
        code=code,
        campaign_id=campaign_id,
        site_id=principal.site_id,
        drill_id=drill.id,
        content_hash=drill.content_hash,
        started_by_id=principal.id,
    )
    session.add(run)
    session.flush()
    # The principal takes part too: their attendance counts like their staff's.
    session.add(DrillParticipant(run_id=run.id, account_id=principal.id, token=secrets.token_urlsafe(32)))
    session.flush()
    return run


def _run_led_by(session: Session, principal: Account, run_id: int, drill: Drill) -> tuple[DrillRun, Drill]:
    """The run, locked for this action, once the principal of its site is the one leading it; and its drill."""
    run = _run(session, run_id, lock=True)
    _require_principal(principal, run.site_id, "run_drill")
    return run, _drill_of(run, drill)


def open_next_inject(session: Session, principal: Account, run_id: int, drill: Drill) -> DrillRun:
    """Open the first inject, or the next once the group has decided the current one; its timer starts now."""
    run, drill = _run_led_by(session, principal, run_id, drill)
    if run.finished_at is not None:
        raise ServiceError("drill_finished")
    if run.inject_started_at is None:
        run.current_index = 0
    else:
        if _decided(session, run.id) <= run.current_index:
            raise ServiceError("drill_undecided")
        if run.current_index + 1 >= len(drill.injects):
            raise ServiceError("drill_no_more_injects")
        run.current_index += 1
    run.inject_started_at = clock.now()
    return run


def record_decision(session: Session, principal: Account, run_id: int, drill: Drill, inject_id: str, option_index: int) -> DrillDecision:
    """Record the group's decision at the inject in play (a second click on the same inject returns the first)."""
    run, drill = _run_led_by(session, principal, run_id, drill)
    if run.finished_at is not None:
        raise ServiceError("drill_finished")
    if run.inject_started_at is None:
        raise ServiceError("drill_not_begun")
    existing = session.scalar(select(DrillDecision).where(DrillDecision.run_id == run.id, DrillDecision.inject_id == inject_id))
    if existing is not None:
        return existing
    decisions = _decisions(session, run.id)
    if len(decisions) != run.current_index:
        raise ServiceError("drill_out_of_turn")
    try:
        decision = decide(drill, decisions, inject_id, option_index, run.inject_started_at, clock.now())
    except DrillError as exc:
        raise ServiceError("drill_out_of_turn") from exc
    option = drill.injects[run.current_index].options[option_index]
    row = DrillDecision(
        run_id=run.id,
        inject_index=run.current_index,
        inject_id=decision.inject_id,
        option_index=option_index,
        follows_guide=option.follows_guide,
        critical=option.critical,
        started_at=decision.started_at,
        decided_at=decision.decided_at,
        decided_by_id=principal.id,
    )
    session.add(row)
    session.flush()
    return row


def finish_drill(session: Session, principal: Account, run_id: int, drill: Drill) -> DrillRun:
    """Close the drill once every inject is decided: the report is kept and attendance counts from now."""
    run, drill = _run_led_by(session, principal, run_id, drill)
    if run.finished_at is not None:
        return run
    if _decided(session, run.id) < len(drill.injects):
        raise ServiceError("drill_undecided")
    run.finished_at = clock.now()
    return run


def join_drill(session: Session, code: str, client: str, account: Account | None = None) -> DrillParticipant:
    """Follow a drill with its code: as a staff member of the run's site, or with no account and no name.

    Unknown codes are throttled per address (the refusal is still recorded: ``Refusal`` commits).
    """
    throttle.check(session, "drill_code", client)
    normalized = normalize_join_code(code)
    run = session.scalar(select(DrillRun).where(DrillRun.code == normalized)) if could_be_code(normalized) else None
    if run is None:
        throttle.record_failure(session, "drill_code", client)
        raise Refusal("drill_code_unknown", code=normalized)
    if run.finished_at is not None:
        raise ServiceError("drill_finished")
    if account is not None:
        _require_site_staff(account, run.site_id, "join_drill")
        mine = session.scalar(select(DrillParticipant).where(DrillParticipant.run_id == run.id, DrillParticipant.account_id == account.id))
        if mine is not None:  # a second device or a reload: the same attendance
            return mine
    participant = DrillParticipant(run_id=run.id, account_id=account.id if account else None, token=secrets.token_urlsafe(32))
    session.add(participant)
    session.flush()
    return participant


def _decisions(session: Session, run_id: int) -> list[Decision]:
    rows = session.scalars(select(DrillDecision).where(DrillDecision.run_id == run_id).order_by(DrillDecision.inject_index))
    return [Decision(r.inject_id, r.option_index, r.started_at, r.decided_at) for r in rows]


def _decided(session: Session, run_id: int) -> int:
    return session.scalar(select(func.count()).select_from(DrillDecision).where(DrillDecision.run_id == run_id)) or 0


def _state(session: Session, run: DrillRun) -> RunState:
    counts = session.execute(select(func.count(), func.count(DrillParticipant.account_id)).where(DrillParticipant.run_id == run.id)).one()
    return RunState(
        run_id=run.id,
        code=run.code,
        drill_id=run.drill_id,
        site_id=run.site_id,
        site_name=run.site.name,
        campaign_id=run.campaign_id,
        current_index=run.current_index,
        inject_started_at=run.inject_started_at,
        finished_at=run.finished_at,
        created_at=run.created_at,
        decisions=tuple(_decisions(session, run.id)),
        participants=counts[0],
        signed_in=counts[1],
    )


def run_state(session: Session, actor: Account, run_id: int) -> RunState:
    """A run of the actor's own site, as it stands now."""
    run = _run(session, run_id)
    _require_site_staff(actor, run.site_id, "drill")
    return _state(session, run)


def followed_run(session: Session, token: str) -> RunState:
    """The run a participant's browser follows (its token is the only key a quick join has)."""
    participant = session.scalar(select(DrillParticipant).where(DrillParticipant.token == token)) if token else None
    if participant is None:
        raise ServiceError("drill_not_found")
    return _state(session, _run(session, participant.run_id))


def report(state: RunState, catalog: Catalog) -> AfterAction:
    """The after-action report of a finished run, from the content it names."""
    drill = catalog.drills.get(state.drill_id)
    guide = catalog.guides.get(drill.guide) if drill else None
    if drill is None or guide is None or not state.finished:
        raise ServiceError("drill_not_found")
    try:
        return after_action(drill, guide, list(state.decisions))
    except DrillError as exc:
        raise ServiceError("drill_not_found") from exc


def site_drills(session: Session, actor: Account) -> list[RunSummary]:
    """The drills run at the actor's site, newest first: the site keeps every report."""
    _require_site_staff(actor, None, "drill")
    participants = select(DrillParticipant.run_id, func.count().label("n")).group_by(DrillParticipant.run_id).subquery()
    rows = session.execute(
        select(DrillRun.id, DrillRun.drill_id, DrillRun.created_at, DrillRun.finished_at, func.coalesce(participants.c.n, 0))
        .outerjoin(participants, participants.c.run_id == DrillRun.id)
        .where(DrillRun.site_id == actor.site_id)
        .order_by(DrillRun.created_at.desc(), DrillRun.id.desc())
    )
    return [RunSummary(*row) for row in rows]


def drill_attendance(session: Session, actor: Account, site_id: int | None = None) -> list[Attendance]:
    """Staff training attendance from finished drills: a principal sees their site's staff, a teacher themself.

    For the site and dashboard pages to show beside (not inside) the training modules.
    """
    site_id = actor.site_id if site_id is None else site_id
    _require_site_staff(actor, site_id, "drill_attendance")
    query = (
        select(Account.id, Account.display_name, DrillRun.drill_id, DrillRun.id, DrillRun.finished_at)
        .join(DrillParticipant, DrillParticipant.account_id == Account.id)
        .join(DrillRun, DrillRun.id == DrillParticipant.run_id)
        .where(DrillRun.site_id == site_id, DrillRun.finished_at.is_not(None))
        .order_by(DrillRun.finished_at.desc(), Account.display_name)
    )
    if actor.role != Role.PRINCIPAL.value:
        query = query.where(Account.id == actor.id)
    return [Attendance(*row) for row in session.execute(query)]


def drills_attended(session: Session, actor: Account, term: tuple[dt.date, dt.date]) -> dict[int, int]:
    """How many finished drills each staff member of the actor's site took part in during ``term`` (Seoul dates).

    Staff training attendance of its own kind: *My site* shows it beside the modules, never inside their count.
    """
    counts: dict[int, int] = {}
    for attended in drill_attendance(session, actor):
        finished = attended.finished_at
        finished = finished if finished.tzinfo else finished.replace(tzinfo=dt.UTC)  # SQLite hands back naive UTC
        if term[0] <= finished.astimezone(clock.SEOUL).date() <= term[1]:
            counts[attended.account_id] = counts.get(attended.account_id, 0) + 1
    return counts


def sites_drilled(session: Session, viewer: Account, campaign_id: str, term: tuple[dt.date, dt.date], k: int) -> pd.DataFrame:
    """Sites the viewer oversees, with the drills finished this term and the staff who took part (small counts blanked).

    A site either ran a drill or not, which names no one; staff counts below ``k`` are suppressed as usual.
    """
    if viewer.role not in (Role.COORDINATOR.value, Role.ADMIN.value) or not viewer.active:
        raise NotAllowed("sites_drilled")
    start = dt.datetime.combine(term[0], dt.time(), clock.SEOUL)
    end = dt.datetime.combine(term[1] + dt.timedelta(days=1), dt.time(), clock.SEOUL)
    in_term = (
        (DrillRun.campaign_id == campaign_id)
        & DrillRun.finished_at.is_not(None)
        & (DrillRun.finished_at >= start)
        & (DrillRun.finished_at < end)
    )
    runs = select(DrillRun.site_id, func.count().label("drills")).where(in_term).group_by(DrillRun.site_id).subquery()
    staff = (
        select(DrillRun.site_id, func.count(func.distinct(DrillParticipant.account_id)).label("staff"))
        .join(DrillParticipant, DrillParticipant.run_id == DrillRun.id)
        .where(in_term)
        .group_by(DrillRun.site_id)
        .subquery()
    )
    query = (
        select(
            Site.code,
            Site.name,
            Site.district,
            func.coalesce(runs.c.drills, 0).label("drills"),
            func.coalesce(staff.c.staff, 0).label("staff"),
        )
        .outerjoin(runs, runs.c.site_id == Site.id)
        .outerjoin(staff, staff.c.site_id == Site.id)
        .order_by(Site.district, Site.code)
    )
    if viewer.role == Role.COORDINATOR.value and viewer.district is not None:
        query = query.where(Site.district == viewer.district)
    frame = pd.DataFrame(session.execute(query).mappings().all(), columns=["code", "name", "district", "drills", "staff"])
    return suppress_small(frame, k, ("staff",))
