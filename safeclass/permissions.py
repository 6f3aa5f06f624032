"""The one place that answers "may this actor do this to this resource?" (students' rules so far).

A student has no account: the actor is their seat (a ``Learner``), and it may read and write only its own
records. Staff see sites by scope: an admin or a whole-campaign coordinator every site, a district
coordinator their district's, a principal or teacher their own. Other staff rules still live in the
services that check them and move here as they are touched.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, true

from safeclass.db.models import Account, Learner, Site
from safeclass.domain import Role
from safeclass.services import NotAllowed, ServiceError


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


def is_campaign_staff(actor: Account) -> bool:
    """Coordinators and admins: the people who run the campaign (dashboards, exports, roster)."""
    return actor.active and actor.role in (Role.COORDINATOR, Role.ADMIN)


def visible_sites(actor: Account) -> ColumnElement[bool]:
    """A WHERE clause on ``Site`` selecting the sites this account may see; refuses accounts that see none."""
    if actor.role == Role.ADMIN or (actor.role == Role.COORDINATOR and actor.district is None):
        return true()
    if actor.role == Role.COORDINATOR:
        return Site.district == actor.district
    if actor.role in (Role.PRINCIPAL, Role.TEACHER) and actor.site_id is not None:
        return Site.id == actor.site_id
    raise NotAllowed("sites")


def may_see_site(actor: Account, site: Site) -> bool:
    """Whether this account may see this site's figures."""
    if actor.role == Role.ADMIN or (actor.role == Role.COORDINATOR and actor.district is None):
        return True
    if actor.role == Role.COORDINATOR:
        return site.district == actor.district
    return actor.site_id == site.id


def require_campaign_staff(actor: Account, what: str) -> None:
    """Refuse anyone but a coordinator or an admin."""
    if not is_campaign_staff(actor):
        raise NotAllowed(what)


def require_admin(actor: Account, what: str) -> None:
    """Refuse anyone but an active admin."""
    if not (actor.active and actor.role == Role.ADMIN):
        raise NotAllowed(what)
