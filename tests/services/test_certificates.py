"""Certificates: certified per campaign (one rule), issued once, verified by code with a throttle, revoked with an audit log."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from safeclass import clock, config, throttle
from safeclass.db.models import AuditLog, Certificate, SiteRollup
from safeclass.documents import CertificateSheet, certificate_pdf, group_code
from safeclass.domain import Role
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.certificates import (
    CODE,
    Status,
    is_certified,
    issue_certificate,
    new_code,
    normalize_code,
    revoke_certificate,
    verify_certificate,
)
from safeclass.services.progress import record_module_progress
from safeclass.services.quizzes import quiz_status
from tests.factories import make_account, make_site
from tests.services.test_progress import take_quiz

IN_CAMPAIGN = dt.datetime(2025, 5, 2, 3, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _during_the_campaign():
    with clock.frozen_at(IN_CAMPAIGN):
        yield


@pytest.fixture
def next_campaign(test_campaign):
    """The same audiences a year later: what a principal did in test-campaign must not count here."""
    period = test_campaign.period.model_copy(update={"start": dt.date(2026, 3, 1), "end": dt.date(2027, 2, 28)})
    return test_campaign.model_copy(update={"id": "test-campaign-2026", "period": period})


def certify(database, principal, campaign, catalog) -> None:
    """Complete the principal training and pass the certification quiz in ``campaign`` (the player is not under test)."""
    with database.transaction() as s:
        record_module_progress(s, principal, campaign, catalog.modules["test-training"], sections_done=1, completed=True)
    take_quiz(database, principal, campaign, catalog.quizzes["test-certification"], {"report": False})


@pytest.fixture
def principal(database):
    with database.transaction() as s:
        site = make_site(s)
        park = make_account(s, "park", Role.PRINCIPAL, site)
        park.display_name = "박지민"
    return park


def test_certified_means_this_campaign_only(database, principal, fixture_catalog, test_campaign, next_campaign) -> None:
    with database.reading() as s:
        assert not is_certified(s, principal, test_campaign)
    certify(database, principal, test_campaign, fixture_catalog)
    quiz = fixture_catalog.quizzes["test-certification"]
    with database.reading() as s:
        assert is_certified(s, principal, test_campaign)
        assert not is_certified(s, principal, next_campaign)  # a pass last year is not a pass this year
        status = quiz_status(s, principal, next_campaign, quiz)
        assert (status.passed, status.attempts_used, status.unlocked) == (False, 0, False)
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        issue_certificate(s, principal, next_campaign)
    assert refused.value.code == "not_certified"


def test_a_teacher_who_completed_everything_is_not_a_certified_principal(database, fixture_catalog, test_campaign) -> None:
    with database.transaction() as s:
        teacher = make_account(s, "kim", Role.TEACHER, make_site(s))
        record_module_progress(s, teacher, test_campaign, fixture_catalog.modules["test-training"], sections_done=1, completed=True)
    with database.reading() as s:
        assert not is_certified(s, teacher, test_campaign)


def test_issued_once_with_a_long_random_code_and_the_campaign_end_as_expiry(database, principal, fixture_catalog, test_campaign) -> None:
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        issue_certificate(s, principal, test_campaign)
    assert refused.value.code == "not_certified"
    certify(database, principal, test_campaign, fixture_catalog)
    with database.transaction() as s:
        first = issue_certificate(s, principal, test_campaign)
        code = first.code
    with database.transaction() as s:
        again = issue_certificate(s, principal, test_campaign)  # the page opened again, or in a second tab
    assert again.code == code and CODE.match(code) and len(code) * 5 >= 64
    assert first.expires_on == test_campaign.period.end and first.issued_on == dt.date(2025, 5, 2)
    assert first.holder_name == "박지민" and [i["id"] for i in first.items] == ["test-training", "test-certification"]
    assert first.items[0]["hash"] == fixture_catalog.modules["test-training"].content_hash
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(Certificate)) == 1
        assert s.scalar(select(SiteRollup.principals_certified)) == 1
    assert len({new_code() for _ in range(1000)}) == 1000


def test_verify_shows_valid_expired_and_revoked(database, principal, fixture_catalog, test_campaign) -> None:
    certify(database, principal, test_campaign, fixture_catalog)
    with database.transaction() as s:
        code = issue_certificate(s, principal, test_campaign).code
        coordinator = make_account(s, "coord", Role.COORDINATOR, district="Mapo-gu")
        elsewhere = make_account(s, "gangnam", Role.COORDINATOR, district="Gangnam-gu")
    with database.transaction() as s:
        view = verify_certificate(s, group_code(code).lower(), client="10.0.0.1")  # typed from paper, dashes and all
    assert view.status == Status.VALID and view.holder_name == "박지민" and view.site_code == "M0001"
    with clock.frozen_at(dt.datetime(2026, 3, 1, 3, tzinfo=dt.UTC)), database.transaction() as s:
        assert verify_certificate(s, code).status == Status.EXPIRED
    with database.transaction() as s, pytest.raises(NotAllowed):
        revoke_certificate(s, elsewhere, code, reason="wrong district")
    with database.transaction() as s, pytest.raises(NotAllowed):
        revoke_certificate(s, principal, code, reason="self")
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        revoke_certificate(s, coordinator, code, reason="   ")
    assert refused.value.code == "revoke_reason_length"
    with database.transaction() as s:
        revoke_certificate(s, coordinator, code, reason="발급 오류")
    with database.transaction() as s:
        revoke_certificate(s, coordinator, code, reason="again")  # a second click logs nothing more
        view = verify_certificate(s, code)
        assert view.status == Status.REVOKED and view.revoked_reason == "발급 오류" and view.revoked_on == dt.date(2025, 5, 2)
        logged = list(s.scalars(select(AuditLog).where(AuditLog.action == "certificate.revoke")))
    assert len(logged) == 1 and logged[0].actor_id == coordinator.id and logged[0].detail["reason"] == "발급 오류"
    with database.transaction() as s:
        assert issue_certificate(s, principal, test_campaign).revoked_at is not None  # a revocation is never re-issued away


def test_unknown_codes_are_throttled_per_address(database, principal, fixture_catalog, test_campaign) -> None:
    certify(database, principal, test_campaign, fixture_catalog)
    with database.transaction() as s:
        code = issue_certificate(s, principal, test_campaign).code
    limit = throttle.LIMITS["verify"][0].failures
    for _ in range(limit):
        with pytest.raises(ServiceError) as refused, database.transaction() as s:
            verify_certificate(s, "AAAAAAAAAAAAAAAA", client="203.0.113.9")
        assert refused.value.code == "certificate_not_found"
    with pytest.raises(throttle.Throttled), database.transaction() as s:
        verify_certificate(s, code, client="203.0.113.9")  # even a real code waits once the address is over its limit
    with database.transaction() as s:
        assert verify_certificate(s, code, client="198.51.100.7").status == Status.VALID  # other addresses are unaffected
    with clock.frozen_at(IN_CAMPAIGN + dt.timedelta(minutes=2)), database.transaction() as s:
        assert verify_certificate(s, code, client="203.0.113.9").status == Status.VALID  # the window passed


def test_normalize_code() -> None:
    assert normalize_code(" abcd-efgh ijkl-mnop ") == "ABCDEFGHIJKLMNOP"


def _sheet(code: str, verify_url: str) -> CertificateSheet:
    """A certificate of a Korean-named principal, with this code and verification address."""
    return CertificateSheet(
        holder_name="박지민",
        site_name="[가상] 시험중학교",
        site_code="M0001",
        campaign_title_ko="시험 캠페인",
        campaign_title_en="Test campaign",
        issued_on=dt.date(2025, 5, 2),
        expires_on=dt.date(2026, 2, 28),
        code=code,
        verify_url=verify_url,
        modules=2,
        content_version="0123456789ab",
    )


def test_the_pdf_embeds_its_font_and_holds_the_korean_name_and_code(tmp_path) -> None:
    sheet = _sheet("ABCDEFGHIJKLMNOP", config.verify_url("ABCDEFGHIJKLMNOP"))
    reader = PdfReader(io.BytesIO(certificate_pdf(sheet)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("박지민", "[가상] 시험중학교 (M0001)", "시험 캠페인", "ABCD-EFGH-IJKL-MNOP", "2026. 2. 28.", "학교장"):
        assert expected in text, expected
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts and all("NanumSquare" in f["/BaseFont"] for f in fonts)
    descriptors = [f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object() for f in fonts]
    assert all("/FontFile2" in d for d in descriptors)  # embedded, not borrowed from the reader's system


@pytest.mark.parametrize(
    "base",
    ["http://localhost:8617", "http://localhost:8501", "https://safeclass.example.seoul.kr", "https://a-much-longer-host.example.org"],
)
def test_the_printed_verify_address_is_never_split_inside_the_code(base) -> None:
    url = f"{base}/verify?code=FOT6WNQXQDBVV6KF"
    sheet = _sheet("FOT6WNQXQDBVV6KF", url)
    lines = PdfReader(io.BytesIO(certificate_pdf(sheet))).pages[0].extract_text().splitlines()
    # On one line, or (a very long address) broken only before its "?code=", never inside the code.
    assert url in lines or (f"{base}/verify" in lines and "?code=FOT6WNQXQDBVV6KF" in lines), [line for line in lines if "code" in line]
