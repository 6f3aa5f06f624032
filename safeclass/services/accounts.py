"""Staff accounts: provisioning, the password policy, sign-in bookkeeping (rate limiting), password changes,
and a principal's management of their own site's teachers."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeclass import permissions
from safeclass.content.models import Campaign
from safeclass.db.base import utcnow
from safeclass.db.models import Account, AuditLog, LoginAttempt, ModuleProgress, Site
from safeclass.domain import SEOUL_DISTRICTS, Role
from safeclass.security import MIN_PASSWORD_LENGTH, hash_password, verify_password
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.progress import has_completed_assignment

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further: a longer password would be silently cut
MIN_SURPRISES = 5  # characters not predictable from the one before (not a repeat, a next letter or a next key)
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# Passwords seen again and again in Korean and worldwide leaks; a password containing one is refused.
COMMON_PASSWORDS = ("password", "passw0rd", "p@ssw0rd", "qwerty", "1q2w3e4r", "q1w2e3r4", "qwer1234", "asdf1234", "iloveyou", "letmein")
COMMON_PASSWORDS += ("welcome", "admin123", "abc123", "sarang", "dkssud")  # dkssud: 안녕 typed on a Latin keyboard
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
        password = one_time_password()
    else:
        check_password_policy(password, username=username, display_name=display_name)
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
    if new == current:
        raise ServiceError("password_unchanged")
    check_password_policy(new, username=account.username, display_name=account.display_name)
    account.password_hash = hash_password(new)
    account.must_change_password = False
    revoke_sessions(session, account_id)  # a leaked old password's cookies stop working everywhere
    session.add(AuditLog(actor_id=account.id, action="account.password", target=account.username, detail={}))


# --- password policy ---------------------------------------------------------------------------


def one_time_password() -> str:
    """A fresh one-time password (72 random bits), shown once and changed at first sign-in."""
    return secrets.token_urlsafe(9)


def _predictable(before: str, after: str) -> bool:
    if after == before or abs(ord(after) - ord(before)) == 1:
        return True
    return any(before in row and after in row and abs(row.index(after) - row.index(before)) == 1 for row in KEYBOARD_ROWS)


def _surprises(text: str) -> int:
    return 1 + sum(not _predictable(a, b) for a, b in pairwise(text)) if text else 0


def _repeats_a_unit(text: str) -> bool:
    return any(len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in range(1, len(text) // 2 + 1))


def check_password_policy(password: str, *, username: str = "", display_name: str = "") -> None:
    """Refuse a staff password that is short, too long for bcrypt, repeated, a sequence, the username or a common one."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError("password_too_short", min=MIN_PASSWORD_LENGTH)
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ServiceError("password_too_long", max=MAX_PASSWORD_BYTES)
    lowered = password.lower()
    for name in (username.strip().lower(), "".join(display_name.lower().split())):
        if len(name) >= 3 and name in lowered:
            raise ServiceError("password_has_username")
    for common in COMMON_PASSWORDS:
        rest = lowered.replace(common, "")
        # "password12" is refused; a long passphrase that happens to contain "password" is not.
        if rest != lowered and (len(rest) < MIN_PASSWORD_LENGTH - 2 or _surprises(rest) < MIN_SURPRISES):
            raise ServiceError("password_common")
    if _surprises(lowered) < MIN_SURPRISES:
        if len(set(lowered)) < MIN_SURPRISES or _repeats_a_unit(lowered):
            raise ServiceError("password_repeated")
        raise ServiceError("password_sequence")


# --- a principal's staff -------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """A teacher of the principal's site and where their training stands."""

    account_id: int
    username: str
    display_name: str
    active: bool
    must_change_password: bool
    last_login_at: dt.datetime | None
    modules_completed: int
    modules_assigned: int
    completed: bool


def create_teacher(session: Session, principal: Account, *, username: str, display_name: str) -> tuple[Account, str]:
    """A teacher account at the principal's own site, with a one-time password to hand over once."""
    permissions.require_principal_of(principal, principal.site_id, "create_staff")
    site = session.get(Site, principal.site_id)
    if not (display_name or "").strip():
        raise ServiceError("staff_name_required")
    return create_account(
        session, username=username, display_name=display_name, role=Role.TEACHER, site_code=site.code, created_by=principal
    )


def _teacher_of(session: Session, principal: Account, account_id: int, what: str) -> Account:
    teacher = session.get(Account, account_id)
    permissions.require_principal_of(principal, teacher.site_id if teacher else None, what)
    if teacher.role != Role.TEACHER:
        raise NotAllowed(what)  # a principal manages teachers, not themselves or another principal
    return teacher


def set_staff_active(session: Session, principal: Account, account_id: int, *, active: bool) -> Account:
    """Deactivate a teacher of the principal's site (signed out everywhere at once) or activate them again."""
    teacher = _teacher_of(session, principal, account_id, "deactivate_staff")
    if teacher.active != active:
        teacher.active = active
        if not active:
            revoke_sessions(session, teacher.id)
        action = "account.activate" if active else "account.deactivate"
        session.add(AuditLog(actor_id=principal.id, action=action, target=teacher.username, detail={}))
    return teacher


def reissue_one_time_password(session: Session, principal: Account, account_id: int) -> tuple[Account, str]:
    """A new one-time password for a teacher who lost theirs; their old password and sign-ins stop working."""
    teacher = _teacher_of(session, principal, account_id, "reset_staff_password")
    password = one_time_password()
    teacher.password_hash = hash_password(password)
    teacher.must_change_password = True
    revoke_sessions(session, teacher.id)
    session.add(AuditLog(actor_id=principal.id, action="account.one_time_password", target=teacher.username, detail={}))
    return teacher, password


def staff_at_site(session: Session, principal: Account, campaign: Campaign) -> list[StaffRow]:
    """The teachers of the principal's own site with their staff training in this campaign."""
    permissions.require_principal_of(principal, principal.site_id, "site_staff")
    teachers = list(
        session.scalars(
            select(Account)
            .where(Account.site_id == principal.site_id, Account.role == Role.TEACHER.value)
            .order_by(Account.active.desc(), Account.display_name)
        )
    )
    assigned = campaign.audiences.staff.modules
    done = dict(
        session.execute(
            select(ModuleProgress.account_id, func.count())
            .where(
                ModuleProgress.account_id.in_([t.id for t in teachers]),
                ModuleProgress.campaign_id == campaign.id,
                ModuleProgress.module_id.in_(assigned),
                ModuleProgress.completed_at.is_not(None),
            )
            .group_by(ModuleProgress.account_id)
        ).all()
    )
    return [
        StaffRow(
            account_id=t.id,
            username=t.username,
            display_name=t.display_name,
            active=t.active,
            must_change_password=t.must_change_password,
            last_login_at=t.last_login_at,
            modules_completed=done.get(t.id, 0),
            modules_assigned=len(set(assigned)),
            completed=has_completed_assignment(session, t, campaign),
        )
        for t in teachers
    ]


def own_site(session: Session, viewer: Account) -> Site:
    """The site a teacher or principal belongs to."""
    permissions.require_site_staff(viewer, viewer.site_id, "own_site")
    return session.get(Site, viewer.site_id)
