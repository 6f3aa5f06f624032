"""The one place that answers "may this actor do this to this resource?"; every service asks here.

Actors: a student is their seat (a ``Learner``): only their own records. Staff are ``Account`` rows:
teachers and principals act at their own site (principals also manage its staff accounts); a
coordinator with a district sees that district, without one the whole campaign; admins everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, select, true

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


@dataclass(frozen=True)
class SiteScope:
    """The sites an account may see: all of them, one district's, or one site."""

    everything: bool = False
    district: str | None = None
    site_id: int | None = None

    def allows(self, site: Site) -> bool:
        """Whether ``site`` is inside this scope."""
        if self.everything:
            return True
        if self.district is not None:
            return site.district == self.district
        return site.id == self.site_id

    def where(self, query, site_id_column, district_column):  # noqa: ANN001
        """``query`` narrowed to this scope, given the columns holding a row's site id and district."""
        if self.everything:
            return query
        if self.district is not None:
            return query.where(district_column == self.district)
        return query.where(site_id_column == self.site_id)


def site_scope(actor: Account, action: str) -> SiteScope:
    """The sites ``actor`` may read for ``action``; refused for anyone without a scope."""
    if actor.role == Role.ADMIN or (actor.role == Role.COORDINATOR and actor.district is None):
        return SiteScope(everything=True)
    if actor.role == Role.COORDINATOR:
        return SiteScope(district=actor.district)
    if actor.role in (Role.PRINCIPAL, Role.TEACHER) and actor.site_id is not None:
        return SiteScope(site_id=actor.site_id)
    raise NotAllowed(action)


def require_site_staff(actor: Account, site_id: int | None, action: str) -> None:
    """Only an active teacher or principal of ``site_id`` may act at it (open a class, attest a lesson, manage seats)."""
    if not isinstance(actor, Account) or not actor.active or actor.role not in SITE_STAFF:
        raise NotAllowed(action)
    if actor.site_id is None or site_id is None or actor.site_id != site_id:
        raise NotAllowed(action)


def require_principal_of(actor: Account, site_id: int | None, action: str) -> None:
    """Only the active principal of ``site_id`` (staff accounts are the principal's)."""
    require_site_staff(actor, site_id, action)
    if actor.role != Role.PRINCIPAL:
        raise NotAllowed(action)


def require_oversight(actor: Account, site: Site, action: str) -> None:
    """Only an admin, a campaign-wide coordinator, or the coordinator of ``site``'s district."""
    if not isinstance(actor, Account) or not actor.active:
        raise NotAllowed(action)
    if actor.role == Role.ADMIN or (actor.role == Role.COORDINATOR and actor.district in (None, site.district)):
        return
    raise NotAllowed(action)


def require_admin(actor: Account, action: str) -> None:
    """Only an active admin."""
    if not isinstance(actor, Account) or actor.role != Role.ADMIN or not actor.active:
        raise NotAllowed(action)


def require_may_create_account(creator: Account | None, role: Role, site: Site | None) -> None:
    """Admins create any account; coordinators principals in their scope; principals teachers at their site.

    ``creator`` None is the command line, run by whoever operates the server.
    """
    if creator is None or creator.role == Role.ADMIN:
        return
    if (
        creator.role == Role.COORDINATOR
        and role == Role.PRINCIPAL
        and site is not None
        and site_scope(creator, "create_account").allows(site)
    ):
        return
    if creator.role == Role.PRINCIPAL and role == Role.TEACHER and site is not None and site.id == creator.site_id:
        return
    raise NotAllowed("create_account")


def is_campaign_staff(actor: Account) -> bool:
    """Coordinators and admins: the people who run the campaign (dashboards, exports, roster)."""
    return actor.active and actor.role in (Role.COORDINATOR, Role.ADMIN)


def require_campaign_staff(actor: Account, what: str) -> None:
    """Refuse anyone but a coordinator or an admin."""
    if not isinstance(actor, Account) or not is_campaign_staff(actor):
        raise NotAllowed(what)


def visible_sites(actor: Account) -> ColumnElement[bool]:
    """A WHERE clause on ``Site`` selecting the sites this account may see; refuses accounts that see none."""
    return sites_in(site_scope(actor, "sites"))


def sites_in(scope: SiteScope) -> ColumnElement[bool]:
    """The WHERE clause on ``Site`` of a scope ``site_scope`` gave (a statement built once per scope uses it)."""
    if scope.everything:
        return true()
    if scope.district is not None:
        return Site.district == scope.district
    return Site.id == scope.site_id


def visible_site_ids(actor: Account, site_id_column: ColumnElement[int]) -> ColumnElement[bool]:
    """``visible_sites`` for a table keyed by site id, without joining ``Site`` when the actor sees every site."""
    scope = site_scope(actor, "sites")
    if scope.everything:
        return true()
    if scope.district is not None:
        return site_id_column.in_(select(Site.id).where(sites_in(scope)))
    return site_id_column == scope.site_id


def visible_districts(actor: Account, district_column: ColumnElement[str]) -> ColumnElement[bool]:
    """A WHERE clause on a district column (figures kept per district): all, or the coordinator's own district."""
    scope = site_scope(actor, "districts")
    if scope.everything:
        return true()
    if scope.district is not None:
        return district_column == scope.district
    raise NotAllowed("districts")  # one site's staff see no district-wide figures


def may_see_site(actor: Account, site: Site) -> bool:
    """Whether this account may see this site's figures."""
    try:
        return site_scope(actor, "sites").allows(site)
    except NotAllowed:
        return False
