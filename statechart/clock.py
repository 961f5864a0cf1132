"""Japan-time helpers: instants, Japan dates, expiry and the renewal window (ASM-008, ASM-009)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone
from typing import Final

__all__ = [
    "CLOCK_END",
    "CLOCK_RANGE",
    "CLOCK_START",
    "FIRST_DATE",
    "JST",
    "LAST_DATE",
    "as_jst",
    "days_remaining",
    "device_time",
    "format_date",
    "in_clock_range",
    "in_date_range",
    "in_renewal_window",
    "is_expired",
    "jst_date",
    "parse_date",
    "parse_instant",
    "shifted",
]

# Japan has kept UTC+9 without daylight saving since 1951, so a fixed offset is exact for
# every date the app meets and needs no tz database on the machine running the spec.
JST: Final = timezone(timedelta(hours=9), "JST")

# The virtual clock's range, true time and device time alike. TOTP counts 60-second steps
# from 1970-01-01T00:00:00Z, and the server looks up to an hour (the correction limit,
# ASM-016) and one step before the time it checks, so the range starts a year later. A
# token's dates reach up to 730 days past its issue day (a renewal 545), and Python's
# calendar ends with 9999-12-31, so the range ends a century early. Both ends are round
# so that a schema pattern on the year can state them.
CLOCK_START: Final = datetime(1971, 1, 1, tzinfo=JST)
CLOCK_END: Final = datetime(9900, 1, 1, tzinfo=JST)
"""The first instant the virtual clock may show, and the first it may not."""
FIRST_DATE: Final = CLOCK_START.date()
LAST_DATE: Final = CLOCK_END.date() - timedelta(days=1)
"""The first and the last date a fixture may give a token."""
CLOCK_RANGE: Final = (
    "from 1971-01-01T00:00:00+09:00 up to, not including, 9900-01-01T00:00:00+09:00"
)

# fromisoformat alone would also take a bare date or week dates; the app's instants need a
# calendar date and a time of day.
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# timedelta holds up to 999,999,999 days; anything near that is far outside the range.
_MAX_SHIFT_SECONDS: Final = 10**14


def as_jst(at: datetime) -> datetime:
    """Returns `at` in Japan time; a naive time is read as Japan time."""
    if at.tzinfo is None or at.utcoffset() is None:
        return at.replace(tzinfo=JST)
    return at.astimezone(JST)


def parse_instant(text: str) -> datetime:
    """Parses an ISO 8601 date and time; without an offset it is read as Japan time.

    Args:
        text: For example `2026-04-01T09:00:00+09:00`, `2026-04-01T00:00:00Z` or
            `2026-04-01 09:00` (Japan time).

    Returns:
        A timezone-aware datetime (its own offset kept; naive input gets JST).

    Raises:
        ValueError: The text is not a date with a time of day in ISO 8601 form.
    """
    if not _INSTANT.fullmatch(text):
        raise ValueError(f"not an ISO 8601 date and time (YYYY-MM-DDTHH:MM[:SS][+HH:MM]): {text!r}")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a valid ISO 8601 date and time: {text!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=JST)


def parse_date(text: str) -> date:
    """Parses a calendar date written `YYYY-MM-DD`.

    Raises:
        ValueError: The text is not a valid `YYYY-MM-DD` date.
    """
    if not _DATE.fullmatch(text):
        raise ValueError(f"not a date YYYY-MM-DD: {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a valid date: {text!r}") from None


def jst_date(at: datetime) -> date:
    """Returns the calendar date in Japan at the instant `at` (naive: Japan time)."""
    return as_jst(at).date()


def device_time(now: datetime, skew_seconds: int) -> datetime:
    """Returns what the device clock reads at true time `now` (skew = device − true, ASM-009)."""
    return now + timedelta(seconds=skew_seconds)


def format_date(d: date) -> str:
    """Formats a date as the app shows it, `YYYY/MM/DD` (4.2)."""
    # strftime("%Y") does not zero-pad years below 1000 on every platform.
    return f"{d.year:04d}/{d.month:02d}/{d.day:02d}"


def days_remaining(expiry: date, today: date) -> int:
    """Days from `today` to the last valid day `expiry`; 0 on that day, negative after."""
    return (expiry - today).days


def in_renewal_window(expiry: date, today: date, window_days: int) -> bool:
    """Whether the renewal prompt applies: 0 <= days remaining <= window_days (ASM-008)."""
    return 0 <= days_remaining(expiry, today) <= window_days


def is_expired(expiry: date, today: date) -> bool:
    """Whether the token has expired: from the day after its expiry date (ASM-008)."""
    return today > expiry


def shifted(at: datetime, seconds: float) -> datetime | None:
    """Returns `at` moved by `seconds`, or None when Python's calendar cannot hold it."""
    if not math.isfinite(seconds) or abs(seconds) > _MAX_SHIFT_SECONDS:
        return None
    try:
        return at + timedelta(seconds=seconds)
    except OverflowError:
        return None


def in_clock_range(at: datetime) -> bool:
    """Whether the virtual clock may show `at` (naive: Japan time): START <= at < END."""
    # Comparing aware times is exact; converting one near year 1 or 9999 could overflow.
    aware = at.replace(tzinfo=JST) if at.tzinfo is None or at.utcoffset() is None else at
    return CLOCK_START <= aware < CLOCK_END


def in_date_range(day: date) -> bool:
    """Whether a fixture may give a token the date `day`: FIRST_DATE <= day <= LAST_DATE."""
    return FIRST_DATE <= day <= LAST_DATE
