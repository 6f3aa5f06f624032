"""Today's date and time for the whole app, in one place so tests can set it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware UTC (the frozen time inside ``frozen_at``)."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in Seoul, where the campaign's dates are written."""
    return now().astimezone(SEOUL).date()


SEOUL = dt.timezone(dt.timedelta(hours=9), "KST")


@contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Make ``now()`` return ``moment`` inside the block (tests move time forward by nesting or re-entering)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs a timezone-aware time")
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
