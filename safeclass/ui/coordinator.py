"""Shared pieces of the coordinator and admin pages: formatting in the viewer's language, suppressed
tables as display strings, and export buttons that write the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from safeclass import clock, i18n, privacy
from safeclass.db.models import Account
from safeclass.services.exports import record_export, to_csv, to_xlsx
from safeclass.services.reports import district_label
from safeclass.ui import state
from safeclass.ui.actions import run_action
from safeclass.ui.i18n import lang, t

# One line per district, tall enough for a 13 px Korean label (Noto Sans CJK) with air between lines.
DISTRICT_ROW_PX = 26
# The bars' scale ends a quarter past the highest rate, so the figure printed after the longest bar fits.
RATE_HEADROOM = 1.25


def district_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Student completion per district as horizontal bars: every district's name on its own line, never cut or
    dropped (all 25 of Seoul's), the rate printed after each bar; ``table`` has ``label``, ``shown_rate`` (None
    when hidden), ``rate_text``, ``sites`` and ``sites_started``.

    The scale follows the data rather than 0–100 %: early in a campaign every district is at a few percent and
    bars on a 0–100 % scale are slivers whose differences cannot be seen; the printed rates say the level.
    """
    highest = float(pd.to_numeric(table["shown_rate"], errors="coerce").max(skipna=True) or 0)
    upper = min(1.0, max(highest * RATE_HEADROOM, 0.05))
    # A hidden rate has no bar; its "<k" is printed at the start of the line instead.
    table = table.assign(text_at=pd.to_numeric(table["shown_rate"], errors="coerce").fillna(0.0))
    base = alt.Chart(table).encode(
        y=alt.Y(
            "label:N",
            sort="-x",
            title=None,
            axis=alt.Axis(labelLimit=0, labelOverlap=False, labelFontSize=13, labelColor="#31333f", labelPadding=6, ticks=False),
        ),
    )
    bars = base.mark_bar(height=DISTRICT_ROW_PX - 8).encode(
        x=alt.X(
            "shown_rate:Q",
            title=col("student_completion"),
            axis=alt.Axis(format="%", tickCount=5, labelFlush=True, labelFontSize=12, titleFontSize=13),
            scale=alt.Scale(domain=[0, upper], nice=False),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=col("district")),
            alt.Tooltip("rate_text:N", title=col("student_completion")),
            alt.Tooltip("sites:Q", title=col("sites")),
            alt.Tooltip("sites_started:Q", title=col("sites_started")),
        ],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=12, color="#31333f").encode(x=alt.X("shown_rate:Q"), text="rate_text:N")
    return (bars + labels).properties(height=DISTRICT_ROW_PX * len(table) + 50)


def number(value: float) -> str:
    """A whole number in the viewer's language."""
    return i18n.number(int(value), lang())


def percent(value: float) -> str:
    """A ratio as a percentage in the viewer's language."""
    return i18n.percent(float(value), lang())


def district(value: str) -> str:
    """A district in the viewer's language (강남구 / Gangnam-gu)."""
    return district_label(value, lang())


def site_type(value: str) -> str:
    """A site type in the viewer's language."""
    return t(f"site_type.{value}")


def status(value: str) -> str:
    """A site status in the viewer's language."""
    return t(f"sites.status_{value}")


def when(value: dt.datetime | None) -> str:
    """A moment in Seoul time, or a dash when it never happened."""
    if value is None or pd.isna(value):
        return t("sites.never")
    local = value.astimezone(clock.SEOUL)
    return f"{i18n.date(local.date(), lang())} {local:%H:%M}"


def col(name: str) -> str:
    """A column header in the viewer's language (the report columns first, then the shared ones)."""
    key = f"report_columns.{name}"
    return t(key) if key in i18n.all_keys(lang()) else t(f"columns.{name}")


def headers(columns: Sequence[str]) -> dict[str, str]:
    """Column headers in the viewer's language (Korean headers in Korean exports)."""
    return {c: col(c) for c in columns}


def mixed(result: privacy.Suppressed, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame``'s rows with suppressed columns as numbers where shown and ``<k`` / ``*`` where hidden (for exports)."""
    out = frame.copy()
    kinds = result.kinds.loc[frame.index]
    for column in columns:
        if column in kinds:
            out[column] = [
                result.mark(int(kind)) if kind else _plain(value) for value, kind in zip(frame[column], kinds[column], strict=True)
            ]
    return out


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


def shown_text(result: privacy.Suppressed, frame: pd.DataFrame, columns: Sequence[str], rates: Sequence[str] = ()) -> pd.DataFrame:
    """``frame``'s rows with suppressed columns as display strings (never None or NaN)."""
    out = frame.copy()
    kinds = result.kinds.loc[frame.index]
    for column in columns:
        fmt = percent if column in rates else number
        out[column] = [result.mark(int(kind)) if kind else fmt(value) for value, kind in zip(frame[column], kinds[column], strict=True)]
    return out


def export_buttons(
    viewer: Account,
    frame: pd.DataFrame,
    *,
    what: str,
    filters: Mapping[str, object],
    percent_columns: Sequence[str] = (),
    key: str,
    note: str | None = None,
) -> None:
    """CSV and XLSX downloads of ``frame`` (headers in the viewer's language), offered once the export is audit-logged.

    Logging happens on an explicit *Prepare* click, in its own transaction, so the audit log never misses a
    download (a download button's callback can be lost when reruns are coalesced).
    """
    names = headers(frame.columns)
    stamp = clock.today().isoformat()
    signature = repr((what, sorted((k, str(v)) for k, v in filters.items()), len(frame)))
    prepared = st.session_state.get(state.export_key(key))
    if prepared != signature:
        if st.button(t("exports.prepare", rows=number(len(frame))), key=f"{key}.prepare", icon=":material/ios_share:"):
            logged = run_action(
                lambda s: record_export(s, viewer, what, rows=len(frame), filters=dict(filters), file_format="csv+xlsx") or True
            )
            if logged:  # None: refused or failed, and the message is on screen
                st.session_state[state.export_key(key)] = signature
                st.rerun()
        return
    left, right = st.columns(2)
    left.download_button(
        t("exports.csv"),
        to_csv(frame, names),
        file_name=f"{what}-{stamp}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{key}.csv",
    )
    right.download_button(
        t("exports.xlsx"),
        to_xlsx(frame, names, percent=percent_columns, sheet=what, note=note),
        file_name=f"{what}-{stamp}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table:",
        key=f"{key}.xlsx",
    )
