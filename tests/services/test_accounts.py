"""Accounts: provisioning rules, password changes and sign-in rate limiting."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from safeclass import clock, throttle
from safeclass.db.models import Account, AuditLog, ThrottleEvent
from safeclass.domain import Role
from safeclass.security import verify_password
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.accounts import (
    begin_sign_in,
    change_password,
    check_password,
    clear_sign_in_throttle,
    create_account,
    finish_sign_in,
)
from safeclass.throttle import Throttled
from tests.factories import PASSWORD, make_account, make_site
from tests.security_tally import tally


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


def _try(database, username: str, password: str, client: str) -> str:
    """One sign-in as the app does it: count, check the password outside the transaction, finish."""
    try:
        with database.transaction() as s:
            attempt = begin_sign_in(s, username, client)
    except Throttled:
        return "throttled"
    ok = check_password(attempt, password)
    with database.transaction() as s:
        return "ok" if finish_sign_in(s, attempt, ok) is not None else "wrong"


START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
GUESSES_REFUSED = "all refused (a wrong guess, or throttled before it was checked)"


def test_guessing_slows_the_guessers_address_but_not_the_owner_elsewhere(database) -> None:
    with database.transaction() as s:
        make_account(s, "kim", Role.ADMIN)
    tried = 0
    with clock.frozen_at(START):
        outcomes = []
        for _ in range(8):
            outcomes.append(_try(database, "kim", "guess-guess-guess", "203.0.113.9"))
            tried += 1
        assert outcomes == ["wrong"] * 5 + ["throttled"] * 3
        assert _try(database, "kim", PASSWORD, "203.0.113.9") == "throttled"  # even the right password waits there
        assert _try(database, "kim", PASSWORD, "198.51.100.7") == "ok"  # the owner, at school, gets in at once
    with clock.frozen_at(START + dt.timedelta(minutes=16)):  # never a permanent lock
        assert _try(database, "kim", PASSWORD, "203.0.113.9") == "ok"
    assert set(outcomes) == {"wrong", "throttled"}
    tally("sign-in guesses from one address", tried, outcome=GUESSES_REFUSED)


def test_a_spread_out_attack_cannot_lock_the_owner_out(database) -> None:
    with database.transaction() as s:
        make_account(s, "kim", Role.ADMIN)
    with clock.frozen_at(START):
        results = [_try(database, "kim", "guess-guess-guess", f"10.9.{n // 250}.{n % 250}") for n in range(60)]
        for n in range(60):  # every attacking address tries again: now the per-username limit holds them
            results.append(_try(database, "kim", "guess-guess-guess", f"10.9.{n // 250}.{n % 250}"))
        assert results[:60] == ["wrong"] * 60 and "throttled" in results[60:]
        assert _try(database, "kim", PASSWORD, "198.51.100.7") == "ok"  # a clean address is not held
    assert set(results) == {"wrong", "throttled"}
    tally("sign-in guesses spread over 60 addresses", len(results), outcome=GUESSES_REFUSED)


def test_an_unknown_username_costs_the_same_and_is_counted(database) -> None:
    with database.transaction() as s:
        make_account(s, "kim", Role.ADMIN)
    with database.transaction() as s:
        unknown = begin_sign_in(s, "nobody", "203.0.113.9")
        assert unknown.password_hash.startswith("$2b$12$")  # a real bcrypt check at full cost, then "wrong"
    assert not check_password(unknown, "anything")
    with database.reading() as s:
        assert throttle.failures(s, "signin_pair", "nobody|203.0.113.9") == 1


def test_parallel_guesses_are_counted_one_by_one(database) -> None:
    with database.transaction() as s:
        make_account(s, "kim", Role.ADMIN)
    with clock.frozen_at(START), ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(lambda _: _try(database, "kim", "guess-guess-guess", "203.0.113.9"), range(30)))
    assert outcomes.count("wrong") == 5 and outcomes.count("throttled") == 25, outcomes
    tally("parallel sign-in guesses", len(outcomes), outcome=GUESSES_REFUSED)


def test_a_success_takes_back_its_count_and_an_admin_can_clear_a_throttle(database) -> None:
    with database.transaction() as s:
        make_account(s, "kim", Role.ADMIN)
        admin = make_account(s, "root", Role.ADMIN)
        teacher = make_account(s, "lee", Role.TEACHER, make_site(s))
    with clock.frozen_at(START):
        assert _try(database, "kim", PASSWORD, "198.51.100.7") == "ok"
        with database.reading() as s:
            assert throttle.failures(s, "signin_pair", "kim|198.51.100.7") == 0
            # The count taken in advance is given back everywhere: a right password costs no one a try.
            assert throttle.failures(s, "signin_address", "198.51.100.7") == 0
            assert throttle.failures(s, "signin_user", "kim") == 0
            assert s.scalar(select(AuditLog.action).where(AuditLog.target == "kim")) == "account.sign_in"
        for _ in range(6):
            _try(database, "kim", "guess-guess-guess", "203.0.113.9")
        assert _try(database, "kim", PASSWORD, "203.0.113.9") == "throttled"
        with database.transaction() as s, pytest.raises(NotAllowed):
            clear_sign_in_throttle(s, teacher, "kim")
        with database.transaction() as s:
            assert clear_sign_in_throttle(s, admin, "kim") >= 5
        assert _try(database, "kim", PASSWORD, "203.0.113.9") == "ok"


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
        assert s.scalar(select(ThrottleEvent)) is None
