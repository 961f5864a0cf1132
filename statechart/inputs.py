"""Checking a typed value against an input rule of spec/rules.yaml (`rules.inputs`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["CHARSETS", "check_input", "check_rule"]

# Explicit ASCII classes: Python's \d and str.isdigit() also accept full-width digits
# such as "１２３４", which the manual's 半角数字[0～9] excludes.
CHARSETS: Final[Mapping[str, re.Pattern[str] | None]] = {
    "halfwidth_digits": re.compile(r"[0-9]*"),
    "halfwidth_alnum": re.compile(r"[0-9A-Za-z]*"),
    "halfwidth_ascii": re.compile(r"[\x21-\x7e]*"),
    "any": None,
}


def check_input(value: str, charset: str, min_len: int, max_len: int | None) -> bool:
    """Whether `value` satisfies an input rule.

    Args:
        value: The text as typed.
        charset: `halfwidth_digits`, `halfwidth_alnum`, `halfwidth_ascii` (0x21–0x7E) or `any`.
        min_len: Fewest characters allowed.
        max_len: Most characters allowed, or None for no limit.

    Returns:
        True when the length and every character fit the rule.

    Raises:
        ValueError: `charset` is not one of the names above (never for any `value`).
    """
    if charset not in CHARSETS:
        raise ValueError(f"unknown charset {charset!r}; expected one of {sorted(CHARSETS)}")
    if len(value) < min_len or (max_len is not None and len(value) > max_len):
        return False
    pattern = CHARSETS[charset]
    # fullmatch, not match with $: $ would let a trailing newline through.
    return pattern is None or pattern.fullmatch(value) is not None


def check_rule(value: str, rule: Mapping[str, Any]) -> bool:
    """Checks `value` against one `rules.inputs` entry ({charset, min, max?}).

    Raises:
        ValueError: The entry has an unknown charset.
        KeyError: The entry lacks `charset`.
    """
    max_len = rule.get("max")
    return check_input(
        value,
        str(rule["charset"]),
        int(rule.get("min", 0)),
        None if max_len is None else int(max_len),
    )
