"""Students join a class with its code and their seat number (no name, no account)."""

import streamlit as st

from safeclass.services import ServiceError
from safeclass.services.classes import MAX_SEAT, join_class
from safeclass.ui import resources, state
from safeclass.ui.i18n import t

st.title(t("join.title"))
st.write(t("join.intro"))
with st.form("join.form"):
    code = st.text_input(t("join.code"), max_chars=12, help=t("join.code_help"))
    seat = st.number_input(t("join.seat"), min_value=1, max_value=MAX_SEAT, step=1, value=None)
    pin = st.text_input(t("join.pin"), type="password", max_chars=4, help=t("join.pin_help"))
    submitted = st.form_submit_button(t("join.submit"), type="primary")

if submitted:
    if not code.strip() or seat is None:
        st.error(t("join.missing"))
    else:
        try:
            with resources.database().transaction() as session:
                learner = join_class(session, join_code=code, seat_number=int(seat), pin=pin or None)
                learner_id = learner.id
        except ServiceError as exc:
            st.error(t(f"error.{exc.code}", **exc.params))
        else:
            st.session_state[state.LEARNER_ID] = learner_id
            st.rerun()
