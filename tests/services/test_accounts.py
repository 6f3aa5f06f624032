"""Accounts: provisioning rules, password changes and sign-in rate limiting."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from safeclass.db.base import utcnow
from safeclass.db.models import Account, AuditLog, LoginAttempt
from safeclass.domain import Role
from safeclass.security import verify_password
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.accounts import MAX_FAILURES, change_password, create_account, is_locked, record_sign_in
from tests.factories import PASSWORD, make_account, make_site


def test_one_time_password_must_be_changed(database) -> None:
    with database.transaction() as s:
        make_site(s, code="E0001")
        account, one_time = create_account(s, username="Park.P", display_name="박교장", role=Role.PRINCIPAL, site_code="E0001")
        assert account.username == "park.p" and account.must_change_password
        assert verify_password(one_time, account.password_hash)
        assert s.scalar(select(AuditLog.action)) == "account.create"
    with database.transaction() as s:
        account = s.scalar(select(Account))
        change_password(s, account.id, current=one_time, new="a-much-longer-secret")
        assert not account.must_change_password and account.sessions_revoked_at is not None


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"username": "x", "role": Role.ADMIN}, "username_format"),
        ({"username": "teacher1", "role": Role.TEACHER}, "site_required"),
        ({"username": "teacher1", "role": Role.TEACHER, "site_code": "NOPE"}, "site_not_found"),
        ({"username": "coord1", "role": Role.COORDINATOR, "district": "Gotham-gu"}, "district_invalid"),
        ({"username": "admin1", "role": Role.ADMIN, "password": "short"}, "password_too_short"),
    ],
)
def test_bad_account_input_is_refused(database, kwargs, error) -> None:
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        create_account(s, display_name="x", **kwargs)
    assert refused.value.code == error


def test_scope_of_who_may_create_whom(database) -> None:
    with database.transaction() as s:
        make_site(s, code="M0001", district="Mapo-gu")
        make_site(s, code="G0001", district="Gangnam-gu")
        district_coord = make_account(s, "gcoord", Role.COORDINATOR, district="Gangnam-gu")
        create_account(s, username="gangnam.p", display_name="p", role=Role.PRINCIPAL, site_code="G0001", created_by=district_coord)
        with pytest.raises(NotAllowed):
            create_account(s, username="mapo.p", display_name="p", role=Role.PRINCIPAL, site_code="M0001", created_by=district_coord)
        with pytest.raises(NotAllowed):
            create_account(s, username="new.admin", display_name="a", role=Role.ADMIN, created_by=district_coord)


def test_repeated_failures_lock_a_username_until_the_window_passes(database) -> None:
    with database.transaction() as s:
        make_account(s, "kim", Role.ADMIN)
        for _ in range(MAX_FAILURES):
            record_sign_in(s, "kim", succeeded=False)
    with database.reading() as s:
        assert is_locked(s, "kim")
        assert not is_locked(s, "someone-else")
        assert not is_locked(s, "kim", now=utcnow() + dt.timedelta(minutes=16))


def test_wrong_current_password_changes_nothing(database) -> None:
    with database.transaction() as s:
        account = make_account(s, "kim", Role.ADMIN)
        before = account.password_hash
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        change_password(s, account.id, current="wrong-password", new="a-much-longer-secret")
    assert refused.value.code == "password_wrong"
    with database.reading() as s:
        assert s.get(Account, account.id).password_hash == before
        assert verify_password(PASSWORD, before)
        assert s.scalar(select(LoginAttempt)) is None
