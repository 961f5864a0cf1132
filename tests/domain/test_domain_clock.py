"""Japan-time helpers: parsing, Japan dates, expiry and the renewal window (ASM-008, ASM-009)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statechart.clock import (
    JST,
    as_jst,
    days_remaining,
    device_time,
    format_date,
    in_renewal_window,
    is_expired,
    jst_date,
    parse_date,
    parse_instant,
)


class TestParseInstant:
    def test_keeps_an_explicit_offset(self) -> None:
        at = parse_instant("2026-04-01T09:00:00+09:00")
        assert at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
        assert at.utcoffset() == timedelta(hours=9)

    def test_reads_z_as_utc(self) -> None:
        assert parse_instant("2026-03-31T15:00:00Z") == datetime(2026, 4, 1, 0, 0, tzinfo=JST)

    @pytest.mark.parametrize("text", ["2026-04-01T09:00:00", "2026-04-01 09:00"])
    def test_reads_a_naive_time_as_japan_time(self, text: str) -> None:
        at = parse_instant(text)
        assert at.tzinfo is JST
        assert at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        "text",
        ["", "2026-04-01", "yesterday", "2026-13-01T00:00:00", "2026-04-01T25:00", "0401T0900"],
    )
    def test_refuses_what_is_not_a_date_and_time(self, text: str) -> None:
        with pytest.raises(ValueError, match="ISO 8601"):
            parse_instant(text)


class TestParseDate:
    def test_parses_a_calendar_date(self) -> None:
        assert parse_date("2025-12-31") == date(2025, 12, 31)

    @pytest.mark.parametrize("text", ["2025/12/31", "20251231", "2025-02-30", "2025-12-31T00:00"])
    def test_refuses_other_forms(self, text: str) -> None:
        with pytest.raises(ValueError, match="date"):
            parse_date(text)


class TestJstDate:
    def test_last_second_of_a_japan_day(self) -> None:
        assert jst_date(datetime(2026, 3, 31, 23, 59, 59, tzinfo=JST)) == date(2026, 3, 31)

    def test_midnight_starts_the_next_japan_day(self) -> None:
        assert jst_date(datetime(2026, 4, 1, 0, 0, 0, tzinfo=JST)) == date(2026, 4, 1)

    def test_utc_afternoon_is_the_next_japan_day(self) -> None:
        assert jst_date(datetime(2026, 3, 31, 14, 59, 59, tzinfo=UTC)) == date(2026, 3, 31)
        assert jst_date(datetime(2026, 3, 31, 15, 0, 0, tzinfo=UTC)) == date(2026, 4, 1)

    def test_naive_is_japan_time(self) -> None:
        assert jst_date(datetime(2026, 3, 31, 23, 59)) == date(2026, 3, 31)
        assert as_jst(datetime(2026, 3, 31, 23, 59)).tzinfo is JST

    def test_other_zones_are_converted(self) -> None:
        new_york = timezone(timedelta(hours=-4))
        assert jst_date(datetime(2026, 3, 31, 11, 0, tzinfo=new_york)) == date(2026, 4, 1)


class TestDeviceTime:
    def test_adds_the_skew(self) -> None:
        now = datetime(2026, 4, 1, 9, 0, tzinfo=JST)
        assert device_time(now, 90) == datetime(2026, 4, 1, 9, 1, 30, tzinfo=JST)
        assert device_time(now, -3600) == datetime(2026, 4, 1, 8, 0, tzinfo=JST)


class TestFormatDate:
    def test_as_the_manual_prints_it(self) -> None:
        assert format_date(date(2025, 12, 31)) == "2025/12/31"
        assert format_date(date(2026, 4, 1)) == "2026/04/01"

    def test_pads_small_years(self) -> None:
        assert format_date(date(999, 1, 2)) == "0999/01/02"


EXPIRY = date(2026, 12, 31)


class TestDaysRemaining:
    @pytest.mark.parametrize("days", [181, 180, 1, 0, -1])
    def test_counts_calendar_days(self, days: int) -> None:
        assert days_remaining(EXPIRY, EXPIRY - timedelta(days=days)) == days


class TestInRenewalWindow:
    @pytest.mark.parametrize(
        ("days", "inside"), [(181, False), (180, True), (1, True), (0, True), (-1, False)]
    )
    def test_window_edges(self, days: int, inside: bool) -> None:
        assert in_renewal_window(EXPIRY, EXPIRY - timedelta(days=days), 180) is inside

    def test_window_at_the_japan_midnight(self) -> None:
        expiry = date(2026, 9, 28)  # 180 days after 2026-04-01
        before = jst_date(datetime(2026, 3, 31, 23, 59, 59, tzinfo=JST))
        after = jst_date(datetime(2026, 4, 1, 0, 0, 0, tzinfo=JST))
        assert not in_renewal_window(expiry, before, 180)
        assert in_renewal_window(expiry, after, 180)


class TestIsExpired:
    @pytest.mark.parametrize(("days", "expired"), [(1, False), (0, False), (-1, True)])
    def test_expired_from_the_day_after(self, days: int, expired: bool) -> None:
        assert is_expired(EXPIRY, EXPIRY - timedelta(days=days)) is expired

    def test_expiry_day_ends_at_japan_midnight(self) -> None:
        last = jst_date(datetime(2026, 12, 31, 23, 59, 59, tzinfo=JST))
        first = jst_date(datetime(2026, 12, 31, 15, 0, 0, tzinfo=UTC))
        assert not is_expired(EXPIRY, last)
        assert is_expired(EXPIRY, first)


@given(st.dates(), st.dates(), st.integers(min_value=0, max_value=1000))
def test_expired_and_window_never_overlap(expiry: date, today: date, window: int) -> None:
    assert not (is_expired(expiry, today) and in_renewal_window(expiry, today, window))
