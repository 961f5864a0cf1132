"""Input rules (rules.yaml `inputs`): charsets and lengths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from statechart.inputs import CHARSETS, check_input, check_rule

RULES_FILE = Path(__file__).resolve().parents[2] / "spec" / "rules.yaml"


def _inputs() -> dict[str, Any]:
    with RULES_FILE.open(encoding="utf-8") as stream:
        inputs: dict[str, Any] = yaml.safe_load(stream)["rules"]["inputs"]
    return inputs


class TestCheckInput:
    @pytest.mark.parametrize(
        ("value", "ok"),
        [("1234", True), ("0987654321", True), ("１２３４", False), ("12a4", False),
         ("12 4", False), ("1234\n", False), ("-123", False), ("٣٤٥٦", False)],
    )  # fmt: skip
    def test_halfwidth_digits(self, value: str, ok: bool) -> None:
        assert check_input(value, "halfwidth_digits", 1, None) is ok

    @pytest.mark.parametrize(
        ("value", "ok"),
        [("abcXYZ019", True), ("ＡＢＣ", False), ("a-b", False), ("a b", False),
         ("あいう", False), ("ｱｲｳ", False)],
    )  # fmt: skip
    def test_halfwidth_alnum(self, value: str, ok: bool) -> None:
        assert check_input(value, "halfwidth_alnum", 1, None) is ok

    @pytest.mark.parametrize(
        ("value", "ok"),
        [("!~", True), ("user@example.jp", True), ("a b", False), ("\x7f", False),
         ("\t", False), ("あ", False), ("！", False)],
    )  # fmt: skip
    def test_halfwidth_ascii(self, value: str, ok: bool) -> None:
        assert check_input(value, "halfwidth_ascii", 1, None) is ok

    def test_any_takes_every_character(self) -> None:
        assert check_input("本店用 ①\n", "any", 0, None)
        assert check_input("", "any", 0, None)

    def test_lengths(self) -> None:
        assert not check_input("", "any", 1, None)
        assert check_input("123", "halfwidth_digits", 3, 3)
        assert not check_input("1234", "halfwidth_digits", 3, 3)

    def test_unknown_charset(self) -> None:
        with pytest.raises(ValueError, match="unknown charset"):
            check_input("1234", "fullwidth", 1, None)


class TestCheckRule:
    @pytest.mark.parametrize(("length", "ok"), [(0, False), (1, True), (32, True), (33, False)])
    def test_app_lock_code_lengths(self, length: int, ok: bool) -> None:
        assert check_rule("7" * length, _inputs()["app_lock_code"]) is ok

    @pytest.mark.parametrize(("length", "ok"), [(3, False), (4, True), (8, True), (9, False)])
    def test_pin_lengths(self, length: int, ok: bool) -> None:
        assert check_rule("5" * length, _inputs()["pin"]) is ok

    def test_full_width_pin_refused(self) -> None:
        assert not check_rule("１２３４", _inputs()["pin"])

    def test_activation_fields_need_one_alnum_character(self) -> None:
        for name in ("service_id", "user_id", "activation_password"):
            assert check_rule("MIRAI01", _inputs()[name])
            assert not check_rule("", _inputs()[name])
            assert not check_rule("MIRAI-01", _inputs()[name])

    def test_display_text_may_be_empty(self) -> None:
        assert check_rule("", _inputs()["display_text"])
        assert check_rule("本店用", _inputs()["display_text"])

    def test_login_fields_take_printable_ascii(self) -> None:
        assert check_rule("id_01!", _inputs()["login_id"])
        assert not check_rule("ｉｄ", _inputs()["login_password"])

    def test_every_rule_charset_is_known(self) -> None:
        for rule in _inputs().values():
            assert rule["charset"] in CHARSETS


@given(
    value=st.text(),
    charset=st.sampled_from(sorted(CHARSETS)),
    min_len=st.integers(min_value=0, max_value=40),
    max_len=st.none() | st.integers(min_value=0, max_value=40),
)
def test_check_input_never_raises(
    value: str, charset: str, min_len: int, max_len: int | None
) -> None:
    ok = check_input(value, charset, min_len, max_len)
    if len(value) < min_len or (max_len is not None and len(value) > max_len):
        assert not ok


@given(st.text())
def test_digits_are_exactly_ascii_zero_to_nine(value: str) -> None:
    expected = all(c in "0123456789" for c in value)
    assert check_input(value, "halfwidth_digits", 0, None) is expected


@given(st.text())
def test_ascii_is_exactly_0x21_to_0x7e(value: str) -> None:
    expected = all(0x21 <= ord(c) <= 0x7E for c in value)
    assert check_input(value, "halfwidth_ascii", 0, None) is expected
