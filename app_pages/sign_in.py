"""Staff sign-in (principals, teachers, coordinators, admins)."""

import streamlit as st

from safeclass import config
from safeclass.ui.auth import SignIn
from safeclass.ui.context import context
from safeclass.ui.i18n import t

st.title(t("sign_in.title"))
st.write(t("sign_in.intro"))
with st.form("sign_in.form"):
    username = st.text_input(t("sign_in.username"), autocomplete="username")
    password = st.text_input(t("sign_in.password"), type="password", autocomplete="current-password")
    submitted = st.form_submit_button(t("sign_in.submit"), type="primary")
if config.demo_mode():
    st.caption(t("sign_in.demo_hint"))

if submitted:
    if not username.strip() or not password:
        st.error(t("sign_in.empty"))
    else:
        outcome, minutes = context().gate.sign_in(username, password)
        if outcome is SignIn.OK:
            st.rerun()
        st.error(t("sign_in.locked", minutes=minutes) if outcome is SignIn.LOCKED else t("sign_in.wrong"))
