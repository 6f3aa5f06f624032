"""The one place that answers "may this actor do this to this resource?".

A student has no account: the actor is their seat (a ``Learner``), and it may read and write only its own
records. Teachers and principals act only on their own site (``require_site_staff``); principals alone
manage their site's staff; coordinators act on their district, or the whole campaign without one.
Staff rules not listed here still live in the services that check them and move here as they are touched.
"""

from __future__ import annotations

from typing import Protocol

from safeclass.db.models import Account, Learner, Site
from safeclass.domain import Role
from safeclass.services import NotAllowed, ServiceError

SITE_STAFF = (Role.TEACHER, Role.PRINCIPAL)


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


def require_site_staff(actor: Account, site_id: int | None, what: str) -> None:
    """Refuse unless ``actor`` is an active teacher or principal of ``site_id`` (their own site only)."""
    if not isinstance(actor, Account) or not actor.active or actor.role not in SITE_STAFF:
        raise NotAllowed(what)
    if actor.site_id is None or site_id is None or actor.site_id != site_id:
        raise NotAllowed(what)


def require_principal_of(actor: Account, site_id: int | None, what: str) -> None:
    """Refuse unless ``actor`` is the active principal of ``site_id`` (staff accounts are the principal's)."""
    require_site_staff(actor, site_id, what)
    if actor.role != Role.PRINCIPAL:
        raise NotAllowed(what)


def require_oversight(actor: Account, site: Site, what: str) -> None:
    """Refuse unless ``actor`` is an admin, a campaign-wide coordinator, or the coordinator of ``site``'s district."""
    if not isinstance(actor, Account) or not actor.active:
        raise NotAllowed(what)
    if actor.role == Role.ADMIN or (actor.role == Role.COORDINATOR and actor.district in (None, site.district)):
        return
    raise NotAllowed(what)
