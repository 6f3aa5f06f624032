"""Run one user action in one transaction, and turn any refusal or fault into a message (never a traceback)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from safeclass.db.engine import DatabaseUnavailable, is_busy
from safeclass.services import ServiceError
from safeclass.ui import resources, state
from safeclass.ui.i18n import t

T = TypeVar("T")
BUSY_RETRIES = 3  # SQLite waits 5 s for the write lock each time; three tries ride out a burst
log = logging.getLogger("safeclass")


def message(exc: ServiceError) -> str:
    """The localized message of a refusal."""
    return t(f"error.{exc.code}", **exc.params)


def run_action(action: Callable[[Session], T], where: st.delta_generator.DeltaGenerator | None = None) -> T | None:
    """Run ``action`` in one write transaction; show a refusal or a fault as a message and return None."""
    out = where or st
    for attempt in range(1, BUSY_RETRIES + 1):
        try:
            with resources.database().transaction() as session:
                return action(session)
        except ServiceError as exc:
            out.error(message(exc), icon=":material/info:")
        except (SQLAlchemyError, DatabaseUnavailable) as exc:
            if is_busy(exc) and attempt < BUSY_RETRIES:
                continue  # a whole school writing at once: the action rolled back, so running it again is safe
            log.exception("action failed")
            out.error(t("error.unexpected"), icon=":material/cloud_off:")
        return None
    return None


def read(query: Callable[[Session], T]) -> T:
    """Run ``query`` in a read session; a fault stops the page with a message instead of a traceback."""
    try:
        with resources.database().reading() as session:
            return query(session)
    except ServiceError as exc:
        st.error(message(exc), icon=":material/info:")
    except (SQLAlchemyError, DatabaseUnavailable):
        log.exception("read failed")
        st.error(t("error.unexpected_read"), icon=":material/cloud_off:")
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def action_button(label: str, *, key: str, on_click: Callable[..., None], args: tuple = (), **options: Any) -> None:
    """``st.button`` with an ``on_click`` that also runs when the click reached a process that never drew the button.

    Streamlit runs a widget's callback only in the session that drew the widget. After a replica stops (or the
    server restarts) the browser reconnects to a new session, and its next click arrives there without one:
    the button reads as pressed, but the callback never ran. Here it then runs in the page, which is drawn
    again with its effect (docs/operations.md, "A replica stops").
    """
    ran = state.callback_ran(key)

    def callback(*values: Any) -> None:
        st.session_state[ran] = True
        on_click(*values)

    if st.button(label, key=key, on_click=callback, args=args, **options) and not st.session_state.pop(ran, False):
        on_click(*args)
        st.rerun()
