"""The one place that answers "may this actor do this to this resource?" (students' rules so far).

A student has no account: the actor is their seat (a ``Learner``), and it may read and write only its own
records. Staff rules still live in the services that check them and move here as they are touched.
"""

from __future__ import annotations

from typing import Protocol

from safeclass.db.models import Account, Learner
from safeclass.services import ServiceError


class OwnedRecord(Protocol):
    """A row that belongs to one learner or one staff account."""

    learner_id: int | None
    account_id: int | None


def owns(actor: Learner | Account, record: OwnedRecord) -> bool:
    """Whether ``record`` is the actor's own (a seat's progress, an account's attempt)."""
    if isinstance(actor, Learner):
        return record.learner_id == actor.id and record.account_id is None
    return record.account_id == actor.id and record.learner_id is None


def require_owner(actor: Learner | Account, record: OwnedRecord | None, missing: str) -> None:
    """Refuse with ``missing`` (as if it did not exist) unless ``record`` is the actor's own."""
    if record is None or not owns(actor, record):
        raise ServiceError(missing)
