"""The harness's own password oracle: docs/protocol.md "Passwords", computed here.

It follows the document, not the reference: serials and seeds are derived as written there,
the key is the seed followed by the PIN, and the RFC 6238 computation itself is
statechart.otp's `totp` (the one module that owns pyotp), a pure function of key and time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC, datetime, timedelta

from statechart.clock import as_jst
from statechart.otp import totp

__all__ = [
    "accepted_step",
    "counter",
    "derive_seed",
    "derive_serial",
    "password",
    "password_at_step",
    "seed_from_base32",
]

_SERVICE_WINDOW = (0, -1, 1)
"""The steps around the service's time that it accepts, current first (ASM-055)."""


def derive_serial(service_id: str, user_id: str) -> str:
    """SHA-1 of `service_id:user_id` (UTF-8), first 8 bytes big-endian, mod 10^8, 8 digits."""
    digest = hashlib.sha1(f"{service_id}:{user_id}".encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**8:08d}"


def derive_seed(service_id: str, user_id: str, serial: str) -> bytes:
    """SHA-1 of `service_id:user_id:serial` (UTF-8): 20 bytes."""
    return hashlib.sha1(f"{service_id}:{user_id}:{serial}".encode()).digest()


def seed_from_base32(text: str) -> bytes | None:
    """The seed a fixture gives in base32 (any case, padding optional); None if unreadable."""
    bare = text.rstrip("=").upper()
    try:
        return base64.b32decode(bare + "=" * (-len(bare) % 8))
    except (binascii.Error, ValueError):
        return None


def _key(seed: bytes, pin: str | None) -> bytes:
    # The PIN's characters as bytes after the seed; non-ASCII cannot be a PIN (4-8 digits).
    return seed if pin is None else seed + pin.encode("utf-8")


def counter(at: datetime, period: int) -> int:
    """The TOTP counter of an instant: Unix seconds (fractions dropped) // period."""
    return int(as_jst(at).timestamp()) // period


def password_at_step(seed: bytes, pin: str | None, step: int, *, period: int, digits: int) -> str:
    """The password of a counter value."""
    at = datetime.fromtimestamp(step * period, tz=UTC)
    return totp(_key(seed, pin), at, period=period, digits=digits)


def password(seed: bytes, pin: str | None, at: datetime, *, period: int, digits: int) -> str:
    """The password a token shows at device time `at` with `pin` in use."""
    return password_at_step(seed, pin, counter(at, period), period=period, digits=digits)


def accepted_step(
    sent: str,
    seed: bytes,
    pin: str | None,
    now: datetime,
    *,
    correction: int,
    used: frozenset[int],
    period: int,
    digits: int,
) -> int | None:
    """The step the service accepts `sent` for, or None (ASM-055).

    Args:
        sent: The password presented.
        seed: The token's seed.
        pin: The token's PIN at the service (None without one).
        now: True time.
        correction: Seconds the service adds for this token (3.10).
        used: Steps already accepted for the token.
        period: Seconds per step.
        digits: Password length.
    """
    center = counter(now + timedelta(seconds=correction), period)
    for offset in _SERVICE_WINDOW:
        step = center + offset
        if password_at_step(seed, pin, step, period=period, digits=digits) == sent:
            return None if step in used else step
    return None
