"""The current language and translation helpers bound to it."""

from __future__ import annotations

import streamlit as st

from safeclass import i18n
from safeclass.content.models import Text
from safeclass.content.render import localize
from safeclass.ui import browser, state


def lang() -> str:
    """The language chosen in this session (Korean by default)."""
    return st.session_state.get(state.LANG, i18n.DEFAULT_LANGUAGE)


def t(key: str, **params: object) -> str:
    """A UI string in the current language."""
    return i18n.translate(key, lang(), **params)


def text(value: Text, help_directory: dict | None = None) -> str:
    """A content string in the current language, help references filled in."""
    return localize(value, help_directory or {}, lang())


def _chosen() -> None:
    st.session_state[state.LANG_COOKIE_PENDING] = st.session_state[state.LANG]


def language_picker() -> None:
    """Sidebar switch between 한국어 and English; the browser remembers the choice across reloads."""
    if state.LANG not in st.session_state:
        remembered = browser.cookie(browser.LANG_COOKIE)
        st.session_state[state.LANG] = remembered if remembered in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    names = {"ko": "한국어", "en": "English"}
    st.sidebar.radio(
        i18n.translate("app.language", lang()), list(names), format_func=names.get, key=state.LANG, horizontal=True, on_change=_chosen
    )
    pending = st.session_state.pop(state.LANG_COOKIE_PENDING, None)
    if pending:
        browser.set_cookie(browser.LANG_COOKIE, pending, browser.YEAR)
