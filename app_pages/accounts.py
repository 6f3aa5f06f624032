"""Admins manage accounts: search, role and scope, deactivate, reissue a one-time password, clear a sign-in lock."""

import pandas as pd
import streamlit as st

from safeclass.domain import Role
from safeclass.services.accounts import clear_sign_in_throttle, list_accounts, reissue_password, set_active
from safeclass.ui import coordinator as fmt
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context
from safeclass.ui.i18n import t

viewer = context().account
st.title(t("accounts_admin.title"))
cols = st.columns([3, 2, 1])
search = cols[0].text_input(t("accounts_admin.search"), key=state.ACCOUNTS_SEARCH, placeholder=t("accounts_admin.search_placeholder"))
role = cols[1].selectbox(
    fmt.col("role"),
    [None, *[r.value for r in Role]],
    format_func=lambda r: t("sites.any") if r is None else t(f"role.{r}"),
    key=state.ACCOUNTS_ROLE,
)
never = cols[2].checkbox(t("accounts_admin.never"), key=state.ACCOUNTS_NEVER)
accounts = read(lambda s: list_accounts(s, viewer, search=search, role=role, never_signed_in=never))
st.caption(t("accounts_admin.count", count=fmt.number(len(accounts))))
st.dataframe(
    pd.DataFrame(
        {
            fmt.col("username"): [a["username"] for a in accounts],
            fmt.col("display_name"): [a["display_name"] for a in accounts],
            fmt.col("role"): [t(f"role.{a['role']}") for a in accounts],
            fmt.col("scope"): [
                a["site_code"] or (fmt.district(a["district"]) if a["district"] else t("accounts_admin.whole")) for a in accounts
            ],
            fmt.col("active"): [t("sites.yes") if a["active"] else t("sites.no") for a in accounts],
            fmt.col("locked"): [t("sites.yes") if a["locked"] else "" for a in accounts],
            fmt.col("last_login_at"): [fmt.when(a["last_login_at"]) for a in accounts],
        }
    ),
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * max(len(accounts), 1), 420),
)
names = [a["username"] for a in accounts]
chosen = st.selectbox(
    t("accounts_admin.choose"), names, index=None, key=state.ACCOUNTS_CHOSEN, placeholder=t("accounts_admin.choose_placeholder")
)
if chosen:
    account = next(a for a in accounts if a["username"] == chosen)
    cols = st.columns(3)
    label, key = (
        ("accounts_admin.deactivate", "accounts.deactivate") if account["active"] else ("accounts_admin.reactivate", "accounts.reactivate")
    )
    if cols[0].button(t(label), key=key) and run_action(lambda s: set_active(s, viewer, chosen, not account["active"])) is not None:
        st.rerun()
    if cols[1].button(t("accounts_admin.reissue"), key="accounts.reissue"):
        issued = run_action(lambda s: reissue_password(s, viewer, chosen))
        if issued is not None:
            st.success(t("roster.reissued", username=issued.username))
            st.code(issued.password, language=None)
            st.caption(t("roster.sheet_once"))
    if cols[2].button(t("accounts_admin.unlock"), key="accounts.unlock"):
        cleared = run_action(lambda s: clear_sign_in_throttle(s, viewer, chosen))
        if cleared is not None:
            st.success(t("accounts_admin.unlocked", count=cleared))
