"""Staff accounts: provisioning, sign-in bookkeeping (rate limiting) and password changes."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from safeclass import permissions
from safeclass.db.base import utcnow
from safeclass.db.models import Account, AuditLog, LoginAttempt, Site
from safeclass.domain import SEOUL_DISTRICTS, Role
from safeclass.security import MIN_PASSWORD_LENGTH, hash_password, verify_password
from safeclass.services import NotAllowed, ServiceError

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MAX_FAILURES = 5  # failed sign-ins per username within the window before it is locked
FAILURE_WINDOW = dt.timedelta(minutes=15)


def create_account(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    site_code: str | None = None,
    district: str | None = None,
    created_by: Account | None = None,
) -> tuple[Account, str]:
    """Create an account; without a password, a one-time password is generated and must be changed at first sign-in."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ServiceError("username_format")
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise ServiceError("username_taken", username=username)
    role = Role(role)
    site = None
    if role in (Role.TEACHER, Role.PRINCIPAL):
        if not site_code:
            raise ServiceError("site_required", role=role.value)
        site = session.scalar(select(Site).where(Site.code == site_code))
        if site is None:
            raise ServiceError("site_not_found", code=site_code)
    elif site_code:
        raise ServiceError("site_not_for_role", role=role.value)
    if district is not None and (role != Role.COORDINATOR or district not in SEOUL_DISTRICTS):
        raise ServiceError("district_invalid", district=district)
    _check_creator(created_by, role, site)
    one_time = password is None
    if one_time:
        password = secrets.token_urlsafe(9)
    elif len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError("password_too_short", min=MIN_PASSWORD_LENGTH)
    account = Account(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        role=role.value,
        site_id=site.id if site else None,
        district=district,
        must_change_password=one_time,
    )
    session.add(account)
    session.flush()
    session.add(
        AuditLog(actor_id=created_by.id if created_by else None, action="account.create", target=username, detail={"role": role.value})
    )
    return account, password


def _check_creator(creator: Account | None, role: Role, site: Site | None) -> None:
    # None means the command line, run by whoever operates the server.
    if creator is None or creator.role == Role.ADMIN:
        return
    coordinator_may = creator.district is None or (site is not None and site.district == creator.district)
    if creator.role == Role.COORDINATOR and role == Role.PRINCIPAL and coordinator_may:
        return
    if creator.role == Role.PRINCIPAL and role == Role.TEACHER and site is not None and site.id == creator.site_id:
        return
    raise NotAllowed("create_account")


def active_account(session: Session, username: str) -> Account | None:
    """The active account called ``username`` (case-insensitive), if any."""
    return session.scalar(select(Account).where(Account.username == username.strip().lower(), Account.active))


def is_locked(session: Session, username: str, now: dt.datetime | None = None) -> bool:
    """Whether too many recent failed sign-ins lock this username for now."""
    now = now or utcnow()
    since = now - FAILURE_WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.attempted_at)).where(LoginAttempt.username == username, LoginAttempt.succeeded)
    )
    if last_success is not None and last_success > since:
        since = last_success
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == username, ~LoginAttempt.succeeded, LoginAttempt.attempted_at > since)
    )
    return failures >= MAX_FAILURES


def record_sign_in(session: Session, username: str, succeeded: bool) -> None:
    """Keep a sign-in attempt for rate limiting; a success also stamps the account."""
    username = username.strip().lower()[:64]
    session.add(LoginAttempt(username=username, succeeded=succeeded))
    if succeeded:
        account = active_account(session, username)
        if account is not None:
            account.last_login_at = utcnow()


def revoke_sessions(session: Session, account_id: int) -> None:
    """Refuse every sign-in cookie issued to this account until now (sign-out on every device)."""
    session.get(Account, account_id).sessions_revoked_at = utcnow()


def change_password(session: Session, account_id: int, *, current: str, new: str) -> None:
    """Replace the password after checking the current one; other devices are signed out."""
    account = session.get(Account, account_id)
    if not verify_password(current, account.password_hash):
        raise ServiceError("password_wrong")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise ServiceError("password_too_short", min=MIN_PASSWORD_LENGTH)
    if new == current:
        raise ServiceError("password_unchanged")
    account.password_hash = hash_password(new)
    account.must_change_password = False
    revoke_sessions(session, account_id)  # a leaked old password's cookies stop working everywhere
    session.add(AuditLog(actor_id=account.id, action="account.password", target=account.username, detail={}))


# --- coordinators and admins: provisioning and account care ----------------------------------------


@dataclass(frozen=True)
class IssuedPassword:
    """A one-time password handed out once (on a sheet shown once); only its hash is kept."""

    username: str
    display_name: str
    role: str
    site_code: str | None
    site_name: str | None
    district: str | None
    password: str


def principal_username(site_code: str) -> str:
    """The username a provisioned principal gets: ``principal.<site code>`` in lower case."""
    return f"principal.{site_code.strip().lower()}"


def provision_principals(session: Session, actor: Account, *, site_codes: list[str] | None = None) -> list[IssuedPassword]:
    """Create a principal account, with a one-time password, for every site in the actor's scope that has none."""
    permissions.require_campaign_staff(actor, "provision_principals")
    query = select(Site).where(permissions.visible_sites(actor)).order_by(Site.code)
    if site_codes is not None:
        query = query.where(Site.code.in_(site_codes))
    has_principal = set(session.scalars(select(Account.site_id).where(Account.role == Role.PRINCIPAL.value, Account.active)))
    issued = []
    for site in session.scalars(query):
        if site.id in has_principal:
            continue
        username = principal_username(site.code)
        if session.scalar(select(Account.id).where(Account.username == username)) is not None:
            continue  # a deactivated principal keeps the name: reactivate or reissue it instead
        account, password = create_account(
            session, username=username, display_name=f"{site.name} 교장", role=Role.PRINCIPAL, site_code=site.code, created_by=actor
        )
        issued.append(IssuedPassword(username, account.display_name, account.role, site.code, site.name, site.district, password))
    session.add(AuditLog(actor_id=actor.id, action="account.provision", target="principals", detail={"created": len(issued)}))
    return issued


def _manageable(session: Session, actor: Account, username: str) -> Account:
    """The account called ``username`` if the actor may manage it (admin: any; coordinator: principals in scope)."""
    account = session.scalar(select(Account).where(Account.username == username.strip().lower()))
    if account is None:
        raise ServiceError("account_not_found", username=username)
    if actor.role == Role.ADMIN and actor.active:
        return account
    permissions.require_campaign_staff(actor, "manage_account")
    site = session.get(Site, account.site_id) if account.site_id else None
    if account.role != Role.PRINCIPAL or site is None or not permissions.may_see_site(actor, site):
        raise NotAllowed("manage_account")
    return account


def reissue_password(session: Session, actor: Account, username: str) -> IssuedPassword:
    """A new one-time password for an account (to be changed at next sign-in); every device is signed out."""
    account = _manageable(session, actor, username)
    if account.id == actor.id:
        raise ServiceError("not_yourself")
    password = secrets.token_urlsafe(9)
    account.password_hash = hash_password(password)
    account.must_change_password = True
    revoke_sessions(session, account.id)
    session.add(AuditLog(actor_id=actor.id, action="account.reissue", target=account.username, detail={}))
    site = session.get(Site, account.site_id) if account.site_id else None
    return IssuedPassword(
        account.username,
        account.display_name,
        account.role,
        site.code if site else None,
        site.name if site else None,
        account.district,
        password,
    )


def set_active(session: Session, actor: Account, username: str, active: bool) -> Account:
    """Deactivate (or reactivate) an account; deactivating signs it out everywhere. Admins only."""
    permissions.require_admin(actor, "set_active")
    account = _manageable(session, actor, username)
    if account.id == actor.id:
        raise ServiceError("not_yourself")
    account.active = active
    if not active:
        revoke_sessions(session, account.id)
    session.add(
        AuditLog(actor_id=actor.id, action="account.activate" if active else "account.deactivate", target=account.username, detail={})
    )
    return account


def clear_sign_in_throttle(session: Session, actor: Account, username: str) -> int:
    """Forget a username's failed sign-ins so it may try again now; returns how many were cleared. Admins only."""
    permissions.require_admin(actor, "clear_throttle")
    name = username.strip().lower()
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.username == name, ~LoginAttempt.succeeded))
    session.add(AuditLog(actor_id=actor.id, action="account.unlock", target=name, detail={"cleared": result.rowcount}))
    return int(result.rowcount or 0)


def list_accounts(
    session: Session, actor: Account, *, search: str = "", role: str | None = None, never_signed_in: bool = False, limit: int = 500
) -> list[dict]:
    """Accounts the actor may see (admin: all; coordinator: principals in scope), newest first, with site and state."""
    permissions.require_campaign_staff(actor, "list_accounts")
    query = select(Account, Site).outerjoin(Site, Site.id == Account.site_id).order_by(Account.username)
    if actor.role != Role.ADMIN:
        query = query.where(Account.role == Role.PRINCIPAL.value, permissions.visible_sites(actor))
    if role:
        query = query.where(Account.role == role)
    if never_signed_in:
        query = query.where(Account.last_login_at.is_(None))
    words = search.strip().lower()
    if words:
        like = f"%{words}%"
        query = query.where(
            func.lower(Account.username).like(like)
            | func.lower(Account.display_name).like(like)
            | func.lower(func.coalesce(Site.code, "")).like(like)
            | func.lower(func.coalesce(Site.name, "")).like(like)
        )
    now = utcnow()
    rows = []
    for account, site in session.execute(query.limit(limit)):
        rows.append(
            {
                "username": account.username,
                "display_name": account.display_name,
                "role": account.role,
                "site_code": site.code if site else None,
                "site_name": site.name if site else None,
                "district": account.district or (site.district if site else None),
                "active": account.active,
                "must_change_password": account.must_change_password,
                "last_login_at": account.last_login_at,
                "locked": is_locked(session, account.username, now),
            }
        )
    return rows


def audit_entries(session: Session, actor: Account, *, action: str = "", limit: int = 500) -> list[dict]:
    """The newest audit log entries (admins: all; coordinators: their own actions)."""
    permissions.require_campaign_staff(actor, "audit_log")
    query = (
        select(AuditLog, Account.username)
        .outerjoin(Account, Account.id == AuditLog.actor_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )
    if actor.role != Role.ADMIN:
        query = query.where(AuditLog.actor_id == actor.id)
    if action:
        query = query.where(AuditLog.action.like(f"{action}%"))
    return [
        {"at": entry.at, "actor": username or "(command line)", "action": entry.action, "target": entry.target, "detail": entry.detail}
        for entry, username in session.execute(query.limit(limit))
    ]
