"""Staff accounts: provisioning, the password policy, sign-in bookkeeping (rate limiting), password changes,
and a principal's management of their own site's teachers."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from safeclass import permissions, throttle
from safeclass.content.models import Campaign
from safeclass.db.base import utcnow
from safeclass.db.models import Account, AuditLog, ModuleProgress, QuizAttempt, Site
from safeclass.domain import SEOUL_DISTRICTS, Role
from safeclass.security import MIN_PASSWORD_LENGTH, hash_password, verify_password
from safeclass.services import NotAllowed, ServiceError, plain_text

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MAX_DISPLAY_NAME = 100  # the column's length; certificates print it
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further: a longer password would be silently cut
MIN_SURPRISES = 5  # characters not predictable from the one before (not a repeat, a next letter or a next key)
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# Passwords seen again and again in Korean and worldwide leaks; a password containing one is refused.
COMMON_PASSWORDS = ("password", "passw0rd", "p@ssw0rd", "qwerty", "1q2w3e4r", "q1w2e3r4", "qwer1234", "asdf1234", "iloveyou", "letmein")
COMMON_PASSWORDS += ("welcome", "admin123", "abc123", "sarang", "dkssud")  # dkssud: 안녕 typed on a Latin keyboard


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
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        raise ServiceError("username_format")
    display_name = plain_text(display_name)
    if len(display_name) > MAX_DISPLAY_NAME:
        raise ServiceError("display_name_length", max=MAX_DISPLAY_NAME)
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise ServiceError("username_taken", username=username)
    role = Role(role)
    site = None
    if role in (Role.TEACHER, Role.PRINCIPAL):
        if not site_code:
            raise ServiceError("site_required", role=role.value)
        site = session.scalar(select(Site).where(Site.code == plain_text(site_code)))
        if site is None:
            raise ServiceError("site_not_found", code=site_code)
    elif site_code:
        raise ServiceError("site_not_for_role", role=role.value)
    if district is not None and (role != Role.COORDINATOR or district not in SEOUL_DISTRICTS):
        raise ServiceError("district_invalid", district=district)
    permissions.require_may_create_account(created_by, role, site)
    one_time = password is None
    if one_time:
        password = one_time_password()
    else:
        check_password_policy(password, username=username, display_name=display_name)
    account = Account(
        username=username,
        display_name=display_name or username,
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


def active_account(session: Session, username: str) -> Account | None:
    """The active account called ``username`` (case-insensitive), if any."""
    username = (username or "").strip().lower()
    if not USERNAME.match(username):  # not a username at all (a NUL would fail the query on PostgreSQL)
        return None
    return session.scalar(select(Account).where(Account.username == username, Account.active))


def staff_member(session: Session, account_id: int) -> Account:
    """The signed-in staff account, fresh from the database; refused if it was deactivated meanwhile."""
    account = session.scalars(_STAFF_MEMBER, {"account_id": account_id}).one_or_none()
    if account is None or not account.active:
        raise NotAllowed("account_inactive")
    return account


# Every signed-in page run asks: built once (``session.get`` builds its load anew on each call).
_STAFF_MEMBER = select(Account).where(Account.id == bindparam("account_id"))


@dataclass(frozen=True)
class SignInAttempt:
    """A sign-in attempt already counted as a failure; ``finish_sign_in`` takes the count back if it succeeds."""

    username: str
    client: str
    password_hash: str  # the account's, or a dummy so an unknown username costs the same bcrypt time
    account_id: int | None
    counted: tuple[int, ...]


# A valid bcrypt hash of a random secret: checking against it takes as long as checking a real password.
@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: a bcrypt hash costs every process start (tests, replicas) ~0.3 s.
    return hash_password(secrets.token_urlsafe(16))


def begin_sign_in(session: Session, username: str, client: str) -> SignInAttempt:
    """Check the sign-in limits and count this attempt as a failure, in one transaction, before any password is checked.

    Counting first is what makes parallel guesses count one by one; the password is then checked outside
    the transaction (bcrypt is slow on purpose) and ``finish_sign_in`` removes the count if it was right.
    Limits are per username *and* address (an attacker's address is slowed, the owner's is not), per
    address across usernames (password spraying), and per username across addresses that have already
    failed for it — so the owner, signing in from an address without failures, is never held up by
    someone guessing elsewhere.
    """
    username = username.strip().lower()[:64]
    pair = f"{username}|{client}"
    throttle.check(session, "signin_pair", pair)
    throttle.check(session, "signin_address", client)
    if throttle.failures(session, "signin_pair", pair):
        throttle.check(session, "signin_user", username)
    counted = (
        throttle.record_failure(session, "signin_pair", pair),
        throttle.record_failure(session, "signin_address", client),
        throttle.record_failure(session, "signin_user", username),
    )
    account = active_account(session, username)
    return SignInAttempt(
        username=username,
        client=client,
        password_hash=account.password_hash if account else _dummy_hash(),
        account_id=account.id if account else None,
        counted=counted,
    )


def check_password(attempt: SignInAttempt, password: str) -> bool:
    """Whether the password is right (outside any transaction; the same cost for unknown usernames)."""
    right = verify_password(password, attempt.password_hash)
    return right and attempt.account_id is not None


def finish_sign_in(session: Session, attempt: SignInAttempt, succeeded: bool) -> Account | None:
    """Record the outcome: a success takes back this attempt's count, clears its address's failures and is audited."""
    if not succeeded:
        return None
    account = session.get(Account, attempt.account_id)
    if account is None or not account.active:
        return None
    throttle.forget(session, attempt.counted)
    throttle.clear(session, "signin_pair", f"{attempt.username}|{attempt.client}")
    account.last_login_at = utcnow()
    session.add(AuditLog(actor_id=account.id, action="account.sign_in", target=account.username, detail={}))
    return account


def clear_sign_in_throttle(session: Session, admin: Account, username: str) -> int:
    """An admin lets a username sign in again at once (its failures everywhere are forgotten); returns how many."""
    permissions.require_admin(admin, "clear_throttle")
    username = (username or "").strip().lower()
    if not USERNAME.match(username):
        raise ServiceError("username_format")
    removed = throttle.clear_prefix(session, "signin_pair", f"{username}|") + throttle.failures(session, "signin_user", username)
    throttle.clear(session, "signin_user", username)
    session.add(AuditLog(actor_id=admin.id, action="account.clear_throttle", target=username, detail={"removed": removed}))
    return removed


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
    wanted = (username or "").strip().lower()
    account = session.scalar(select(Account).where(Account.username == wanted)) if USERNAME.match(wanted) else None
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
                "locked": throttle.wait_time(session, "signin_user", account.username) is not None,
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
    if "\x00" in password:  # bcrypt stops reading at NUL: "secret\x00anything" would be the password "secret"
        raise ServiceError("text_control")
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
    teachers = list(session.scalars(_TEACHERS, {"site_id": principal.site_id}))
    assigned, quizzes = campaign.audiences.staff.modules, campaign.audiences.staff.quizzes
    params = {"ids": [t.id for t in teachers], "cid": campaign.id, "modules": list(assigned), "quizzes": list(quizzes)}
    done = dict(session.execute(_STAFF_MODULES_DONE, params).all())
    # Passed quizzes for every teacher in one query (not one completion check per teacher).
    passed = dict(session.execute(_STAFF_QUIZZES_PASSED, params).all())
    need_modules, need_quizzes = len(set(assigned)), len(set(quizzes))

    def completed(teacher_id: int) -> bool:  # as has_completed_assignment, from the two counts above
        if not assigned and not quizzes:
            return False
        return done.get(teacher_id, 0) == need_modules and passed.get(teacher_id, 0) == need_quizzes

    return [
        StaffRow(
            account_id=t.id,
            username=t.username,
            display_name=t.display_name,
            active=t.active,
            must_change_password=t.must_change_password,
            last_login_at=t.last_login_at,
            modules_completed=done.get(t.id, 0),
            modules_assigned=need_modules,
            completed=completed(t.id),
        )
        for t in teachers
    ]


# My site's staff table, built once (it is read on every run of the page): ``:site_id``, ``:ids`` the
# teachers, ``:cid`` the campaign, ``:modules`` and ``:quizzes`` the staff assignment.
_TEACHERS = (
    select(Account)
    .where(Account.site_id == bindparam("site_id"), Account.role == Role.TEACHER.value)
    .order_by(Account.active.desc(), Account.display_name)
)
_STAFF_MODULES_DONE = (
    select(ModuleProgress.account_id, func.count())
    .where(
        ModuleProgress.account_id.in_(bindparam("ids", expanding=True)),
        ModuleProgress.campaign_id == bindparam("cid"),
        ModuleProgress.module_id.in_(bindparam("modules", expanding=True)),
        ModuleProgress.completed_at.is_not(None),
    )
    .group_by(ModuleProgress.account_id)
)
_STAFF_QUIZZES_PASSED = (
    select(QuizAttempt.account_id, func.count(func.distinct(QuizAttempt.quiz_id)))
    .where(
        QuizAttempt.account_id.in_(bindparam("ids", expanding=True)),
        QuizAttempt.campaign_id == bindparam("cid"),
        QuizAttempt.quiz_id.in_(bindparam("quizzes", expanding=True)),
        QuizAttempt.passed,
    )
    .group_by(QuizAttempt.account_id)
)


def own_site(session: Session, viewer: Account) -> Site:
    """The site a teacher or principal belongs to."""
    permissions.require_site_staff(viewer, viewer.site_id, "own_site")
    return session.get(Site, viewer.site_id)
