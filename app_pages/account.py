"""Change one's own password (required at first sign-in with a one-time password)."""

import streamlit as st

from safeclass.services import ServiceError
from safeclass.services.accounts import change_password
from safeclass.ui import resources, state
from safeclass.ui.context import context
from safeclass.ui.i18n import t

ctx = context()
viewer = ctx.account
st.title(t("account.title"))
st.caption(t("account.who", name=viewer.display_name, role=t(f"role.{viewer.role}")))
flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.success(flash)
if viewer.must_change_password:
    st.warning(t("account.must_change"), icon=":material/key:")

with st.form("account.form"):
    current = st.text_input(t("account.current"), type="password", autocomplete="current-password")
    new = st.text_input(t("account.new"), type="password", autocomplete="new-password")
    confirm = st.text_input(t("account.confirm"), type="password", autocomplete="new-password")
    submitted = st.form_submit_button(t("account.submit"), type="primary")
if submitted:
    if new != confirm:
        st.error(t("account.mismatch"))
    else:
        try:
            with resources.database().transaction() as session:
                change_password(session, viewer.id, current=current, new=new)
        except ServiceError as exc:
            st.error(t(f"error.{exc.code}", **exc.params))
        else:
            ctx.gate.renew_cookie()
            st.session_state[state.FLASH] = t("account.changed")
            st.rerun()
