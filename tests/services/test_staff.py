"""Staff accounts: the password policy, a principal's teachers (one-time password, deactivation, training)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from safeclass.db.models import Account, AuditLog
from safeclass.documents import PasswordSheet, password_sheet_pdf
from safeclass.domain import Role
from safeclass.security import verify_password
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.accounts import (
    active_account,
    change_password,
    check_password_policy,
    create_account,
    create_teacher,
    reissue_one_time_password,
    set_staff_active,
    staff_at_site,
)
from safeclass.services.progress import record_module_progress
from tests.factories import PASSWORD, make_account, make_site


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1!", "password_too_short"),
        ("1111111111", "password_repeated"),
        ("aaaaaaaaaaaa", "password_repeated"),
        ("1212121212", "password_repeated"),
        ("abcabcabcabc", "password_repeated"),
        ("1234567890", "password_sequence"),
        ("0987654321", "password_sequence"),
        ("abcdefghijk", "password_sequence"),
        ("asdfghjkl;'", "password_sequence"),
        ("qwertyuiop", "password_common"),
        ("password123", "password_common"),
        ("1q2w3e4r5t", "password_common"),
        ("kim.minji2025", "password_has_username"),
        ("김" * 25, "password_too_long"),
    ],
)
def test_trivially_weak_passwords_are_refused_with_a_reason(password, code) -> None:
    with pytest.raises(ServiceError) as refused:
        check_password_policy(password, username="kim.minji", display_name="김민지")
    assert refused.value.code == code


@pytest.mark.parametrize("password", [PASSWORD, "safeclass-demo", "a-new-long-password", "Seoul-2025-Mapo!", "한강 다리 아래 고양이"])
def test_reasonable_passwords_pass(password) -> None:
    check_password_policy(password, username="kim.minji", display_name="김민지")


def test_the_policy_holds_when_creating_and_when_changing(database) -> None:
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        create_account(s, username="coord2", display_name="c", role=Role.COORDINATOR, password="1111111111")
    assert refused.value.code == "password_repeated"
    with database.transaction() as s:
        account = make_account(s, "coord", Role.COORDINATOR)
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        change_password(s, account.id, current=PASSWORD, new="1111111111")
    assert refused.value.code == "password_repeated"
    with database.transaction() as s:
        change_password(s, account.id, current=PASSWORD, new="Seoul-2025-Mapo!")


@pytest.fixture
def school(database):
    with database.transaction() as s:
        site = make_site(s)
        principal = make_account(s, "park", Role.PRINCIPAL, site)
    return site, principal


def test_a_principal_creates_a_teacher_with_a_one_time_password(database, school, fixture_catalog, test_campaign) -> None:
    site, principal = school
    with database.transaction() as s:
        teacher, one_time = create_teacher(s, principal, username="Kim.Minji", display_name="김민지")
    assert teacher.username == "kim.minji" and teacher.site_id == site.id and teacher.role == Role.TEACHER
    assert teacher.must_change_password and verify_password(one_time, teacher.password_hash) and len(one_time) >= 12
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        create_teacher(s, principal, username="lee", display_name=" ")
    assert refused.value.code == "staff_name_required"
    with database.transaction() as s, pytest.raises(NotAllowed):
        create_teacher(s, teacher, username="lee", display_name="이")  # teachers do not create accounts
    with database.reading() as s:
        rows = staff_at_site(s, principal, test_campaign)
        assert s.scalar(select(AuditLog.actor_id).where(AuditLog.action == "account.create")) == principal.id
    assert [(r.username, r.must_change_password, r.modules_completed, r.completed) for r in rows] == [("kim.minji", True, 0, False)]
    with database.transaction() as s:
        record_module_progress(s, teacher, test_campaign, fixture_catalog.modules["test-training"], sections_done=1, completed=True)
    with database.reading() as s:
        row = staff_at_site(s, principal, test_campaign)[0]
    assert (row.modules_completed, row.modules_assigned, row.completed) == (1, 1, True)


def test_deactivating_a_teacher_ends_their_sign_in_and_a_new_one_time_password_replaces_the_old(database, school) -> None:
    _, principal = school
    with database.transaction() as s:
        teacher, first = create_teacher(s, principal, username="kim", display_name="김")
    with database.transaction() as s:
        set_staff_active(s, principal, teacher.id, active=False)
    with database.reading() as s:
        assert active_account(s, "kim") is None and s.get(Account, teacher.id).sessions_revoked_at is not None
    with database.transaction() as s:
        set_staff_active(s, principal, teacher.id, active=True)
        _, second = reissue_one_time_password(s, principal, teacher.id)
    with database.reading() as s:
        account = active_account(s, "kim")
        assert account.must_change_password and verify_password(second, account.password_hash)
        assert not verify_password(first, account.password_hash)
    with database.transaction() as s, pytest.raises(NotAllowed):
        set_staff_active(s, principal, principal.id, active=False)  # not themselves: the coordinator manages principals


def test_the_password_sheet_prints_the_username_and_one_time_password() -> None:
    pdf = password_sheet_pdf(PasswordSheet("[가상] 시험중학교", "김민지", "kim.minji", "Ab3dEf6hIj9k", "https://safeclass.example.kr"))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert all(part in text for part in ("김민지", "kim.minji", "Ab3dEf6hIj9k", "임시 비밀번호", "https://safeclass.example.kr"))
