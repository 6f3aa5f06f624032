"""Every session-state key SafeClass uses, in one place, prefixed by the page or feature that owns it.

Keys made per item are built by the helpers below, so their prefixes stay listed here too.
"""

LANG = "app.lang"
LANG_PICKER = "app.lang_picker"  # the sidebar radio's own key; LANG is the language that counts
LANG_COOKIE_PENDING = "app.lang_cookie_pending"  # remember the chosen language in the browser on the next run
LEARNER_ID = "student.learner_id"
SEAT_COOKIE_PENDING = "student.seat_cookie_pending"  # the seat token to store in the browser on the next run
SEAT_DELETE_PENDING = "student.seat_delete_pending"
SEAT_FORGOTTEN = "student.seat_forgotten"  # this session left its seat: ignore the cookie it connected with
COOKIE_PENDING = "auth.cookie_pending"  # set the sign-in cookie on the next run, when the component can render
COOKIE_DELETE_PENDING = "auth.cookie_delete_pending"
AUTH_SINCE = "auth.since"  # when this session signed in (POSIX time): revocations after it end the session
FLASH = "app.flash"  # a message to show once on the next page
ACCOUNT_CHANGED = "account.changed"  # the password was changed in this session: the confirmation stays on screen
STAFF_NEW_PASSWORD = "staff.new_password"  # a new teacher's one-time password, shown until the principal hides it
VERIFY_CODE = "verify.code"  # the code field, filled from ?code= when the QR code opened the page
VERIFY_LINKED = "verify.linked"  # the ?code= already copied into the field (typing over it is not undone)
VERIFY_RESULT = "verify.result"  # the certificate looked up on the verify page (code and what it showed)
SEATS_FLASH = "seats.flash"  # the confirmation of the last class or seat action

# Coordinator and admin pages (widget keys: their values survive the overview's 30 s reruns).
SITES_SEARCH = "sites.search"
SITES_DISTRICTS = "sites.districts"
SITES_TYPES = "sites.types"
SITES_CERTIFIED = "sites.certified"
SITES_STATUSES = "sites.statuses"
SITES_SORT = "sites.sort"
SITES_OPEN = "sites.open"
SITES_XAPI = "sites.xapi_built"  # (bytes, count) of the last xAPI export built
QUESTIONS_DISTRICT = "questions.district"
QUESTIONS_KIND = "questions.kind"
ROSTER_FILE = "roster.file"
ROSTER_ISSUED = "roster.issued"  # one-time passwords just issued: shown once, dropped when dismissed
ROSTER_REISSUE = "roster.reissue_username"
ACCOUNTS_SEARCH = "accounts.search"
ACCOUNTS_ROLE = "accounts.role"
ACCOUNTS_NEVER = "accounts.never"
ACCOUNTS_CHOSEN = "accounts.chosen"
AUDIT_ACTION = "audit.action"
CONTENT_PREVIEW = "content.preview"

# Keys owned by streamlit-authenticator; listed so nobody reuses them.
AUTH_STATUS = "authentication_status"
AUTH_USERNAME = "username"


def player(module_id: str, what: str) -> str:
    """A lesson player's key for one module (section on screen, warning accepted, ...)."""
    return f"player.{module_id}.{what}"


def check(module_id: str, check_id: str, what: str) -> str:
    """An inline check's key (chosen option, answered, stored answer looked up)."""
    return f"player.{module_id}.check.{check_id}.{what}"


def scenario(module_id: str, scenario_id: str, what: str) -> str:
    """A scenario run's key (run key, path, pending feedback)."""
    return f"player.{module_id}.scenario.{scenario_id}.{what}"


def quiz(quiz_id: str, what: str) -> str:
    """A quiz page's key (answers of the open attempt, the result shown)."""
    return f"quiz.{quiz_id}.{what}"


def export_key(name: str) -> str:
    """Which export (its filters) the viewer has prepared and had audit-logged: its downloads are offered."""
    return f"exports.{name}.prepared"


GUIDE_COUNTED = "guide.counted"  # this session's opening of the case guide was counted (once per session)
DRILL_RUN = "drill.run_id"  # the drill run the principal's screen shows
DRILL_TOKEN = "drill.token"  # the participant handle of a device following a drill (the only key a quick join has)


def guide_step(guide_id: str, step_id: str) -> str:
    """A case-guide step's tick: it lives in this session only and is never stored."""
    return f"guide.{guide_id}.step.{step_id}"


def drill_choice(run_id: int, inject_id: str) -> str:
    """The option the principal has selected for the group at one inject, before recording it."""
    return f"drill.{run_id}.{inject_id}.choice"


def callback_ran(widget_key: str) -> str:
    """Set by an action button's callback in the run it ran before (ui/actions.py, ``action_button``)."""
    return f"{widget_key}.callback_ran"
