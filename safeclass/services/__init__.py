"""Use cases. Each takes a Session and never commits: the caller's transaction is the user action."""

from __future__ import annotations

import unicodedata


def plain_text(value: str | None) -> str:
    """``value`` with runs of whitespace folded to one space; refused (``text_control``) if it holds a control character.

    Browsers can send any character, and PostgreSQL refuses to store NUL (SQLite stores it): a name, label or
    reason with one would fail as a database error instead of a message. Nobody types one on purpose.
    """
    folded = " ".join((value or "").split())
    if any(unicodedata.category(c) == "Cc" for c in folded):
        raise ServiceError("text_control")
    return folded


class ServiceError(Exception):
    """A refusal the user should see; ``code`` picks the localized message, ``params`` fill it in."""

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params


class Refusal(ServiceError):
    """A refusal whose bookkeeping must still be saved: a wrong PIN counts even though the join fails.

    ``Database.transaction`` commits the session before re-raising an exception with ``keep_changes``.
    """

    keep_changes = True


class NotAllowed(ServiceError):
    """The signed-in account may not do this or see this (scope enforced in services, not pages)."""

    def __init__(self, what: str) -> None:
        super().__init__("not_allowed", what=what)
