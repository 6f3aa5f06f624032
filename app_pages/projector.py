"""Projector mode: a lesson shown to the whole class, section by section in large type; nothing is recorded."""

import streamlit as st

from safeclass.domain import Level
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import t, text
from safeclass.ui.player import Frame, play_module, remember_summary, restart

ctx = context()
campaign = require_campaign(ctx)
st.title(t("projector.title"))
st.caption(t("projector.intro"))
levels = [level for level in Level if campaign.audiences.students.for_level(level).modules]
level = st.segmented_control(t("projector.level"), levels, format_func=lambda v: t(f"level.{v}"), default=levels[0], key="projector.level")
modules = [ctx.catalog.modules[m] for m in campaign.audiences.students.for_level(level or levels[0]).modules if m in ctx.catalog.modules]
module = st.selectbox(t("projector.lesson"), modules, format_func=lambda m: text(m.title, campaign.help), key="projector.module")
if module is None:
    st.stop()

# The class sees the same player as a student, but checks become "discuss, then reveal", the teacher's
# notes open in a panel only the teacher opens, and no progress, answer or choice is stored for anyone.
frame = Frame(module=module, campaign=campaign, media_root=ctx.catalog.root / "lessons" / "media", style="projector")
with st.container(key="projector-stage"):
    st.header(text(module.title, campaign.help), anchor=False)
    if play_module(frame, resume_at=0, completed=False, started=True, save=lambda **_: True):
        remember_summary(frame)
        st.button(t("projector.again"), on_click=restart, args=(frame,), icon=":material/replay:")
