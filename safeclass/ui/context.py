"""What every page needs to know about this run: language, who is here, the content and the campaign."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from safeclass.content import Catalog
from safeclass.content.models import Campaign
from safeclass.db.models import Account
from safeclass.services.accounts import staff_member
from safeclass.services.progress import Participant, seat
from safeclass.ui.auth import Gate


@dataclass
class Context:
    """Set by app.py before the page runs."""

    gate: Gate
    catalog: Catalog
    campaign: Campaign | None
    learner_id: int | None
    secret_key: str  # signs seat cookies; the same key as the staff sign-in cookie

    @property
    def account(self) -> Account | None:
        """The signed-in staff account, if any."""
        return self.gate.account


CONTEXT = "app.context"


def set_context(ctx: Context) -> None:
    """Make the run's context available to the page."""
    st.session_state[CONTEXT] = ctx


def context() -> Context:
    """The context app.py set for this run."""
    return st.session_state[CONTEXT]


def require_campaign(ctx: Context) -> Campaign:
    """The running campaign, or stop the page with a message."""
    from safeclass.ui.i18n import t

    if ctx.campaign is None:
        st.error(t("app.no_campaign"))
        st.stop()
    return ctx.campaign


Who = Callable[[Session], Participant]


def require_participant(ctx: Context) -> tuple[Who, bool]:
    """A loader of whoever is learning here (a student's seat or a staff account) and whether it is staff."""
    if ctx.account is not None:
        account_id = ctx.account.id
        return (lambda session: staff_member(session, account_id)), True
    learner_id = require_seat(ctx)
    return (lambda session: seat(session, learner_id)), False


def require_seat(ctx: Context) -> int:
    """The student's seat in this session, or back to the join page."""
    if ctx.learner_id is None:
        st.switch_page("app_pages/join.py")
    return ctx.learner_id
