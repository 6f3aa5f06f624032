"""Public certificate verification (no sign-in; also opened by the QR code as ?code=...); coordinators can revoke."""

import streamlit as st

from safeclass import i18n
from safeclass.content.render import plain
from safeclass.documents import group_code
from safeclass.domain import Role
from safeclass.services.certificates import Status, normalize_code, revoke_certificate, verify_certificate, view_of
from safeclass.ui import browser, state
from safeclass.ui.actions import run_action
from safeclass.ui.context import context
from safeclass.ui.i18n import lang, t, text

ctx = context()
viewer = ctx.account
st.title(t("verify.title"))
st.write(t("verify.intro"))

flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.success(flash)
from_link = normalize_code(st.query_params.get("code", ""))
if from_link and st.session_state.get(state.VERIFY_LINKED) != from_link:
    st.session_state[state.VERIFY_CODE] = group_code(from_link)
    st.session_state[state.VERIFY_LINKED] = from_link
with st.form("verify.form"):
    typed = st.text_input(t("verify.code"), key=state.VERIFY_CODE, placeholder=t("verify.code_placeholder"))
    submitted = st.form_submit_button(t("verify.submit"), type="primary")
if submitted:
    from_link = normalize_code(typed)
    if not from_link:
        st.error(t("verify.empty"))
        st.stop()
    st.query_params["code"] = from_link  # the address bar now links to this very certificate
    st.session_state[state.VERIFY_LINKED] = from_link

shown = st.session_state.get(state.VERIFY_RESULT)
# Look a code up when it is asked for, not on every rerun: a language switch must not count as another try.
if from_link and (submitted or shown is None or shown[0] != from_link):
    address = browser.client_address()
    shown = (from_link, run_action(lambda s: verify_certificate(s, from_link, client=address)))
    st.session_state[state.VERIFY_RESULT] = shown
if not from_link or shown is None or shown[0] != from_link or shown[1] is None:
    st.stop()

view = shown[1]
badge = {Status.VALID: st.success, Status.EXPIRED: st.warning, Status.REVOKED: st.error}[view.status]
badge(t(f"verify.{view.status.value}"), icon=":material/verified:" if view.status == Status.VALID else ":material/warning:")
if view.status == Status.REVOKED:
    st.write(t("verify.revoked_detail", date=i18n.date(view.revoked_on, lang()), reason=view.revoked_reason))
campaign = ctx.catalog.campaigns.get(view.campaign_id)
with st.container(border=True):
    st.markdown(f"**{t('certificate.holder')}**: {plain(view.holder_name)}")
    st.markdown(f"**{t('certificate.site')}**: {plain(view.site_name)} ({plain(view.site_code)})")
    st.markdown(f"**{t('certificate.campaign')}**: {text(campaign.title) if campaign else view.campaign_id}")
    cols = st.columns(2)
    cols[0].markdown(f"**{t('certificate.issued_on')}**: {i18n.date(view.issued_on, lang())}")
    cols[1].markdown(f"**{t('certificate.expires_on')}**: {i18n.date(view.expires_on, lang())}")
    st.markdown(f"**{t('certificate.code')}**: `{group_code(view.code)}`")
    st.markdown(f"**{t('verify.modules')}**")
    titles = {**ctx.catalog.modules, **ctx.catalog.quizzes}
    for item_id, version in view.items:
        item = titles.get(item_id)
        st.markdown(f"- {text(item.title) if item else item_id} · `{version[:12]}`")
    st.caption(f"{t('verify.content_version')}: {view.content_version[:12]}")

if viewer is not None and viewer.role in (Role.COORDINATOR, Role.ADMIN) and view.status != Status.REVOKED:
    st.subheader(t("verify.revoke_title"), anchor=False)
    with st.form("verify.revoke_form"):
        reason = st.text_input(t("verify.revoke_reason"), max_chars=200)
        st.caption(t("verify.revoke_confirm"))
        revoke = st.form_submit_button(t("verify.revoke_submit"))
    if revoke:
        revoked = run_action(lambda s: view_of(revoke_certificate(s, viewer, view.code, reason=reason)))
        if revoked is not None:
            st.session_state[state.VERIFY_RESULT] = (from_link, revoked)
            st.session_state[state.FLASH] = t("verify.revoked_done")
            st.rerun()
