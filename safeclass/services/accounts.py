"""Staff accounts: provisioning, sign-in bookkeeping (rate limiting) and password changes."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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


def staff_member(session: Session, account_id: int) -> Account:
    """The signed-in staff account, fresh from the database; refused if it was deactivated meanwhile."""
    account = session.get(Account, account_id)
    if account is None or not account.active:
        raise NotAllowed("account_inactive")
    return account


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
