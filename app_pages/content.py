"""Admins see whether every content file loaded, with each error located, and can reload."""

import pandas as pd
import streamlit as st

from safeclass.ui import resources
from safeclass.ui.context import context
from safeclass.ui.i18n import t

catalog = context().catalog
st.title(t("content.title"))
cols = st.columns(3)
cols[0].metric(t("content.modules"), len(catalog.modules))
cols[1].metric(t("content.quizzes"), len(catalog.quizzes))
cols[2].metric(t("content.campaigns"), len(catalog.campaigns))
if catalog.ok:
    st.success(t("content.ok"))
else:
    st.error(t("content.errors", count=len(catalog.errors)))
    frame = pd.DataFrame([{"file": e.file, "line": e.line, "path": e.path, "message": e.message} for e in catalog.errors])
    st.dataframe(frame.rename(columns={c: t(f"columns.{c}") for c in frame.columns}), hide_index=True)
if st.button(t("content.reload"), icon=":material/refresh:"):
    resources.reload_catalog()
    st.rerun()
