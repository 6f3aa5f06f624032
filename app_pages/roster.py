"""The site roster and principals' accounts: upload sites.csv (checked, previewed, applied in one step),
provision every site's principal, see who never signed in, reissue a one-time password."""

import pandas as pd
import streamlit as st

from safeclass.content.roster import RosterUnreadable, decode_roster, parse_roster
from safeclass.services.accounts import list_accounts, provision_principals, reissue_password
from safeclass.services.exports import to_csv, to_xlsx
from safeclass.services.roster import apply_roster, preview_roster, scope_problems
from safeclass.ui import coordinator as fmt
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account

st.title(t("roster.title"))
upload, principals = st.tabs([t("roster.tab_upload"), t("roster.tab_principals")])

with upload:
    st.write(t("roster.intro"))
    file = st.file_uploader(t("roster.file"), type=["csv", "txt"], key=state.ROSTER_FILE)
    if file is not None:
        try:
            text, encoding = decode_roster(file.getvalue())
        except RosterUnreadable as exc:
            st.error(t("roster.unreadable", reason=str(exc)))
            st.stop()
        rows, problems = parse_roster(text)
        if not problems:
            problems = scope_problems(viewer, rows)
        st.caption(t("roster.read_as", encoding=encoding, rows=fmt.number(len(rows) + len({p.line for p in problems}))))
        if problems:
            st.error(t("roster.problems", count=fmt.number(len(problems))), icon=":material/error:")
            st.dataframe(
                pd.DataFrame(
                    {
                        fmt.col("line"): [p.line for p in problems],
                        fmt.col("column"): [p.column for p in problems],
                        fmt.col("message"): [p.message for p in problems],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
            st.info(t("roster.nothing_applied"))
        else:
            preview = read(lambda s: preview_roster(s, viewer, rows))
            cols = st.columns(4)
            cols[0].metric(t("roster.added"), fmt.number(len(preview.added)))
            cols[1].metric(t("roster.updated"), fmt.number(len(preview.updated)))
            cols[2].metric(t("roster.removed"), fmt.number(len(preview.removed)))
            cols[3].metric(t("roster.unchanged"), fmt.number(preview.unchanged))
            if preview.added:
                with st.expander(t("roster.added_list", count=len(preview.added))):
                    st.dataframe(
                        pd.DataFrame(
                            [
                                {
                                    fmt.col("code"): r.code,
                                    fmt.col("name"): r.name,
                                    fmt.col("district"): fmt.district(r.district),
                                    fmt.col("site_type"): fmt.site_type(r.type.value),
                                    fmt.col("expected_students"): r.expected_students,
                                }
                                for r in preview.added
                            ]
                        ),
                        hide_index=True,
                    )
            if preview.updated:
                with st.expander(t("roster.updated_list", count=len(preview.updated))):
                    st.dataframe(
                        pd.DataFrame(
                            [
                                {fmt.col("code"): c.code, fmt.col("column"): k, t("roster.before"): str(a), t("roster.after"): str(b)}
                                for c in preview.updated
                                for k, (a, b) in c.changes.items()
                            ]
                        ),
                        hide_index=True,
                    )
            if preview.removed:
                with st.expander(t("roster.removed_list", count=len(preview.removed))):
                    st.write(", ".join(preview.removed))
            if preview.kept:
                st.warning(t("roster.kept", count=len(preview.kept), codes=", ".join(preview.kept[:20])))
            if st.button(t("roster.apply"), type="primary", key="roster.apply"):
                done = run_action(lambda s: apply_roster(s, viewer, rows, campaign.id, file_name=file.name))
                if done is not None:
                    st.success(t("roster.applied", added=len(done.added), updated=len(done.updated), removed=len(done.removed)))

with principals:
    st.write(t("roster.principals_intro"))
    if st.button(t("roster.provision"), type="primary", key="roster.provision"):
        issued = run_action(lambda s: provision_principals(s, viewer))
        if issued is not None:
            st.session_state[state.ROSTER_ISSUED] = issued
    issued = st.session_state.get(state.ROSTER_ISSUED)
    if issued is not None:
        if not issued:
            st.info(t("roster.provision_none"))
        else:
            st.success(t("roster.provisioned", count=fmt.number(len(issued))))
            st.warning(t("roster.sheet_once"), icon=":material/visibility:")
            sheet = pd.DataFrame(
                [
                    {
                        "site_code": i.site_code,
                        "site_name": i.site_name,
                        "district": fmt.district(i.district or ""),
                        "username": i.username,
                        "one_time_password": i.password,
                    }
                    for i in issued
                ]
            )
            names = fmt.headers(sheet.columns)
            cols = st.columns(3)
            cols[0].download_button(
                t("roster.sheet_csv"),
                to_csv(sheet, names),
                file_name="principals-one-time-passwords.csv",
                mime="text/csv",
                key="roster.sheet.csv",
            )
            cols[1].download_button(
                t("roster.sheet_xlsx"),
                to_xlsx(sheet, names, sheet="principals"),
                file_name="principals-one-time-passwords.xlsx",
                key="roster.sheet.xlsx",
            )
            if cols[2].button(t("roster.sheet_done"), key="roster.sheet.done"):
                st.session_state.pop(state.ROSTER_ISSUED, None)
                st.rerun()
            st.dataframe(sheet.rename(columns=names), hide_index=True, width="stretch")

    st.subheader(t("roster.never_signed_in"), anchor=False)
    never = read(lambda s: list_accounts(s, viewer, role="principal", never_signed_in=True, limit=5000))
    never = [a for a in never if a["active"]]
    st.caption(t("roster.never_count", count=fmt.number(len(never))))
    if never:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        fmt.col("username"): a["username"],
                        fmt.col("code"): a["site_code"],
                        fmt.col("name"): a["site_name"],
                        fmt.col("district"): fmt.district(a["district"] or ""),
                    }
                    for a in never
                ]
            ),
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(never), 320),
        )
    st.subheader(t("roster.reissue"), anchor=False)
    username = st.text_input(fmt.col("username"), key=state.ROSTER_REISSUE, placeholder="principal.m0001")
    if st.button(t("roster.reissue_button"), key="roster.reissue.go") and username.strip():
        again = run_action(lambda s: reissue_password(s, viewer, username))
        if again is not None:
            st.success(t("roster.reissued", username=again.username))
            st.code(again.password, language=None)
            st.caption(t("roster.sheet_once"))
