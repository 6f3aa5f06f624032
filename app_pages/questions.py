"""Where students go wrong: per-question error rates of quizzes and inline checks, campaign-wide or per district."""

import pandas as pd
import streamlit as st

from safeclass.domain import SEOUL_DISTRICTS
from safeclass.services.reports import question_errors
from safeclass.ui import coordinator as fmt
from safeclass.ui import state
from safeclass.ui.actions import read
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account

st.title(t("questions.title"))
st.caption(t("questions.intro", k=campaign.k))
choices = [viewer.district] if viewer.district else [None, *sorted(SEOUL_DISTRICTS, key=fmt.district)]
district = st.selectbox(
    fmt.col("district"), choices, format_func=lambda d: t("questions.all") if d is None else fmt.district(d), key=state.QUESTIONS_DISTRICT
)
kind = st.segmented_control(
    t("questions.kind"),
    ["quiz", "check"],
    format_func=lambda k: t(f"questions.kind_{k}"),
    selection_mode="multi",
    default=["quiz", "check"],
    key=state.QUESTIONS_KIND,
)
frame = read(lambda s: question_errors(s, viewer, campaign, ctx.catalog, lang(), district=district))
frame = frame[frame["kind"].isin(kind or ["quiz", "check"])]
if frame.empty:
    st.info(t("questions.none", k=campaign.k))
    st.stop()
hidden = f"<{campaign.k}"
view = pd.DataFrame(
    {
        fmt.col("item"): frame["item"],
        fmt.col("question"): frame["question"],
        fmt.col("responses"): frame["responses"].map(fmt.number),
        fmt.col("error_rate"): [
            hidden if h else fmt.percent(v) for v, h in zip(frame["error_rate"].fillna(0), frame["hidden"], strict=True)
        ],
        fmt.col("correct_answer"): frame["correct_answer"],
        fmt.col("top_wrong_answer"): frame["top_wrong_answer"],
    }
)
st.dataframe(view, hide_index=True, width="stretch", height=min(38 + 35 * len(view), 640))
export = frame.assign(
    wrong=[hidden if h else v for v, h in zip(frame["wrong"], frame["hidden"], strict=True)],
    error_rate=[hidden if h else float(v) for v, h in zip(frame["error_rate"].fillna(0), frame["hidden"], strict=True)],
)
columns = ["kind", "item", "question_id", "question", "responses", "wrong", "error_rate", "correct_answer", "top_wrong_answer"]
fmt.export_buttons(
    viewer,
    export[columns],
    what=f"{campaign.id}-questions",
    filters={"district": district, "kinds": kind},
    percent_columns=["error_rate"],
    key="questions.export",
)
