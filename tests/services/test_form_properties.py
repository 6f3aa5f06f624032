"""Property tests over every form's validation: whatever a browser sends, the service accepts it or refuses it
with its own error and a message in both languages — never another exception — and a refusal writes nothing
(a refused guess writes only its throttle count). Run on SQLite and PostgreSQL: PostgreSQL refuses what SQLite
stores (a NUL character, a string longer than its column), so a validator that lets those through fails there.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from safeclass import i18n
from safeclass.content.roster import RosterUnreadable, decode_roster, parse_roster
from safeclass.db.base import Base
from safeclass.db.engine import Database
from safeclass.db.models import Account, Certificate
from safeclass.domain import Level, Role
from safeclass.services import Refusal, ServiceError
from safeclass.services.accounts import begin_sign_in, change_password, check_password_policy, create_account, create_teacher
from safeclass.services.certificates import new_code, revoke_certificate, verify_certificate
from safeclass.services.classes import check_pin, class_for_staff, join_class, open_class
from safeclass.services.drills import join_drill
from safeclass.services.progress import attest_lesson
from safeclass.services.roster import apply_roster, scope_problems
from tests.factories import FAST_HASH, PASSWORD, make_account, make_class, make_site
from tests.security_tally import tally

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Anything a browser can send in a text field, including what PostgreSQL cannot store (NUL) and long strings.
TEXT = st.text(max_size=90) | st.text(alphabet=st.characters(codec="utf-8"), min_size=60, max_size=300)
SMALL_INTS = st.integers(-3, 70) | st.integers()
USERNAMES = st.from_regex(r"[a-z][a-z0-9._-]{2,20}", fullmatch=True)  # fresh valid usernames reach the other checks
NAMES = TEXT | st.sampled_from(["김선생", "김\x00선생", "가" * 101, " Lee  Min-ho "])
DATES = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))
_clients = itertools.count()
OUTCOME = "each accepted, or refused with the service's own message and nothing written"


def _client() -> str:
    """A fresh address per example, so each example reaches the validators instead of an exhausted throttle."""
    return f"10.9.{next(_clients) // 250}.{next(_clients) % 250}"


def _snapshot(db: Database, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    with db.reading() as session:
        return {
            table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name not in skip
        }


def _assert_message(exc: ServiceError) -> None:
    for lang in i18n.LANGUAGES:
        key = f"error.{exc.code}"
        assert key in i18n.all_keys(lang), f"{exc.code} has no {lang} message"
        assert i18n.translate(key, lang, **exc.params).strip()


def attempt(db: Database, form: str, action: Callable[[Any], object]) -> object | ServiceError:
    """Submit one form in one transaction as the page does; on a refusal, check its message and that nothing was written."""
    before = _snapshot(db)
    try:
        with db.transaction() as session:
            result = action(session)
    except ServiceError as exc:
        _assert_message(exc)
        # A refused guess still counts against its throttle (Refusal commits); nothing else may change.
        skip = frozenset({"throttle_event"}) if isinstance(exc, Refusal) else frozenset()
        assert _snapshot(db, skip) == {k: v for k, v in before.items() if k not in skip}, f"{form}: a refusal wrote something"
        tally(f"form inputs ({form}, property)", outcome=OUTCOME)
        return exc
    tally(f"form inputs ({form}, property)", outcome=OUTCOME)
    return result


@pytest.fixture
def school(database: Database) -> tuple[Database, dict[str, int], str]:
    """A site with a principal, a teacher and a class; another site's principal; a district coordinator."""
    with database.transaction() as s:
        site = make_site(s, code="M0001")
        other = make_site(s, code="G0001", district="Gangnam-gu")
        teacher = make_account(s, "kim", Role.TEACHER, site)
        ids = {
            "site": site.id,
            "principal": make_account(s, "park", Role.PRINCIPAL, site).id,
            "teacher": teacher.id,
            "other_principal": make_account(s, "choi", Role.PRINCIPAL, other).id,
            "admin": make_account(s, "root", Role.ADMIN).id,
            "mapo": make_account(s, "mapo", Role.COORDINATOR, district="Mapo-gu").id,
        }
        group = make_class(s, teacher)
        ids["class"] = group.id
        code = group.join_code
    return database, ids, code


def _get(session: Any, ids: dict[str, int], who: str) -> Account:
    return session.get(Account, ids[who])


# --- students ----------------------------------------------------------------------------------


@PROPERTY
@given(code=TEXT | st.just("REAL"), seat=SMALL_INTS, pin=TEXT | st.sampled_from(["1234", "2580", " 0000 "]))
def test_join_form(school, code: str, seat: int, pin: str) -> None:
    db, _, real = school
    code = real if code == "REAL" else code
    checked = attempt(db, "join", lambda s: check_pin(s, join_code=code, seat_number=seat, pin=pin))  # read-only, as the page
    if isinstance(checked, ServiceError):
        return
    attempt(db, "join", lambda s: join_class(s, join_code=code, seat_number=seat, pin=pin, client=_client(), checked=checked))


@PROPERTY
@given(code=TEXT)
def test_drill_code_form(school, code: str) -> None:
    db, ids, _ = school
    attempt(db, "drill code", lambda s: join_drill(s, code, _client()))
    attempt(db, "drill code", lambda s: join_drill(s, code, _client(), _get(s, ids, "teacher")))


# --- staff -------------------------------------------------------------------------------------


@PROPERTY
@given(username=TEXT | st.sampled_from(["park", " PARK ", "park\x00"]))
def test_sign_in_form(school, username: str) -> None:
    db, _, _ = school
    attempt(db, "sign-in", lambda s: begin_sign_in(s, username, _client()))


@PROPERTY
@given(
    label=TEXT | st.sampled_from(["2학년\x001반", "가" * 41, " 3학년  2반 "]),
    level=st.one_of(st.sampled_from(list(Level)), st.text(max_size=12)),  # pages send a Level; the service refuses the rest
    grade=st.none() | st.integers(0, 7) | SMALL_INTS,
    size=st.none() | st.integers(0, 61) | SMALL_INTS,
    expires=st.none() | DATES,
)
def test_class_creation_form(school, label: str, level: str, grade: int | None, size: int | None, expires: dt.date | None) -> None:
    db, ids, _ = school
    attempt(
        db,
        "class creation",
        lambda s: open_class(
            s,
            opened_by=_get(s, ids, "teacher"),
            campaign_id="test-campaign",
            label=label,
            level=level,
            grade=grade,
            expected_size=size,
            expires_on=expires,
        ),
    )


@PROPERTY
@given(username=TEXT | USERNAMES | st.sampled_from(["kim", "Lee-2"]), name=NAMES)
def test_staff_account_form(school, username: str, name: str) -> None:
    db, ids, _ = school
    attempt(db, "staff account", lambda s: create_teacher(s, _get(s, ids, "principal"), username=username, display_name=name))


@PROPERTY
@given(
    username=TEXT | USERNAMES,
    name=NAMES,
    role=st.sampled_from(list(Role)),
    site_code=st.none() | TEXT | st.just("M0001"),
    district=st.none() | TEXT | st.just("Mapo-gu"),
    password=st.none() | TEXT,
)
def test_admin_account_form(school, username: str, name: str, role: Role, site_code, district, password) -> None:
    db, ids, _ = school
    attempt(
        db,
        "staff account",
        lambda s: create_account(
            s,
            username=username,
            display_name=name,
            role=role,
            password=password,
            site_code=site_code,
            district=district,
            created_by=_get(s, ids, "admin"),
        ),
    )


@settings(max_examples=400, deadline=None)
@given(password=TEXT | st.text(alphabet="abc123!qwerty가", max_size=20), username=TEXT, name=TEXT)
def test_password_policy(password: str, username: str, name: str) -> None:
    try:
        check_password_policy(password, username=username, display_name=name)
    except ServiceError as exc:
        _assert_message(exc)
    tally("form inputs (password policy, property)", outcome=OUTCOME)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(current=st.just(PASSWORD) | TEXT, new=TEXT)
def test_password_change_form(school, current: str, new: str) -> None:
    db, ids, _ = school
    with db.transaction() as s:
        _get(s, ids, "teacher").password_hash = FAST_HASH  # every example starts from the known password
    attempt(db, "password change", lambda s: change_password(s, ids["teacher"], current=current, new=new))


@PROPERTY
@given(
    module=st.sampled_from(["test-lesson", "test-training"]),
    delivered=DATES | st.dates(dt.date(2025, 2, 20), dt.date(2026, 3, 5)),
    present=SMALL_INTS,
)
def test_attestation_form(school, fixture_catalog, test_campaign, module: str, delivered: dt.date, present: int) -> None:
    db, ids, _ = school
    attempt(
        db,
        "attestation",
        lambda s: attest_lesson(
            s,
            _get(s, ids, "teacher"),
            class_for_staff(s, _get(s, ids, "teacher"), ids["class"], "attest_lesson"),
            test_campaign,
            fixture_catalog.modules[module],
            delivered_on=delivered,
            students_present=present,
        ),
    )


# Roster files as uploaded: the header, then rows of cells mixing good values with anything.
CELLS = st.one_of(TEXT, st.sampled_from(["M0001", "M0009", "G0001", "[가상] 새학교", "Mapo-gu", "마포구", "Gangnam-gu", "middle", "300"]))
ROSTER = st.lists(st.lists(CELLS, min_size=5, max_size=5), max_size=5).map(
    lambda rows: "code,name,district,type,expected_students\n" + "\n".join(",".join(r) for r in rows) + "\n"
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16"])


@PROPERTY
@given(text=ROSTER, encoding=ENCODINGS, garbage=st.binary(max_size=40))
def test_roster_import_form(school, text: str, encoding: str, garbage: bytes) -> None:
    db, ids, _ = school
    data = text.encode(encoding, errors="replace") + garbage
    try:
        decoded, _ = decode_roster(data)
    except RosterUnreadable as exc:
        assert str(exc)
        tally("form inputs (roster import, property)", outcome=OUTCOME)
        return
    rows, problems = parse_roster(decoded)
    with db.reading() as s:
        problems = problems or scope_problems(_get(s, ids, "mapo"), rows)
    if problems:  # the page lists them and applies nothing
        assert all(p.line >= 0 and p.column and p.message for p in problems)
        tally("form inputs (roster import, property)", outcome=OUTCOME)
        return
    attempt(db, "roster import", lambda s: apply_roster(s, _get(s, ids, "mapo"), rows, "test-campaign", file_name="sites.csv"))


# --- the public verify page and revocation ------------------------------------------------------


@PROPERTY
@given(code=TEXT | st.just("REAL"), reason=TEXT)
def test_certificate_verification_and_revocation_forms(school, code: str, reason: str) -> None:
    db, ids, _ = school
    with db.transaction() as s:
        real = s.scalar(select(Certificate.code))
        if real is None:
            principal = _get(s, ids, "principal")
            real = new_code()
            s.add(
                Certificate(
                    code=real,
                    account_id=principal.id,
                    campaign_id="test-campaign",
                    site_id=ids["site"],
                    holder_name=principal.display_name,
                    site_name="[가상] 시험M0001",
                    site_code="M0001",
                    items=[],
                    content_version="0" * 64,
                    issued_on=dt.date(2025, 6, 1),
                    expires_on=dt.date(2026, 2, 28),
                )
            )
        s.execute(Certificate.__table__.update().values(revoked_at=None, revoked_by_id=None, revoked_reason=None))
    code = real if code == "REAL" else code
    attempt(db, "certificate code", lambda s: verify_certificate(s, code, client=_client()))
    attempt(db, "certificate code", lambda s: revoke_certificate(s, _get(s, ids, "admin"), code, reason=reason))
