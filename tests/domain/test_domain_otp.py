"""TOTP (RFC 6238) and the token's password with a PIN (ASM-030, ASM-037)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statechart.clock import JST
from statechart.otp import time_step, token_key, token_password, totp

SEED = b"12345678901234567890"
SEED_256 = b"12345678901234567890123456789012"
SEED_512 = b"1234567890" * 6 + b"1234"

# RFC 6238 appendix B: (unix time, SHA1, SHA256, SHA512), 8 digits, 30 s.
RFC_VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class TestTotp:
    @pytest.mark.parametrize(("seconds", "sha1", "sha256", "sha512"), RFC_VECTORS)
    def test_rfc6238_vectors(self, seconds: int, sha1: str, sha256: str, sha512: str) -> None:
        at = _utc(seconds)
        assert totp(SEED, at, period=30, digits=8) == sha1
        assert totp(SEED_256, at, period=30, digits=8, digest="sha256") == sha256
        assert totp(SEED_512, at, period=30, digits=8, digest="sha512") == sha512

    def test_one_password_per_minute_with_period_60(self) -> None:
        start = datetime(2026, 4, 1, 9, 0, 0, tzinfo=JST)
        same = [start.replace(second=s) for s in (0, 30, 59)]
        passwords = {totp(SEED, at, period=60, digits=6) for at in same}
        assert len(passwords) == 1
        following = totp(SEED, start.replace(minute=1), period=60, digits=6)
        assert following not in passwords

    def test_six_digits_zero_padded(self) -> None:
        for minute in range(60):
            password = totp(SEED, datetime(2026, 4, 1, 9, minute, tzinfo=JST), period=60, digits=6)
            assert len(password) == 6
            assert password.isascii()
            assert password.isdigit()

    def test_naive_time_is_japan_time(self) -> None:
        naive = datetime(2026, 4, 1, 9, 0)
        aware = datetime(2026, 4, 1, 9, 0, tzinfo=JST)
        assert totp(SEED, naive, period=60, digits=6) == totp(SEED, aware, period=60, digits=6)

    def test_unknown_digest(self) -> None:
        with pytest.raises(ValueError, match="unknown digest"):
            totp(SEED, _utc(59), period=30, digits=8, digest="md5")

    def test_short_key_refused_without_showing_it(self) -> None:
        with pytest.raises(ValueError, match="too short") as caught:
            totp(b"4711", _utc(59), period=30, digits=6)
        assert "4711" not in str(caught.value)


class TestTimeStep:
    def test_counts_periods_since_the_epoch(self) -> None:
        assert time_step(_utc(59), 30) == 1
        assert time_step(_utc(60), 30) == 2
        assert time_step(_utc(1111111109), 30) == 37037036

    def test_minute_steps_follow_japan_minutes(self) -> None:
        start = datetime(2026, 4, 1, 9, 0, 0, tzinfo=JST)
        assert time_step(start.replace(second=59), 60) == time_step(start, 60)
        assert time_step(start.replace(minute=1), 60) == time_step(start, 60) + 1


class TestTokenPassword:
    AT = datetime(2026, 4, 1, 9, 0, tzinfo=JST)

    def _password(self, pin: str | None) -> str:
        return token_password(SEED, pin, self.AT, period=60, digits=6)

    def test_without_pin_is_the_seed_totp(self) -> None:
        assert self._password(None) == totp(SEED, self.AT, period=60, digits=6)

    def test_key_is_seed_then_pin_digits(self) -> None:
        assert token_key(SEED, "1234") == SEED + b"1234"
        assert self._password("1234") == totp(SEED + b"1234", self.AT, period=60, digits=6)

    def test_pin_changes_the_password(self) -> None:
        passwords = {self._password(pin) for pin in (None, "1234", "1235", "12345678")}
        assert len(passwords) == 4

    def test_non_ascii_pin_refused_without_showing_it(self) -> None:
        with pytest.raises(ValueError) as caught:
            self._password("１２３４")
        assert "１２３４" not in str(caught.value)


@given(pin=st.text(alphabet="0123456789", min_size=4, max_size=8))
def test_any_pin_gives_a_password_never_an_error(pin: str) -> None:
    password = token_password(SEED, pin, datetime(2026, 4, 1, tzinfo=JST), period=60, digits=6)
    assert len(password) == 6
    assert password.isdigit()
