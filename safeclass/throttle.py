"""Sliding-window limits on failed guesses (student PINs, class codes, certificate codes), stored in the database.

Every replica sees the same counts because they live in ``throttle_event``. The check and the record of a
failure happen in the caller's one transaction, serialised per key (SQLite's write lock; a PostgreSQL
advisory lock), so parallel guesses are counted one by one. Limits only ever delay: once the oldest
failure in a window ages out, the key may try again, so nobody is locked out for good.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import zlib
from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, delete, func, select, text
from sqlalchemy.orm import Session

from safeclass import clock
from safeclass.db.models import ThrottleEvent
from safeclass.services import ServiceError


@dataclass(frozen=True)
class Limit:
    """At most ``failures`` failures within any ``window``."""

    failures: int
    window: dt.timedelta


MINUTE = dt.timedelta(minutes=1)

# Tiers give growing delays: a few mistakes cost a short wait, sustained guessing a longer one.
LIMITS: dict[str, tuple[Limit, ...]] = {
    # One seat's PIN: 10,000 possible PINs at ≤10 guesses an hour is ~500 hours per seat on average.
    "seat_pin": (Limit(5, 5 * MINUTE), Limit(10, 60 * MINUTE)),
    # Wrong PINs from one address across seats (sweeping '1234' over a class). A school shares one
    # address behind its router, so this is generous enough for a whole school's typing mistakes.
    "pin_address": (Limit(30, 10 * MINUTE), Limit(100, 60 * MINUTE)),
    # Unknown class codes from one address: 31^6 codes cannot be swept at 300 an hour; a class that
    # mistypes the code on the board still gets in.
    "join_code": (Limit(30, MINUTE), Limit(300, 60 * MINUTE)),
    # Unknown drill codes from one address: a staff room mistyping the projected code gets in; sweeping 31^6
    # codes does not.
    "drill_code": (Limit(20, MINUTE), Limit(200, 60 * MINUTE)),
    # Staff sign-in. One username from one address: a few typos, then growing waits.
    "signin_pair": (Limit(5, 15 * MINUTE), Limit(20, 24 * 60 * MINUTE)),
    # One address across usernames (password spraying); a school's staff share an address.
    "signin_address": (Limit(30, 15 * MINUTE), Limit(200, 24 * 60 * MINUTE)),
    # One username across the addresses that already failed for it (a spread-out attack); an address with
    # no failure for this username is not held by this limit, so the owner is never locked out by others.
    "signin_user": (Limit(20, 15 * MINUTE),),
    # Unknown certificate codes from one address on the public verify page: 2^80 codes cannot be guessed
    # anyway; this stops a script hammering the page, while a person mistyping a code waits a minute.
    "verify": (Limit(10, MINUTE), Limit(60, 60 * MINUTE)),
}


class Throttled(ServiceError):
    """Too many recent failures for this key; ``minutes`` says when to try again."""

    def __init__(self, scope: str, wait: dt.timedelta) -> None:
        super().__init__("throttled", minutes=max(1, math.ceil(wait.total_seconds() / 60)))
        self.scope = scope
        self.wait = wait


def _lock(session: Session, scope: str, key: str) -> None:
    # SQLite writers already hold the database's write lock (BEGIN IMMEDIATE); PostgreSQL needs a lock
    # per key so two parallel guesses cannot both read "4 failures" and both be let through.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(f"{scope}\0{key}".encode())})


MAX_KEY = 200  # the column's length


def stored_key(key: str) -> str:
    """``key`` as stored: one PostgreSQL could not hold (longer than the column, or with a NUL) is kept as its hash.

    Keys are typed usernames and client addresses, so anything can arrive; hashing keeps distinct keys apart.
    """
    if len(key) <= MAX_KEY and "\x00" not in key:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def wait_time(session: Session, scope: str, key: str) -> dt.timedelta | None:
    """How long ``key`` must wait before its next try in ``scope``, or None if it may try now."""
    key = stored_key(key)
    _lock(session, scope, key)
    now = clock.now()
    limits = LIMITS[scope]
    # One read for every tier: the latest failures within the longest window. A tier's own failures (its
    # window's, latest first, at most its count) are a prefix of these.
    oldest = now - max(limit.window for limit in limits)
    latest = list(session.scalars(_RECENT, {"scope": scope, "key": key, "since": oldest, "most": max(limit.failures for limit in limits)}))
    longest: dt.timedelta | None = None
    for limit in limits:
        recent = [at for at in latest if at > now - limit.window][: limit.failures]
        if len(recent) >= limit.failures:
            wait = recent[-1] + limit.window - now
            longest = wait if longest is None else max(longest, wait)
    return longest


# Built once: reused on every join and sign-in, its compiled SQL stays cached with it.
_RECENT = (
    select(ThrottleEvent.at)
    .where(
        ThrottleEvent.scope == bindparam("scope"),
        ThrottleEvent.key == bindparam("key"),
        ThrottleEvent.at > bindparam("since", type_=ThrottleEvent.__table__.c.at.type),
    )
    .order_by(ThrottleEvent.at.desc())
    .limit(bindparam("most", type_=Integer))
)


def check(session: Session, scope: str, key: str) -> None:
    """Raise Throttled if ``key`` has used up a limit of ``scope``."""
    wait = wait_time(session, scope, key)
    if wait is not None:
        raise Throttled(scope, wait)


def record_failure(session: Session, scope: str, key: str) -> int:
    """Count one failure for ``key`` (returns its id), and forget its failures older than the longest window."""
    key = stored_key(key)
    now = clock.now()
    oldest_kept = now - max(limit.window for limit in LIMITS[scope])
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.scope == scope, ThrottleEvent.key == key, ThrottleEvent.at <= oldest_kept))
    event = ThrottleEvent(scope=scope, key=key, at=now)
    session.add(event)
    session.flush()
    return event.id


def forget(session: Session, event_ids: tuple[int, ...]) -> None:
    """Take back failures counted in advance (a sign-in that turned out right)."""
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.id.in_(event_ids)))


def clear_prefix(session: Session, scope: str, prefix: str) -> int:
    """Forget every failure in ``scope`` whose key starts with ``prefix``; returns how many."""
    like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    result = session.execute(delete(ThrottleEvent).where(ThrottleEvent.scope == scope, ThrottleEvent.key.like(like, escape="\\")))
    return result.rowcount or 0


def clear(session: Session, scope: str, key: str) -> None:
    """Forget every failure of ``key`` (its owner proved who they are)."""
    key = stored_key(key)
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.scope == scope, ThrottleEvent.key == key))


def failures(session: Session, scope: str, key: str) -> int:
    """Failures of ``key`` still on record (for tests and admins)."""
    key = stored_key(key)
    query = select(func.count()).select_from(ThrottleEvent).where(ThrottleEvent.scope == scope, ThrottleEvent.key == key)
    return session.scalar(query) or 0
