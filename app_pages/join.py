"""Students join a class with its code, their seat number and a 4-digit PIN of their own (no name, no account)."""

import streamlit as st

from safeclass.services.classes import MAX_SEAT, check_pin, join_class
from safeclass.ui import browser
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context
from safeclass.ui.i18n import t
from safeclass.ui.student import remember_seat

ctx = context()
st.title(t("join.title"))
st.write(t("join.intro"))
with st.form("join.form", enter_to_submit=True):
    code = st.text_input(t("join.code"), max_chars=12, placeholder=t("join.code_placeholder"))
    seat = st.text_input(t("join.seat"), max_chars=2, placeholder=t("join.seat_placeholder", max=MAX_SEAT))
    pin = st.text_input(t("join.pin"), type="password", max_chars=4, placeholder="••••")
    st.caption(t("join.pin_help"))
    submitted = st.form_submit_button(t("join.submit"), type="primary")

if submitted:
    seat_text = seat.strip()
    if not code.strip() or not seat_text:
        st.error(t("join.missing"))
    elif not seat_text.isdigit() or not 1 <= int(seat_text) <= MAX_SEAT:
        st.error(t("error.seat_out_of_range", max=MAX_SEAT))
    else:
        address = browser.client_address()
        # The PIN check (bcrypt) runs before the write transaction, so a class joining at once does not queue on it.
        checked = read(lambda s: check_pin(s, join_code=code, seat_number=int(seat_text), pin=pin))
        learner = run_action(lambda s: join_class(s, join_code=code, seat_number=int(seat_text), pin=pin, client=address, checked=checked))
        if learner is not None:
            remember_seat(learner, ctx.secret_key)
            st.rerun()
