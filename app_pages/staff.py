"""A principal creates their site's teacher accounts (one-time password shown once), deactivates them, sees their training."""

import pandas as pd
import streamlit as st

from safeclass import clock, config, i18n
from safeclass.documents import PasswordSheet, password_sheet_pdf
from safeclass.services.accounts import create_teacher, own_site, reissue_one_time_password, set_staff_active, staff_at_site
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account

st.title(t("staff.title"))
st.write(t("staff.intro"))
flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.success(flash, icon=":material/check_circle:")
site_name = read(lambda s: own_site(s, viewer).name)


def _remember(account, password: str) -> None:  # noqa: ANN001
    # Held only in this browser session until the principal hides it: never stored, never shown again.
    st.session_state[state.STAFF_NEW_PASSWORD] = {"name": account.display_name, "username": account.username, "password": password}


handed = st.session_state.get(state.STAFF_NEW_PASSWORD)
if handed:
    with st.container(border=True):
        st.subheader(t("staff.one_time_title", name=handed["name"]), anchor=False)
        st.warning(t("staff.one_time_once"), icon=":material/visibility:")
        st.markdown(f"{t('staff.username')}: `{handed['username']}`")
        st.markdown(f"{t('staff.one_time_password')}:")
        st.code(handed["password"], language=None)
        sheet = PasswordSheet(site_name, handed["name"], handed["username"], handed["password"], config.public_url())
        cols = st.columns(2)
        cols[0].download_button(
            t("staff.sheet"),
            data=lambda: password_sheet_pdf(sheet),
            file_name=f"safeclass-{handed['username']}.pdf",
            mime="application/pdf",
            icon=":material/print:",
            on_click="ignore",
        )
        if cols[1].button(t("staff.handed_over"), icon=":material/visibility_off:"):
            st.session_state.pop(state.STAFF_NEW_PASSWORD, None)
            st.rerun()

with st.expander(t("staff.create"), expanded=not handed, icon=":material/person_add:"):
    with st.form("staff.create_form", clear_on_submit=True):
        name = st.text_input(t("staff.name"), max_chars=100)
        username = st.text_input(t("staff.username"), max_chars=64, help=t("staff.username_help"))
        submitted = st.form_submit_button(t("staff.submit"), type="primary")
    st.caption(t("staff.policy"))
    if submitted:
        created = run_action(lambda s: create_teacher(s, viewer, username=username, display_name=name))
        if created is not None:
            _remember(*created)
            st.rerun()

st.subheader(t("staff.list"), anchor=False)
rows = read(lambda s: staff_at_site(s, viewer, campaign))
if not rows:
    st.info(t("staff.none"))
    st.stop()


def _when(moment) -> str:  # noqa: ANN001
    if moment is None:
        return t("staff.never")
    local = moment.astimezone(clock.SEOUL)
    return f"{i18n.date(local.date(), lang())} {local:%H:%M}"


def _status(row) -> str:  # noqa: ANN001
    if not row.active:
        return t("staff.inactive")
    return t("staff.waiting_first") if row.must_change_password else t("staff.active")


st.dataframe(
    pd.DataFrame(
        {
            t("staff.name"): [r.display_name for r in rows],
            t("staff.username"): [r.username for r in rows],
            t("staff.status"): [_status(r) for r in rows],
            t("staff.last_login"): [_when(r.last_login_at) for r in rows],
            t("staff.training"): [t("staff.training_value", done=r.modules_completed, total=r.modules_assigned) for r in rows],
            t("staff.training_done"): [r.completed for r in rows],
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("staff.manage"), anchor=False)
by_id = {r.account_id: r for r in rows}
chosen = st.selectbox(t("staff.pick"), list(by_id), format_func=lambda i: f"{by_id[i].display_name} ({by_id[i].username})")
row = by_id[chosen]
cols = st.columns(2)
if row.active:
    deactivate = cols[0].button(t("staff.deactivate"), icon=":material/block:", key="staff.deactivate")
    if deactivate and run_action(lambda s: set_staff_active(s, viewer, chosen, active=False)) is not None:
        st.session_state[state.FLASH] = t("staff.deactivated", name=row.display_name)
        st.rerun()
    if cols[1].button(t("staff.reissue"), icon=":material/key:", key="staff.reissue", help=t("staff.reissue_help")):
        reissued = run_action(lambda s: reissue_one_time_password(s, viewer, chosen))
        if reissued is not None:
            _remember(*reissued)
            st.rerun()
else:
    activate = cols[0].button(t("staff.activate"), icon=":material/check:", key="staff.activate")
    if activate and run_action(lambda s: set_staff_active(s, viewer, chosen, active=True)) is not None:
        st.session_state[state.FLASH] = t("staff.activated", name=row.display_name)
        st.rerun()
