"""The declaration at work: what each capability alone shows, and the alarms of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.run.applicability import Applicability, capability_labels, load_applicability
from harness.run.records import ItemRecord, StepRecord
from statechart.capabilities import load_capabilities
from statechart.loader import load_spec

SPEC = load_spec()
CAPABILITIES = {c.id: c for c in load_capabilities(SPEC)}


def _record(*views: dict[str, Any]) -> ItemRecord:
    steps = tuple(StepRecord("もし", "x", n, "passed", view=view) for n, view in enumerate(views))
    return ItemRecord("n", "scenario", "s", "f.feature", 1, "f", ("2.1",), steps=steps)


def _applicability(tmp_path: Path, capabilities: str) -> Applicability:
    path = tmp_path / "declaration.yaml"
    text = f"declaration: 1\nimplementation:\n  name: x\ncapabilities:\n{capabilities}"
    path.write_text(text, encoding="utf-8")
    return load_applicability(path, SPEC)


OTP_SCREEN = {"screen": {"title": "ワンタイムパスワード"}, "elements": ["設定"], "dialog": None}


class TestCapabilityLabels:
    @pytest.mark.parametrize(
        ("capability", "label"),
        [
            ("biometric_login", "生体認証ログイン 利用設定"),
            ("transaction_confirmation", "取引確認開始"),
            ("pin_tokens", "PIN変更"),
            ("android", "はい"),
        ],
    )
    def test_what_only_the_capability_shows(self, capability: str, label: str) -> None:
        assert label in capability_labels(SPEC, CAPABILITIES[capability])

    @pytest.mark.parametrize("label", ["ワンタイムパスワード", "設定", "OK", "キャンセル", "戻る"])
    def test_what_the_app_shows_without_any_capability_is_nobodys(self, label: str) -> None:
        for capability in CAPABILITIES.values():
            assert label not in capability_labels(SPEC, capability), capability.id


class TestAlarms:
    def test_a_button_of_an_absent_capability_is_named(self, tmp_path: Path) -> None:
        applicability = _applicability(tmp_path, "  biometric_login: false\n")
        shown = dict(OTP_SCREEN, elements=["設定", "生体認証ログイン 利用設定"])
        (alarm,) = applicability.alarms(SPEC, [_record(OTP_SCREEN, shown)])
        assert (alarm.kind, alarm.subject) == ("capability observed", "biometric_login")
        assert "「生体認証ログイン 利用設定」" in alarm.message

    def test_the_password_screen_alone_raises_no_alarm(self, tmp_path: Path) -> None:
        applicability = _applicability(tmp_path, "  biometric_login: false\n")
        assert applicability.alarms(SPEC, [_record(OTP_SCREEN)]) == []
