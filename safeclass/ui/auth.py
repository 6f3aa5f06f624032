"""Staff sign-in with streamlit-authenticator against accounts in the database.

streamlit-authenticator keeps the signed-in state and the signed re-authentication cookie (its JWT format);
SafeClass feeds it only the one account being signed in (never the whole account table), checks the password
under its own throttle, and refuses cookies issued before the account's sessions were revoked.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from enum import Enum

import streamlit as st
from streamlit_authenticator.controllers import AuthenticationController
from streamlit_authenticator.models import CookieModel

from safeclass import clock, config
from safeclass.db.models import Account
from safeclass.services.accounts import active_account, begin_sign_in, check_password, finish_sign_in, revoke_sessions
from safeclass.throttle import Throttled
from safeclass.ui import browser, resources, state

COOKIE_NAME = "safeclass_auth"
COOKIE_DAYS = 7.0  # staff sign in again weekly; a lost laptop's cookie also dies with sign-out elsewhere


class SignIn(Enum):
    """Outcome of a sign-in attempt."""

    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


MIN_KEY_BYTES = 32  # HMAC-SHA256 keys for the sign-in and seat cookies: at least as long as the hash


def cookie_key() -> str | None:
    """The cookie signing key: SAFECLASS_COOKIE_KEY, Streamlit secrets, or (demo mode only) a local file.

    Outside demo mode a key shorter than 32 bytes counts as no key: the app refuses to start with it.
    """
    key = os.environ.get("SAFECLASS_COOKIE_KEY")
    if not key:
        try:
            key = st.secrets.get("cookie_key")
        except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
            key = None
    if key:
        key = str(key)
        return key if len(key.encode()) >= MIN_KEY_BYTES or config.demo_mode() else None
    if config.demo_mode():
        path = config.data_dir() / ".cookie_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()
    return None


class SignInCookie(CookieModel):
    """streamlit-authenticator's signed re-authentication cookie, read from the request and written by a script.

    The library writes it through a component (extra-streamlit-components' CookieManager) that it draws on every
    run and that reruns the script as soon as a browser mounts it: one more run for every visitor, and a rerun
    that, arriving while the first page or a sidebar click was still running, lost the page the visitor chose.
    """

    def __init__(self, key: str) -> None:  # not the parent's: it draws the component
        self.cookie_name, self.cookie_key, self.cookie_expiry_days = COOKIE_NAME, key, COOKIE_DAYS
        self.token = None
        self.exp_date = None

    def get_cookie(self) -> dict | None:
        """The cookie's claims if this browser sent a valid, unexpired one (checked by the library)."""
        # Only a string is a cookie a browser sent (AppTest's stand-in request holds placeholders).
        return super().get_cookie() if browser.cookie(self.cookie_name) else None

    def set_cookie(self) -> None:
        """Store the signed cookie for the signed-in username (the library's token, with its expiry)."""
        self.exp_date = self._set_exp_date()
        browser.set_cookie(self.cookie_name, self._token_encode(), int(COOKIE_DAYS * 24 * 3600))

    def delete_cookie(self) -> None:
        """Remove the cookie from this browser."""
        browser.delete_cookie(self.cookie_name)


def _entry(account: Account) -> dict:
    return {"name": account.display_name, "password": account.password_hash, "email": account.email, "roles": [account.role]}


class Gate:
    """This run's authenticator and the signed-in account, if any."""

    def __init__(self, key: str) -> None:
        self._credentials: dict = {"usernames": {}}
        signed_in = st.session_state.get(state.AUTH_USERNAME) if st.session_state.get(state.AUTH_STATUS) else None
        self.account: Account | None = None
        if signed_in:
            self.account = self._load(signed_in)
            if self.account is not None and self._revoked_since_sign_in(self.account):
                self.account = None  # signed out or password changed elsewhere: this live session ends too
        self.controller = AuthenticationController(self._credentials, auto_hash=False, secret_key=key)
        self.cookie = SignInCookie(key)
        if self.account is None and signed_in:
            # Deactivated or deleted while signed in: end the session.
            self.controller.logout()
        elif self.account is None:
            self._from_cookie()
        self._settle_cookie()

    def _load(self, username: str) -> Account | None:
        with resources.database().reading() as session:
            account = active_account(session, username)
        if account is not None:
            self._credentials["usernames"][account.username] = _entry(account)
        return account

    @staticmethod
    def _revoked_since_sign_in(account: Account) -> bool:
        since = st.session_state.get(state.AUTH_SINCE)
        revoked = account.sessions_revoked_at
        return revoked is not None and (since is None or revoked.timestamp() > since)

    def _from_cookie(self) -> None:
        token = self.cookie.get_cookie()
        if not token:
            return
        account = self._load(str(token.get("username", "")))
        if account is None:
            return
        issued = dt.datetime.fromtimestamp(float(token["exp_date"]), dt.UTC) - dt.timedelta(days=COOKIE_DAYS)
        if account.sessions_revoked_at is not None and issued <= account.sessions_revoked_at:
            return
        self.controller.login(token=token)
        st.session_state[state.AUTH_SINCE] = issued.timestamp()
        self.account = account

    def _settle_cookie(self) -> None:
        # The cookie component needs a normal run to reach the browser, so set/delete after the rerun.
        if st.session_state.pop(state.COOKIE_PENDING, False) and self.account is not None:
            self.cookie.set_cookie()
        if st.session_state.pop(state.COOKIE_DELETE_PENDING, False):
            self.cookie.delete_cookie()

    def sign_in(self, username: str, password: str) -> tuple[SignIn, int]:
        """Check the password under the sign-in throttle; returns the outcome and, when throttled, minutes to wait."""
        database = resources.database()
        client = browser.client_address()
        try:
            with database.transaction() as session:
                attempt = begin_sign_in(session, username, client)  # counted before the slow check
        except Throttled as exc:
            return SignIn.LOCKED, int(exc.params["minutes"])
        ok = check_password(attempt, password)  # bcrypt outside any transaction: writers never wait on it
        with database.transaction() as session:
            account = finish_sign_in(session, attempt, ok)
        if account is None:
            return SignIn.WRONG, 0
        self._credentials["usernames"][account.username] = _entry(account)
        self.controller.login(token={"username": account.username})
        st.session_state["logout"] = False
        st.session_state[state.COOKIE_PENDING] = True
        st.session_state[state.AUTH_SINCE] = clock.now().timestamp()
        self.account = account
        return SignIn.OK, 0

    def renew_cookie(self) -> None:
        """Issue a fresh cookie for this session (after a password change revoked the old ones)."""
        st.session_state[state.COOKIE_PENDING] = True
        st.session_state[state.AUTH_SINCE] = clock.now().timestamp()

    def sign_out(self) -> None:
        """End this session, delete its cookie, and refuse every cookie issued until now (on any device)."""
        if self.account is not None:
            with resources.database().transaction() as session:
                revoke_sessions(session, self.account.id)
        self.controller.logout()
        st.session_state[state.COOKIE_DELETE_PENDING] = True
        self.account = None
