"""What SafeClass asks of the browser itself: remembered cookies, the quick exit, and page styling.

Streamlit reads cookies only when a session connects (``st.context.cookies``); writing one needs a few
lines of JavaScript in the page, sent with ``st.html``. Every script here is a fixed template: values
are passed through ``json.dumps`` and never come from free text.
"""

from __future__ import annotations

import json

import streamlit as st

from safeclass import config

SEAT_COOKIE = "safeclass_seat"
LANG_COOKIE = "safeclass_lang"
YEAR = 365 * 24 * 3600


def cookie(name: str) -> str | None:
    """A cookie the browser sent when this session connected."""
    try:
        value = st.context.cookies.get(name)
    except Exception:  # bare script runs have no browser request
        return None
    return value if isinstance(value, str) else None  # AppTest's stand-in context holds no real cookies


class _Markup:
    """HTML for ``st.html`` as it is: given a plain string, st.html first asks the file system whether the
    string names a file, a system call for each of the three or four of these on every run of every page."""

    def __init__(self, html: str) -> None:
        self.html = html.strip()  # as st.html trims a string

    def _repr_html_(self) -> str:
        return self.html


def _script(body: str) -> None:
    # In the sidebar, so an invisible script takes no room at the top of the page.
    st.sidebar.html(_Markup(f"<script>{body}</script>"), unsafe_allow_javascript=True)


def set_cookie(name: str, value: str, max_age: int) -> None:
    """Store a cookie in this browser (SameSite=Strict; Secure on https)."""
    _script(
        f"document.cookie = {json.dumps(name)} + '=' + encodeURIComponent({json.dumps(value)}) + "
        f"'; path=/; max-age={int(max_age)}; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');"
    )


def delete_cookie(name: str) -> None:
    """Remove a cookie from this browser."""
    _script(f"document.cookie = {json.dumps(name)} + '=; path=/; max-age=0; SameSite=Strict';")


def quick_exit_button(label: str) -> None:
    """A button that at once forgets the seat and replaces the page with a neutral site (Back cannot return)."""
    target = json.dumps(config.quick_exit_url())
    st.html(
        _Markup(
            f'<button type="button" id="safeclass-quick-exit" class="safeclass-quick-exit">{label}</button>'
            "<script>"
            "const exit = () => {"
            f"  document.cookie = {json.dumps(SEAT_COOKIE)} + '=; path=/; max-age=0; SameSite=Strict';"
            "  try { sessionStorage.clear(); } catch (e) {}"
            f"  window.location.replace({target});"
            "};"
            "document.getElementById('safeclass-quick-exit').addEventListener('click', exit);"
            "</script>"
        ),
        unsafe_allow_javascript=True,
        width="content",
    )


# Contrast and touch sizes for children on school tablets and phones; Streamlit's "Press Enter to
# submit" hint is English-only and confusing, so it is hidden.
STYLE = """
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #4a5160; }
[data-testid="InputInstructions"] { display: none; }
/* Korean wraps between words, never inside one ("비밀 보 / 호"); a word too long for its line still breaks. */
div:is([data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"]) :is(p, li, span, strong),
h1, h2, h3, .stButton button, [data-testid="stMetricValue"] {
  word-break: keep-all; overflow-wrap: anywhere;
}
h1, h2 { text-wrap: balance; }
/* On a phone a long module title would fill a third of the screen before the lesson starts. */
@media (max-width: 640px) { div[data-testid="stHeading"] h1 { font-size: 2rem; } }
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
/* A phone shows Streamlit's 60 px header (the sidebar button) over the page: with 2.5rem the top 20 px of
   *Quick exit* lay under it, and a tap there hit the header instead of the button. */
@media (max-width: 640px) { [data-testid="stMainBlockContainer"] { padding-top: 4.25rem; } }
.stButton button, .stFormSubmitButton button, .stDownloadButton button, .stLinkButton a, .stPageLink a { min-height: 44px; }
[data-testid="stRadio"] label, [data-testid="stCheckbox"] label { min-height: 44px; align-items: center; }
.st-key-projector-stage p, .st-key-projector-stage li, .st-key-projector-stage label { font-size: 1.6rem; line-height: 1.5; }
.st-key-projector-stage h2, .st-key-projector-stage h3 { font-size: 2.4rem; }
.safeclass-quick-exit {
  min-height: 44px; padding: 0.4rem 1rem; border-radius: 0.5rem; border: 1px solid #b42318;
  background: #b42318; color: #ffffff; font-weight: 600; font-size: 1rem; cursor: pointer;
}
.safeclass-quick-exit:focus-visible { outline: 3px solid #1f6feb; outline-offset: 2px; }
</style>
"""


def apply_style() -> None:
    """Page-wide CSS (sent to Streamlit's event container, so it takes no space), and the phone sidebar rule."""
    st.html(_Markup(STYLE))
    _script(COLLAPSE_SIDEBAR_ON_PHONE)


# On a phone the open sidebar covers the whole page, and Streamlit leaves it open after a page is chosen: the
# page the user asked for (and the student's Quick exit) stayed hidden under it. One listener per browser tab.
PHONE_WIDTH = 640
COLLAPSE_SIDEBAR_ON_PHONE = (
    "if (!window.safeclassSidebarRule) {"
    "  window.safeclassSidebarRule = true;"
    "  document.addEventListener('click', (event) => {"
    f"    if (window.innerWidth > {PHONE_WIDTH} || !event.target.closest('[data-testid=\"stSidebarNavLink\"]')) return;"
    "    setTimeout(() => {"
    "      const close = document.querySelector('[data-testid=\"stSidebarCollapseButton\"] button');"
    "      if (close) close.click();"
    "    }, 100);"
    "  }, true);"
    "}"
)


def client_address() -> str:
    """The browser's address for per-address throttles (the proxy's X-Forwarded-For only when trusted)."""
    try:
        if config.trust_forwarded_for():
            forwarded = st.context.headers.get("X-Forwarded-For", "")
            if isinstance(forwarded, str) and forwarded.strip():
                return forwarded.split(",")[0].strip()[:64]
        address = st.context.ip_address
    except Exception:  # bare script runs have no request
        return "unknown"
    return address[:64] if isinstance(address, str) and address else "unknown"  # AppTest's context is a stand-in
