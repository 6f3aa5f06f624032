"""Change one's own password (required at first sign-in with a one-time password)."""

import streamlit as st

from safeclass.content.render import plain
from safeclass.services.accounts import change_password
from safeclass.ui import state
from safeclass.ui.actions import run_action
from safeclass.ui.context import context
from safeclass.ui.i18n import t

ctx = context()
viewer = ctx.account
st.title(t("account.title"))
st.caption(t("account.who", name=plain(viewer.display_name), role=t(f"role.{viewer.role}")))
# Kept for the session, not popped once: the cookie renewal reruns the page, which would wipe a one-shot message.
if st.session_state.get(state.ACCOUNT_CHANGED):
    st.success(t("account.changed"), icon=":material/check_circle:")
if viewer.must_change_password:
    st.warning(t("account.must_change"), icon=":material/key:")

with st.form("account.form"):
    current = st.text_input(t("account.current"), type="password", autocomplete="current-password")
    new = st.text_input(t("account.new"), type="password", autocomplete="new-password")
    confirm = st.text_input(t("account.confirm"), type="password", autocomplete="new-password")
    submitted = st.form_submit_button(t("account.submit"), type="primary")
st.caption(t("staff.policy"))
if submitted:
    if new != confirm:
        st.error(t("account.mismatch"))
    elif run_action(lambda s: change_password(s, viewer.id, current=current, new=new) or True) is not None:
        ctx.gate.renew_cookie()
        st.session_state[state.ACCOUNT_CHANGED] = True
        st.rerun()
