"""Use cases. Each takes a Session and never commits: the caller's transaction is the user action."""

from __future__ import annotations


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
