"""Opening classes, joining with a code, a seat and the seat's own PIN, and the throttles on guessing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from safeclass import clock, throttle
from safeclass.db.models import Learner, SiteRollup
from safeclass.domain import Level, Role
from safeclass.services import NotAllowed, ServiceError
from safeclass.services.classes import JOIN_CODE_ALPHABET, _insert_seat, check_pin, join_class, open_class, resume_seat, seat_token
from tests.factories import make_account, make_class, make_learners, make_site
from tests.security_tally import tally

GUESSES_REFUSED = "all refused (a wrong guess, or throttled before it was checked)"

KEY = "test-key-" + "k" * 24


def test_open_class_gives_a_readable_code_at_the_teachers_site(database) -> None:
    with database.transaction() as s:
        site = make_site(s)
        teacher = make_account(s, "kim", Role.TEACHER, site)
        group = make_class(s, teacher)
        assert len(group.join_code) == 6 and set(group.join_code) <= set(JOIN_CODE_ALPHABET)
        assert group.site_id == site.id and group.level == "middle"


def test_only_site_staff_open_classes(database) -> None:
    with database.transaction() as s:
        coordinator = make_account(s, "coord", Role.COORDINATOR)
        with pytest.raises(NotAllowed):
            open_class(s, opened_by=coordinator, campaign_id="test-campaign", label="1반", level=Level.MIDDLE, grade=None)


def test_join_is_case_and_space_insensitive_and_counts_once(database) -> None:
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)))
        code = group.join_code
    with database.transaction() as s:
        first = join_class(s, join_code=f" {code[:3].lower()}-{code[3:]} ", seat_number=7, pin="4821")
    with database.transaction() as s:
        again = join_class(s, join_code=code, seat_number=7, pin="4821")
    assert first.id == again.id
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(Learner)) == 1
        assert s.scalar(select(SiteRollup.learners_joined)) == 1


def test_a_seat_opens_only_with_the_pin_its_owner_chose(database) -> None:
    with database.transaction() as s:
        code = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))).join_code
        join_class(s, join_code=code, seat_number=3, pin="4821")
    for guess in ("0000", "", None):
        with database.transaction() as s, pytest.raises(ServiceError) as refused:
            join_class(s, join_code=code, seat_number=3, pin=guess)
        assert refused.value.code in ("seat_pin_mismatch", "pin_format")
    with database.transaction() as s:
        assert join_class(s, join_code=code, seat_number=3, pin="4821").seat_number == 3


def test_a_wrong_pin_is_counted_even_though_the_join_fails(database) -> None:
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)))
        join_class(s, join_code=group.join_code, seat_number=3, pin="4821")
    with pytest.raises(ServiceError), database.transaction() as s:
        join_class(s, join_code=group.join_code, seat_number=3, pin="1111", client="10.1.2.3")
    with database.reading() as s:  # committed although the action was refused
        assert throttle.failures(s, "seat_pin", f"{group.id}:3") == 1
        assert throttle.failures(s, "pin_address", "10.1.2.3") == 1


def _guess(database, code: str, seat: int, pin: str, client: str) -> str:
    try:
        with database.transaction() as s:
            join_class(s, join_code=code, seat_number=seat, pin=pin, client=client)
    except ServiceError as exc:
        return exc.code
    return "ok"


def test_pin_guessing_is_throttled_per_seat_then_the_owner_gets_back_in(database) -> None:
    start = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    with database.transaction() as s:
        code = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))).join_code
    with clock.frozen_at(start):
        assert _guess(database, code, 3, "4821", "owner") == "ok"
    tried = 0
    outcomes = []
    with clock.frozen_at(start + dt.timedelta(seconds=10)):
        for n in range(8):
            outcomes.append(_guess(database, code, 3, f"{n:04d}", f"attacker-{n}"))  # a new address each time
            tried += 1
    assert outcomes == ["seat_pin_mismatch"] * 5 + ["throttled"] * 3, outcomes
    with clock.frozen_at(start + dt.timedelta(seconds=20)):
        assert _guess(database, code, 3, "4821", "owner") == "throttled"  # even the right PIN waits: no oracle
        with database.transaction() as s, pytest.raises(throttle.Throttled) as wait:
            join_class(s, join_code=code, seat_number=3, pin="4821", client="owner")
        assert wait.value.params["minutes"] == 5
    with clock.frozen_at(start + dt.timedelta(minutes=6)):  # the window has passed: never a permanent lock
        assert _guess(database, code, 3, "4821", "owner") == "ok"
    tally("seat PIN guesses at one seat", tried, outcome=GUESSES_REFUSED)


def test_parallel_pin_guesses_at_one_seat_are_counted_one_by_one(database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    start = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)))
        make_learners(s, group, 1)  # seat 1, PIN 2580
    limit = throttle.LIMITS["seat_pin"][0].failures
    with clock.frozen_at(start), ThreadPoolExecutor(max_workers=12) as pool:
        # Thirty wrong PINs at once, each from its own address: only the seat's limit can stop them.
        outcomes = list(pool.map(lambda n: _guess(database, group.join_code, 1, f"{n + 3000:04d}", f"10.8.0.{n}"), range(30)))
    assert outcomes.count("seat_pin_mismatch") == limit and outcomes.count("throttled") == 30 - limit, outcomes
    with database.reading() as s:
        assert throttle.failures(s, "seat_pin", f"{group.id}:1") == limit  # counted one by one, none lost to a race
    tally("parallel seat PIN guesses", len(outcomes), outcome=GUESSES_REFUSED)


def test_pin_guessing_across_seats_is_throttled_per_address(database) -> None:
    start = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)))
        make_learners(s, group, 40)
    limit = throttle.LIMITS["pin_address"][0].failures
    with clock.frozen_at(start):
        outcomes = [_guess(database, group.join_code, seat, "1234", "203.0.113.9") for seat in range(1, 36)]
        assert outcomes[:limit] == ["seat_pin_mismatch"] * limit and set(outcomes[limit:]) == {"throttled"}
        assert _guess(database, group.join_code, 36, "2580", "198.51.100.1") == "ok"  # another address is not held up
    tally("seat PIN guesses across seats from one address", len(outcomes), outcome=GUESSES_REFUSED)


def test_unknown_class_codes_are_throttled_per_address(database) -> None:
    start = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    with database.transaction() as s:
        real = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))).join_code
    limit = throttle.LIMITS["join_code"][0].failures
    with clock.frozen_at(start):
        outcomes = [_guess(database, f"ZZZ{n:03d}", 1, "1234", "203.0.113.9") for n in range(limit + 5)]
        assert outcomes == ["class_not_found"] * limit + ["throttled"] * 5
        tally("class code guesses from one address", len(outcomes), outcome=GUESSES_REFUSED)
        assert _guess(database, real, 1, "1234", "203.0.113.9") == "throttled"
        assert _guess(database, real, 1, "1234", "198.51.100.1") == "ok"
    with clock.frozen_at(start + dt.timedelta(minutes=2)):
        assert _guess(database, real, 2, "1234", "203.0.113.9") == "ok"
    with database.reading() as s:  # rows older than the longest window are pruned as new ones come
        assert throttle.failures(s, "join_code", "203.0.113.9") == limit


def test_a_browser_token_opens_its_seat_until_the_pin_is_reset(database) -> None:
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)))
        learner = join_class(s, join_code=group.join_code, seat_number=5, pin="4821")
        token = seat_token(learner, KEY)
    with database.reading() as s:
        assert resume_seat(s, token, KEY).id == learner.id
        assert resume_seat(s, token, "another-key-" + "x" * 20) is None
        forged = f"{learner.id + 1}.{token.partition('.')[2]}"
        assert resume_seat(s, forged, KEY) is None
        assert resume_seat(s, "not a token", KEY) is None
    with database.transaction() as s:
        s.get(Learner, learner.id).pin_hash = None  # what a teacher's "reset PIN" does
    with database.reading() as s:
        assert resume_seat(s, token, KEY) is None


@pytest.mark.parametrize(
    ("code", "seat", "pin", "error"),
    [
        ("NOPE99", 1, "1234", "class_not_found"),
        (None, 0, "1234", "seat_out_of_range"),
        (None, 61, "1234", "seat_out_of_range"),
        (None, 2, "12a4", "pin_format"),
        (None, 2, None, "pin_format"),
        (None, 2, "12345", "pin_format"),
    ],
)
def test_bad_join_input_is_refused_with_its_reason(database, code, seat, pin, error) -> None:
    with database.transaction() as s:
        real = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))).join_code
    with database.transaction() as s, pytest.raises(ServiceError) as refused:
        join_class(s, join_code=code or real, seat_number=seat, pin=pin)
    assert refused.value.code == error
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(Learner)) == 0


def test_a_pin_checked_before_the_transaction_is_trusted_only_while_the_seat_is_unchanged(database) -> None:
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)))
        join_class(s, join_code=group.join_code, seat_number=3, pin="4821")
    with database.reading() as s:
        right = check_pin(s, join_code=group.join_code, seat_number=3, pin="4821")
        wrong = check_pin(s, join_code=group.join_code, seat_number=3, pin="0000")
    assert right.matches and not wrong.matches
    with database.transaction() as s:
        assert join_class(s, join_code=group.join_code, seat_number=3, pin="4821", checked=right).seat_number == 3
    with pytest.raises(ServiceError) as refused, database.transaction() as s:
        join_class(s, join_code=group.join_code, seat_number=3, pin="0000", checked=wrong)
    assert refused.value.code == "seat_pin_mismatch"
    # A check made before the PIN changed proves nothing: the seat's new PIN is checked again inside.
    with database.transaction() as s:
        s.scalar(select(Learner).where(Learner.seat_number == 3)).pin_hash = None  # a teacher's reset...
    with database.transaction() as s:
        join_class(s, join_code=group.join_code, seat_number=3, pin="1111")  # ...and a new owner's PIN
    with pytest.raises(ServiceError), database.transaction() as s:
        join_class(s, join_code=group.join_code, seat_number=3, pin="4821", checked=right)


def test_a_seat_inserted_twice_returns_the_first_instead_of_a_database_error(database) -> None:
    # Two students taking one new seat at the same moment: on PostgreSQL both can find it empty, and the
    # second insert hits the unique constraint. That must become "the seat is taken", not an error page.
    with database.transaction() as s:
        group = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s)))
        join_class(s, join_code=group.join_code, seat_number=9, pin="2222")
    with database.transaction() as s:
        late = Learner(class_group_id=group.id, seat_number=9, pin_hash="x")
        first = _insert_seat(s, late, group.id, 9)
        assert first is not None and first.pin_hash != "x"
        s.execute(select(func.count()).select_from(Learner))  # the transaction is still usable
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(Learner)) == 1


def test_sixteen_students_joining_and_learning_at_once_never_hit_a_locked_database(database, fixture_catalog, test_campaign) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from safeclass.services.progress import record_module_progress

    with database.transaction() as s:
        code = make_class(s, make_account(s, "kim", Role.TEACHER, make_site(s))).join_code
    lesson = fixture_catalog.modules["test-lesson"]

    def student(seat: int) -> str:
        try:
            with database.reading() as s:  # the slow PIN check, outside the write lock
                checked = check_pin(s, join_code=code, seat_number=seat, pin="1357")
            with database.transaction() as s:
                learner = join_class(s, join_code=code, seat_number=seat, pin="1357", client=f"10.0.0.{seat}", checked=checked)
            for step in range(1, 7):
                with database.transaction() as s:
                    record_module_progress(s, learner, test_campaign, lesson, sections_done=step, completed=step == 6, position=step - 1)
        except Exception as exc:  # any error at all is what this test is about
            return f"{type(exc).__name__}: {exc}"
        return "ok"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(student, range(1, 17)))
    assert outcomes == ["ok"] * 16, [o for o in outcomes if o != "ok"]
    with database.reading() as s:
        assert s.scalar(select(SiteRollup.learners_joined)) == 16
        assert s.scalar(select(SiteRollup.module_completions)) == 16
    print(f"16 concurrent students: {16 * 7} write transactions, no 'database is locked'")
