"""Admins see every module and quiz with a preview, whether every content file loaded (each error located), and can reload."""

import pandas as pd
import streamlit as st

from safeclass.content.models import CheckSection, ScenarioSection
from safeclass.ui import resources, state
from safeclass.ui.context import context
from safeclass.ui.i18n import t, text

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

st.subheader(t("admin.content_items"), anchor=False)
items = [
    {
        "id": m.id,
        "kind": m.kind,
        "title": text(m.title),
        "for": ", ".join(str(x) for x in (m.levels or m.audiences or ())),
        "sections": len(m.sections),
        "version": m.content_hash[:12],
    }
    for m in sorted(catalog.modules.values(), key=lambda m: m.id)
] + [
    {
        "id": q.id,
        "kind": "quiz",
        "title": text(q.title),
        "for": q.module or "",
        "sections": len(q.questions),
        "version": q.content_hash[:12],
    }
    for q in sorted(catalog.quizzes.values(), key=lambda q: q.id)
]
frame = pd.DataFrame(items, columns=["id", "kind", "title", "for", "sections", "version"])
st.dataframe(frame.rename(columns={c: t(f"admin.item_{c}") for c in frame.columns}), hide_index=True, width="stretch")

chosen = st.selectbox(
    t("admin.preview"), list(frame["id"]), index=None, key=state.CONTENT_PREVIEW, placeholder=t("admin.preview_placeholder")
)
if chosen in catalog.modules:
    module = catalog.modules[chosen]
    st.markdown(f"#### {text(module.title)}")
    for n, section in enumerate(module.sections, start=1):
        kind = getattr(section, "type", type(section).__name__)
        with st.expander(f"{n}. {kind}"):
            if isinstance(section, CheckSection):
                st.markdown(text(section.question))
                for choice in section.choices:
                    st.markdown(f"- {'✅' if choice.correct else '▫️'} {text(choice.text)}")
            elif isinstance(section, ScenarioSection):
                st.markdown(t("admin.scenario_nodes", count=len(section.nodes)))
            else:
                body = getattr(section, "body", None) or getattr(section, "text", None)
                if body is not None and hasattr(body, "ko"):
                    st.markdown(text(body))
elif chosen in catalog.quizzes:
    quiz = catalog.quizzes[chosen]
    st.markdown(f"#### {text(quiz.title)}")
    st.caption(t("admin.quiz_rules", pass_mark=quiz.pass_mark, draw=quiz.draw, pool=len(quiz.questions)))
    for n, question in enumerate(quiz.questions, start=1):
        with st.expander(f"{n}. {text(question.prompt)}"):
            for choice in getattr(question, "choices", ()):
                st.markdown(f"- {'✅' if choice.correct else '▫️'} {text(choice.text)}")
            if hasattr(question, "answer"):
                st.markdown(f"✅ {question.answer}")
            for item in getattr(question, "items", ()):
                st.markdown(f"1. {text(item)}")
            st.caption(text(question.explanation))
