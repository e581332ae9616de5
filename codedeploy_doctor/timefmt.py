"""Timestamps as snapshots hold them (ISO-8601 strings), parsed the same on Python 3.10+."""

from __future__ import annotations

import datetime as dt
import re

_FRACTION = re.compile(r"\.(\d+)")


def parse_time(value: object) -> dt.datetime | None:
    """Parse an ISO-8601 string (any fraction length, ``Z`` or an offset) or epoch seconds; None if not a time."""
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
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def format_time(value: object) -> str | None:
    """A snapshot time as the report gives it: ISO-8601 UTC ending in ``Z``, or None if it is no time."""
    moment = parse_time(value)
    if moment is None:
        return None
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def format_utc(moment: dt.datetime) -> str:
    """A computed time to the second, as snapshots store them: ``2026-11-29T10:00:00Z``."""
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
