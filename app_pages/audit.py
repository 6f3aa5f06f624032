"""The audit log: who changed accounts, the roster or content, and who exported what with which filters."""

import json

import pandas as pd
import streamlit as st

from safeclass.services.accounts import audit_entries
from safeclass.ui import coordinator as fmt
from safeclass.ui import state
from safeclass.ui.actions import read
from safeclass.ui.context import context
from safeclass.ui.i18n import t

viewer = context().account
st.title(t("admin.audit_title"))
st.caption(t("admin.audit_intro"))
action = st.selectbox(
    fmt.col("action"), ["", "export", "roster", "account"], format_func=lambda a: t(f"admin.audit_{a or 'all'}"), key=state.AUDIT_ACTION
)
entries = read(lambda s: audit_entries(s, viewer, action=action))
if not entries:
    st.info(t("admin.audit_empty"))
    st.stop()
st.dataframe(
    pd.DataFrame(
        {
            fmt.col("at"): [fmt.when(e["at"]) for e in entries],
            fmt.col("actor"): [e["actor"] for e in entries],
            fmt.col("action"): [e["action"] for e in entries],
            fmt.col("target"): [e["target"] for e in entries],
            fmt.col("detail"): [json.dumps(e["detail"], ensure_ascii=False) for e in entries],
        }
    ),
    hide_index=True,
    width="stretch",
)
