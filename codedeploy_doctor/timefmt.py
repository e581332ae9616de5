"""Timestamps as snapshots hold them (ISO-8601 strings), parsed the same on Python 3.10+, and safe arithmetic on them.

A snapshot may hold any well-typed time, from year 1 to year 9999, and any number of minutes:
every parsed time is in UTC, and :func:`shift` and :func:`minutes` saturate at the ends of the
calendar instead of raising ``OverflowError``, so an odd time never costs the report.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Final

_FRACTION = re.compile(r"\.(\d+)")

EARLIEST: Final = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
"""The earliest time Python can hold (year 1), in UTC."""

LATEST: Final = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
"""The latest time Python can hold (year 9999), in UTC."""


def parse_time(value: object) -> dt.datetime | None:
    """Parse an ISO-8601 string (any fraction length, ``Z`` or an offset) or epoch seconds, in UTC; None if not a time."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
        except (OverflowError, OSError, ValueError):  # an epoch no clock can hold: not a time
            return None
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Python 3.10's fromisoformat takes only 3 or 6 fraction digits: normalise to 6.
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    try:
        moment = dt.datetime.fromisoformat(text)
        # 0001-01-01T00:00+05:00 is before the earliest UTC time Python can hold: not a time.
        return moment.astimezone(dt.timezone.utc) if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    except (ValueError, OverflowError):
        return None


def shift(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Return ``moment + delta``, or the end of the calendar it would pass (never ``OverflowError``)."""
    try:
        return moment + delta
    except OverflowError:
        return LATEST if delta > dt.timedelta(0) else EARLIEST


def minutes(value: object) -> dt.timedelta | None:
    """A JSON number of minutes as a duration (capped at the longest one Python holds); None if it is no number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    try:
        return dt.timedelta(minutes=float(value))
    except OverflowError:
        return dt.timedelta.max if value > 0 else dt.timedelta.min


def format_time(value: object) -> str | None:
    """A snapshot time as the report gives it: ISO-8601 UTC ending in ``Z``, or None if it is no time."""
    moment = parse_time(value)
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def format_utc(moment: dt.datetime) -> str:
    """A computed time to the second, as snapshots store them: ``2026-11-29T10:00:00Z``."""
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
