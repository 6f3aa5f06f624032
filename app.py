"""SafeClass entry point: page config, who is here, and the navigation of their role's pages."""

import logging

import streamlit as st

from safeclass import config
from safeclass.db.engine import DatabaseUnavailable
from safeclass.domain import Role
from safeclass.ui import resources
from safeclass.ui.auth import Gate, cookie_key
from safeclass.ui.browser import apply_style
from safeclass.ui.context import Context, set_context
from safeclass.ui.i18n import language_picker, t
from safeclass.ui.student import resume_from_browser, settle_cookies, student_bar

st.set_page_config(page_title="SafeClass", page_icon=":material/shield_person:", layout="wide")
apply_style()
language_picker()

key = cookie_key()
if key is None:
    st.error(t("app.cookie_key_missing"))
    st.stop()
try:
    resources.database()
except DatabaseUnavailable as exc:
    # The reason (a masked URL, a host) is for the operator's log: anyone can open this page, students included.
    logging.getLogger("safeclass").error("database unavailable: %s", exc)
    st.error(t("app.database_unavailable"), icon=":material/cloud_off:")
    st.stop()

# Nothing here may rerun the script on its own before st.navigation has told the browser which page this is:
# such a rerun lands on the default page and loses a direct link (/verify?code=…) or a click (see SignInCookie).
catalog = resources.catalog()
campaign = resources.campaign(catalog)
gate = Gate(key)
learner_id = resume_from_browser(key) if gate.account is None else None
set_context(Context(gate=gate, catalog=catalog, campaign=campaign, learner_id=learner_id, secret_key=key))


def page(name: str, title: str, icon: str, default: bool = False, visibility: str = "visible") -> st.Page:
    """A page of app_pages/ with a translated title."""
    return resources.page(f"app_pages/{name}.py", title=t(title), icon=icon, url_path=name, default=default, visibility=visibility)


help_page = page("help", "nav.help", ":material/support:")
verify_page = page("verify", "verify.nav", ":material/verified:")  # public: the certificate's QR code opens it
privacy_page = page("privacy", "privacy.nav", ":material/lock:")  # for every role, beside help
account = gate.account
if account is not None and account.must_change_password:
    pages = [page("account", "nav.account", ":material/key:", default=True), privacy_page]
elif account is not None:
    role = Role(account.role)
    classes = page("classes", "seats.nav", ":material/qr_code_2:", default=role == Role.TEACHER)
    seats = page("seats", "seats.seat_list", ":material/event_seat:")
    attest = page("attest", "attest.nav", ":material/co_present:")
    projector = page("projector", "nav.projector", ":material/present_to_all:")
    training = page("training", "nav.training", ":material/local_library:")
    drill = page("drill", "drill.nav", ":material/groups:")
    guide = page("guide", "guide.nav", ":material/checklist:")
    campaign_pages = [
        page("dashboard", "nav.dashboard", ":material/monitoring:", default=role == Role.COORDINATOR),
        page("sites", "sites.nav", ":material/domain:"),
        page("questions", "questions.nav", ":material/quiz:"),
        page("roster", "roster.nav", ":material/upload_file:"),
        page("drills_overview", "drill.overview", ":material/crisis_alert:"),
    ]
    # A principal has a dozen pages: grouped by what they are for, so the day-of-a-case guide is easy to find.
    sections = {
        Role.COORDINATOR: {"nav.section_campaign": campaign_pages},
        Role.ADMIN: {
            "nav.section_admin": [
                page("content", "nav.content", ":material/library_books:", default=True),
                page("accounts", "accounts_admin.nav", ":material/manage_accounts:"),
                page("audit", "admin.audit_nav", ":material/history:"),
            ],
            "nav.section_campaign": campaign_pages,
        },
        Role.PRINCIPAL: {
            "nav.section_site": [
                page("site", "nav.site", ":material/school:", default=True),
                classes,
                seats,
                attest,
                projector,
                page("staff", "staff.nav", ":material/group:"),
            ],
            "nav.section_response": [guide, drill],
            "nav.section_training": [training, page("certificate", "certificate.nav", ":material/workspace_premium:")],
        },
        Role.TEACHER: {
            "nav.section_classes": [page("my_classes", "my_classes.nav", ":material/groups_2:"), classes, seats, attest, projector],
            "nav.section_response": [guide, drill],
            "nav.section_training": [training],
        },
    }[role]
    pages = {t(key): entries for key, entries in sections.items()}
    if role in (Role.PRINCIPAL, Role.TEACHER):  # the player and quizzes of their training, reached from Training
        pages[t("nav.section_training")] += [
            page("lesson", "nav.lesson", ":material/auto_stories:", visibility="hidden"),
            page("quiz", "nav.quiz", ":material/quiz:", visibility="hidden"),
            page("drill_join", "drill.join_nav", ":material/login:", visibility="hidden"),
        ]
    pages[t("nav.section_more")] = [page("account", "nav.account", ":material/key:"), verify_page, help_page, privacy_page]
elif learner_id is not None:
    pages = [
        page("student_home", "nav.student_home", ":material/menu_book:", default=True),
        page("lesson", "nav.lesson", ":material/auto_stories:", visibility="hidden"),
        page("quiz", "nav.quiz", ":material/quiz:", visibility="hidden"),
        help_page,
        page("verify", "verify.nav", ":material/verified:", visibility="hidden"),
        privacy_page,
    ]
else:
    pages = [
        page("join", "nav.join", ":material/login:", default=True),
        page("sign_in", "nav.sign_in", ":material/badge:"),
        help_page,
        verify_page,
        privacy_page,
        # Staff without an account here: follow a drill by its code, and open the case guide from the help page.
        page("drill_join", "drill.join_nav", ":material/groups:"),
        page("guide", "guide.nav", ":material/checklist:", visibility="hidden"),
    ]

if account is not None:
    st.sidebar.caption(f"{account.display_name} · {t('role.' + account.role)}")
    if st.sidebar.button(t("nav.sign_out"), icon=":material/logout:"):
        gate.sign_out()
        st.rerun()
if config.demo_mode():
    st.sidebar.info(t("app.demo_banner"), icon=":material/science:")
if not catalog.ok and account is not None and account.role == Role.ADMIN:
    st.sidebar.warning(t("app.content_broken"), icon=":material/warning:")
if account is None:  # students and anyone not signed in: help and quick exit without opening the sidebar
    settle_cookies()
    student_bar(campaign)
st.navigation(pages, expanded=True).run()  # none hidden behind "View more"
