"""A class's seats (joined or not, last activity, never a name), with reset PIN and remove seat."""

import pandas as pd
import streamlit as st

from safeclass import clock, i18n
from safeclass.services.classes import classes_at_site, remove_seat, reset_seat_pin, seat_list
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account

st.title(t("seats.seat_list"))
st.caption(t("seats.intro"))
flash = st.session_state.pop(state.SEATS_FLASH, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

groups = read(lambda s: classes_at_site(s, viewer, include_closed=True))
if not groups:
    st.info(t("seats.none"))
    st.stop()
names = {g.id: (f"{t('seats.slip_grade', grade=g.grade)} · {g.label}" if g.grade else g.label) + f" ({g.join_code})" for g in groups}
class_id = st.selectbox(t("seats.pick_class"), list(names), format_func=names.get, key="seats.class")
seats = read(lambda s: seat_list(s, viewer, class_id))
if not seats:
    st.info(t("seats.no_seats"))
    st.stop()


def _when(moment) -> str:  # noqa: ANN001
    if moment is None:
        return ""
    local = moment.astimezone(clock.SEOUL)
    return f"{i18n.date(local.date(), lang())} {local:%H:%M}"


def _status(seat) -> str:  # noqa: ANN001
    if not seat.joined:
        return t("seats.not_joined")
    return t("seats.joined") if seat.pin_set else t("seats.pin_reset_pending")


table = pd.DataFrame(
    {
        t("seats.seat"): [s.seat_number for s in seats],
        t("seats.status"): [_status(s) for s in seats],
        t("seats.joined_at"): [_when(s.joined_at) for s in seats],
        t("seats.last_active"): [_when(s.last_active_at) for s in seats],
        t("seats.modules_completed"): [str(s.modules_completed) if s.joined else "" for s in seats],  # blank, never "None"
    }
)
st.dataframe(table, hide_index=True, width="stretch")

joined = {s.seat_number: s.learner_id for s in seats if s.joined}
if not joined:
    st.stop()
st.subheader(t("seats.manage"), anchor=False)
seat_number = st.selectbox(t("seats.pick_seat"), list(joined), key="seats.seat")
learner_id = joined[seat_number]
cols = st.columns(2)
with cols[0]:
    st.caption(t("seats.reset_help"))
    reset = st.button(t("seats.reset_pin"), key="seats.reset", icon=":material/lock_reset:")
    if reset and run_action(lambda s: reset_seat_pin(s, viewer, learner_id)) is not None:
        st.session_state[state.SEATS_FLASH] = t("seats.reset_done", seat=seat_number)
        st.rerun()
with cols[1]:
    sure = st.checkbox(t("seats.remove_confirm"), key="seats.remove_sure")
    remove = st.button(t("seats.remove"), key="seats.remove", icon=":material/delete:", disabled=not sure)
    if remove and run_action(lambda s: remove_seat(s, viewer, learner_id, campaign) or True) is not None:
        st.session_state[state.SEATS_FLASH] = t("seats.removed_done", seat=seat_number)
        st.rerun()
