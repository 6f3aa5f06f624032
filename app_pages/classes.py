"""Teachers and principals create classes, read their codes in large type, close and reopen them, print join slips."""

import streamlit as st

from safeclass import clock, config, i18n
from safeclass.documents import join_slips_pdf
from safeclass.domain import Level
from safeclass.services.classes import (
    MAX_GRADE,
    MAX_SEAT,
    classes_at_site,
    close_class,
    default_level,
    is_expired,
    join_slips,
    open_class,
    reopen_class,
    update_class,
)
from safeclass.ui import state
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account
today = clock.today()
join_url = config.public_url()

st.title(t("seats.title"))
st.write(t("seats.intro"))
flash = st.session_state.pop(state.SEATS_FLASH, None)
if flash:
    st.success(flash, icon=":material/check_circle:")

with st.expander(t("seats.create"), expanded=True, icon=":material/add:"):
    suggested = read(lambda s: default_level(s, viewer))
    levels = list(Level)
    with st.form("seats.create_form", clear_on_submit=True):
        cols = st.columns([1, 2, 2])
        grade = cols[0].number_input(t("seats.grade"), min_value=1, max_value=MAX_GRADE, step=1, value=None)
        label = cols[1].text_input(t("seats.label"), max_chars=40, help=t("seats.label_help"))
        level = cols[2].selectbox(t("seats.level"), levels, index=levels.index(suggested), format_func=lambda v: t(f"level.{v}"))
        cols = st.columns(2)
        size = cols[0].number_input(t("seats.expected_size"), min_value=1, max_value=MAX_SEAT, step=1, value=None)
        default_expiry = campaign.period.end if campaign.period.end >= today else None
        expires = cols[1].date_input(t("seats.expires_on"), value=default_expiry, min_value=today, help=t("seats.expires_help"))
        submitted = st.form_submit_button(t("seats.submit"), type="primary")
    if submitted:

        def _open(session) -> tuple[str, str]:  # noqa: ANN001
            group = open_class(
                session,
                opened_by=viewer,
                campaign_id=campaign.id,
                label=label,
                level=level,
                grade=int(grade) if grade else None,
                expected_size=int(size) if size else None,
                expires_on=expires,
            )
            return group.label, group.join_code

        opened = run_action(_open)
        if opened is not None:
            st.session_state[state.SEATS_FLASH] = t("seats.created", label=opened[0], code=opened[1])
            st.rerun()

show_closed = st.toggle(t("seats.show_closed"), key="seats.show_closed")
groups = read(lambda s: classes_at_site(s, viewer, include_closed=show_closed))
if not groups:
    st.info(t("seats.none"))
    st.stop()

open_ids = [g.id for g in groups if g.closed_at is None]
if open_ids:
    slips = read(lambda s: join_slips(s, viewer, open_ids, join_url))
    st.download_button(
        t("seats.slips_all"),
        data=lambda: join_slips_pdf(slips),
        file_name="safeclass-join-slips.pdf",
        mime="application/pdf",
        icon=":material/print:",
        on_click="ignore",
    )


def _upcoming(day):  # noqa: ANN001
    return day if day is not None and day >= today else None  # a date picker cannot show a day before its minimum


def _status(group) -> str:  # noqa: ANN001
    if group.closed_at is not None:
        return t("seats.status_closed")
    return t("seats.status_expired") if is_expired(group, today) else t("seats.status_open")


for group in groups:
    with st.container(border=True):
        left, middle, right = st.columns([3, 3, 2], vertical_alignment="center")
        name = f"{t('seats.slip_grade', grade=group.grade)} · {group.label}" if group.grade else group.label
        left.markdown(f"**{name}**")
        facts = [t(f"level.{group.level}"), t("seats.size", size=group.expected_size) if group.expected_size else t("seats.size_unknown")]
        if group.expires_on:
            facts.append(t("seats.expires", date=i18n.date(group.expires_on, lang())))
        left.caption(" · ".join([_status(group), *facts]))
        spaced = f"{group.join_code[:3]}-{group.join_code[3:]}"
        middle.caption(t("seats.join_code"))
        # The code only ever holds letters and digits of JOIN_CODE_ALPHABET, so it is safe in markup.
        middle.markdown(
            f'<div class="safeclass-join-code" style="font-size:2.6rem;font-weight:700;letter-spacing:0.12em;'
            f'font-family:ui-monospace,monospace;line-height:1.1">{spaced}</div>',
            unsafe_allow_html=True,
        )
        if group.closed_at is None:
            if right.button(t("seats.close"), key=f"seats.close.{group.id}", icon=":material/lock:"):
                done = run_action(lambda s, gid=group.id: close_class(s, viewer, gid).label)
                if done is not None:
                    st.session_state[state.SEATS_FLASH] = t("seats.closed_done", label=done)
                    st.rerun()
            slip = read(lambda s, gid=group.id: join_slips(s, viewer, [gid], join_url))
            right.download_button(
                t("seats.slip"),
                data=lambda slip=slip: join_slips_pdf(slip),
                file_name=f"safeclass-{group.join_code}.pdf",
                mime="application/pdf",
                key=f"seats.slip.{group.id}",
                icon=":material/print:",
                on_click="ignore",
            )
        elif right.button(t("seats.reopen"), key=f"seats.reopen.{group.id}", icon=":material/lock_open:"):
            done = run_action(lambda s, gid=group.id: reopen_class(s, viewer, gid).label)
            if done is not None:
                st.session_state[state.SEATS_FLASH] = t("seats.reopened_done", label=done)
                st.rerun()
        gid = group.id
        with st.expander(t("seats.edit")):
            with st.form(f"seats.edit.{gid}"):
                cols = st.columns(2)
                new_size = cols[0].number_input(
                    t("seats.expected_size"), min_value=1, max_value=MAX_SEAT, step=1, value=group.expected_size, key=f"seats.size.{gid}"
                )
                new_expiry = cols[1].date_input(
                    t("seats.expires_on"), value=_upcoming(group.expires_on), min_value=today, key=f"seats.expiry.{gid}"
                )
                saved = st.form_submit_button(t("seats.save"))
            if saved:
                done = run_action(
                    lambda s, gid=group.id, n=new_size, e=new_expiry: update_class(
                        s, viewer, gid, expected_size=int(n) if n else None, expires_on=e
                    )
                )
                if done is not None:
                    st.session_state[state.SEATS_FLASH] = t("seats.saved")
                    st.rerun()
