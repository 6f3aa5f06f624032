"""The class-by-class progress table of *My site* and *My classes*: suppressed counts in the reader's language."""

from __future__ import annotations

import threading

import pandas as pd
import streamlit as st

from safeclass import i18n, privacy
from safeclass.content.catalog import Catalog
from safeclass.ui.i18n import lang, t, text


def render_class_table(table: privacy.Suppressed, modules: tuple[str, ...], catalog: Catalog) -> None:
    """One row per class: grade, label, level, joined, each module's completions, quiz pass rate, attested lessons."""
    key = (id(table), lang(), id(catalog))
    held = _shown.get(key)
    # The same table object (site_report's memo) in the same language and catalog: formatted once. The entry
    # holds the table and catalog themselves, so their ids cannot be reused by other objects while it lives.
    if held is None or held[0] is not table or held[1] is not catalog:
        held = (table, catalog, _formatted(table, modules, catalog))
        with _shown_lock:  # sessions' threads share it
            _shown[key] = held
            while len(_shown) > _SHOWN_MAX:
                _shown.pop(next(iter(_shown)))
    st.dataframe(held[2], hide_index=True)


_SHOWN_MAX = 256
_shown: dict[tuple[int, str, int], tuple[privacy.Suppressed, Catalog, pd.DataFrame]] = {}
_shown_lock = threading.Lock()


def _formatted(table: privacy.Suppressed, modules: tuple[str, ...], catalog: Catalog) -> pd.DataFrame:
    language = lang()
    shown = table.display(number=lambda v: i18n.number(int(v), language), percent=lambda r: i18n.percent(float(r), language))
    shown["level"] = shown["level"].map(lambda v: t(f"level.{v}"))
    shown["grade"] = shown["grade"].map(lambda g: t("site.grade", grade=g) if str(g) not in ("0", "") else "—")
    shown["open"] = shown["open"].map(lambda o: t("seats.status_open") if o in (True, "True") else t("seats.status_closed"))
    names = {
        "grade": t("site.grade_column"),
        "label": t("columns.label"),
        "level": t("columns.level"),
        "open": t("site.state"),
        "learners_joined": t("columns.learners_joined"),
        "quiz_passed": t("site.quiz_passed"),
        "quiz_pass_rate": t("site.quiz_pass_rate"),
        "alternatives_chosen": t("columns.alternatives_chosen"),
        "lessons_attested": t("site.lessons_attested"),
        "students_attested": t("site.students_attested"),
        **{f"module:{m}": text(catalog.modules[m].title) for m in modules if m in catalog.modules},
    }
    return shown.rename(columns=names)
