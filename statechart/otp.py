"""One-time passwords (RFC 6238 TOTP); the only module that uses pyotp."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import pyotp

from statechart.clock import as_jst

__all__ = ["DIGESTS", "time_step", "token_key", "token_password", "totp"]

DIGESTS: Final[dict[str, Callable[..., Any]]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}


def _unix_seconds(at: datetime) -> int:
    # Naive times are Japan time here as everywhere in the spec, never the host's zone.
    return int(as_jst(at).timestamp())


def time_step(at: datetime, period: int) -> int:
    """Returns the TOTP time step (counter) of the instant `at` (naive: Japan time)."""
    return _unix_seconds(at) // period


def totp(secret: bytes, at: datetime, *, period: int, digits: int, digest: str = "sha1") -> str:
    """Computes the RFC 6238 password of `secret` at `at`.

    Args:
        secret: The raw key, at least 14 bytes (pyotp's minimum).
        at: The instant (naive: Japan time); must not be before 1970.
        period: Seconds per password.
        digits: Password length, 6 to 10.
        digest: `sha1`, `sha256` or `sha512`.

    Returns:
        The password, zero-padded to `digits` characters.

    Raises:
        ValueError: An unknown digest, a key too short, digits out of range, or a time
            before 1970. The message never contains the key.
    """
    if digest not in DIGESTS:
        raise ValueError(f"unknown digest {digest!r}; expected one of {sorted(DIGESTS)}")
    if len(secret) * 8 < 112:
        # pyotp enforces the same minimum; saying so here keeps the key out of its traceback.
        raise ValueError("TOTP key too short: at least 14 bytes are needed")
    encoded = base64.b32encode(secret).decode("ascii")
    generator = pyotp.TOTP(encoded, digits=digits, digest=DIGESTS[digest], interval=period)
    password: str = generator.at(_unix_seconds(at))
    return password


def token_key(seed: bytes, pin: str | None) -> bytes:
    """Returns a token's TOTP key: the seed followed by the PIN's characters (ASM-037).

    Raises:
        ValueError: The PIN holds a non-ASCII character (the message omits the PIN).
    """
    if pin is None:
        return seed
    if not pin.isascii():
        # Only well-formed PINs reach here (A913/A912 come first); never echo the PIN.
        raise ValueError("PIN must consist of half-width characters")
    return seed + pin.encode("ascii")


def token_password(seed: bytes, pin: str | None, at: datetime, *, period: int, digits: int) -> str:
    """Returns the password a token shows at `at` with the PIN typed (ASM-037).

    A wrong PIN yields a different, wrong password and never an error (4.2).
    """
    return totp(token_key(seed, pin), at, period=period, digits=digits)
