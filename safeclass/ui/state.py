"""Every session-state key SafeClass uses, in one place, prefixed by the page or feature that owns it."""

LANG = "app.lang"
LEARNER_ID = "student.learner_id"
COOKIE_PENDING = "auth.cookie_pending"  # set the sign-in cookie on the next run, when the component can render
COOKIE_DELETE_PENDING = "auth.cookie_delete_pending"
FLASH = "app.flash"  # a message to show once on the next page

# Keys owned by streamlit-authenticator; listed so nobody reuses them.
AUTH_STATUS = "authentication_status"
AUTH_USERNAME = "username"
