"""A principal's certificate: issued on the first view once certified in this campaign, downloadable as a PDF."""

import streamlit as st

from safeclass import config, i18n
from safeclass.content.render import plain
from safeclass.documents import CertificateSheet, certificate_pdf, group_code
from safeclass.services.certificates import Status, is_certified, issue_certificate, own_certificate, view_of
from safeclass.services.progress import completed_modules, has_passed
from safeclass.ui.actions import read, run_action
from safeclass.ui.context import context, require_campaign
from safeclass.ui.i18n import lang, t, text

ctx = context()
campaign = require_campaign(ctx)
viewer = ctx.account
assignment = campaign.audiences.principal

st.title(t("certificate.title"))
st.write(t("certificate.intro"))


def _standing(session):  # noqa: ANN001
    existing = own_certificate(session, viewer, campaign)
    done = completed_modules(session, viewer, campaign.id) & set(assignment.modules)
    passed = all(has_passed(session, viewer, campaign.id, q) for q in assignment.quizzes)
    return existing, is_certified(session, viewer, campaign), len(done), passed


certificate, certified, modules_done, quiz_passed = read(_standing)
if certificate is None and certified:
    certificate = run_action(lambda s: issue_certificate(s, viewer, campaign))  # idempotent: two tabs get one certificate
    if certificate is not None:
        st.success(t("certificate.issued"), icon=":material/workspace_premium:")

if certificate is None:
    total = len(assignment.modules)
    st.progress(modules_done / max(1, total), text=t("certificate.progress", done=modules_done, total=total))
    st.write(t("certificate.quiz_passed") if quiz_passed else t("certificate.quiz_not_passed"))
    st.info(t("certificate.pending"), icon=":material/school:")
    st.stop()

view = view_of(certificate)
if view.status == Status.REVOKED:
    st.error(t("certificate.revoked_notice", date=i18n.date(view.revoked_on, lang()), reason=view.revoked_reason))
elif view.status == Status.EXPIRED:
    st.warning(t("certificate.expired_notice"))

with st.container(border=True):
    cols = st.columns(2)
    cols[0].metric(t("certificate.holder"), view.holder_name)
    cols[1].metric(t("certificate.status"), t(f"verify.{view.status.value}"))
    st.markdown(f"**{t('certificate.site')}**: {plain(view.site_name)} ({plain(view.site_code)})")
    st.markdown(f"**{t('certificate.campaign')}**: {text(campaign.title)}")
    cols = st.columns(2)
    cols[0].markdown(f"**{t('certificate.issued_on')}**: {i18n.date(view.issued_on, lang())}")
    cols[1].markdown(f"**{t('certificate.expires_on')}**: {i18n.date(view.expires_on, lang())}")
    st.markdown(f"**{t('certificate.code')}**")
    st.code(group_code(view.code), language=None)

sheet = CertificateSheet(
    holder_name=view.holder_name,
    site_name=view.site_name,
    site_code=view.site_code,
    campaign_title_ko=campaign.title.ko,
    campaign_title_en=campaign.title.en,
    issued_on=view.issued_on,
    expires_on=view.expires_on,
    code=view.code,
    verify_url=config.verify_url(view.code),
    modules=len(view.items),
    content_version=view.content_version[:12],
)
cols = st.columns(2)
cols[0].download_button(
    t("certificate.download"),
    data=lambda: certificate_pdf(sheet),
    file_name=f"safeclass-certificate-{view.code}.pdf",
    mime="application/pdf",
    type="primary",
    icon=":material/download:",
    on_click="ignore",
)
cols[1].page_link("app_pages/verify.py", label=t("certificate.verify_link"), icon=":material/verified:", query_params={"code": view.code})
