"""A walk written out as a Japanese Gherkin scenario that a vendor can run as printed.

Steps use only the phrases of harness/vocabulary: the 前提 that make the walk's fixture
(every fixture of harness/generation/fixtures.py is written as such phrases), then
「アプリを起動する」「「X」を選択する」「「F」に「V」を入力する」…, and last the ならば steps
that pass on the spec's expectation and fail where the implementation differed. Test data is
printed as it is: a PIN or lock code the 前提 set or the walk typed is needed to replay the
scenario, and is no person's secret (what the implementation showed is, and the comment
that quotes it masks what was sent as a secret). Every emitted step is matched against the
step library; a step no phrase matches is written as a comment instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

from harness.generation.fixtures import WalkFixture
from harness.generation.steps import Difference, WalkStep
from harness.grading.items import SpecIndex
from harness.grading.trace import StepTrace
from statechart.model import Spec, assumed_ids

__all__ = ["MASK", "mask_data", "mask_text", "scenario_text", "secrets_of", "step_phrase"]

MASK: Final = "●●●●"
"""What a secret value the implementation showed is written as (as in the runner's reports)."""

_KEYS: Final = {"back": "バックキーを押す", "home": "ホームボタンでアプリを終了する"}
_BIOMETRIC: Final = {
    "success": "生体認証に成功する",
    "failure": "生体認証に失敗する",
    "cancel": "生体認証をキャンセルする",
}
_OPERATIONS: Final = {
    "launch": "起動",
    "issue": "初期設定",
    "pin_change": "PIN変更",
    "renewal": "有効期限の更新",
    "correction": "パスワード補正",
    "transaction_start": "取引確認開始",
    "transaction_fetch": "取引確認",
    "transaction_confirm": "認証確認",
    "biometric_setup": "生体認証ログイン利用設定",
}
_WORD: Final = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
_SHOWN: Final = {True: "はい", False: "いいえ"}

Kind = Literal["given", "when", "then"]


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """The text with each secret value masked where it stands alone (not inside a word)."""
    ordered = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not ordered:
        return text
    pattern = "|".join(re.escape(s) for s in ordered)
    return re.sub(f"(?<![{_WORD}])(?:{pattern})(?![{_WORD}])", MASK, text)


def mask_data(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of JSON-like data with the secrets masked in every string."""
    listed = list(secrets)
    if isinstance(value, str):
        return mask_text(value, listed)
    if isinstance(value, dict):
        return {key: mask_data(item, listed) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item, listed) for item in value]
    return value


def secrets_of(fixture: WalkFixture, steps: Iterable[WalkStep]) -> list[str]:
    """The secrets of a walk: the fixture's and whatever was typed into a secret field."""
    return [*fixture.secrets, *(s.value for s in steps if s.secret and s.value)]


def _clock(seconds: float) -> str:
    whole = int(seconds)
    if whole == seconds and whole and whole % 86_400 == 0:
        return f"{whole // 86_400}日経過する"
    return f"{whole}秒経過する" if whole == seconds else f"{seconds}秒経過する"


def step_phrase(step: WalkStep) -> str:
    """The もし step that does what `step` does, with the value typed as it is (test data)."""
    if step.op == "launch":
        return "アプリを起動する"
    if step.op == "tap":
        return f"「{step.target}」を選択する"
    if step.op == "enter":
        if not step.value:
            return f"「{step.target}」を空欄にする"
        return f"「{step.target}」に「{step.value}」を入力する"
    if step.op == "key":
        return _KEYS[step.target]
    if step.op == "clock":
        return _clock(step.seconds)
    if step.op == "notify":
        return f"通知「{step.target}」が届く"
    if step.op == "biometric":
        return _BIOMETRIC[step.target]
    operation = _OPERATIONS.get(step.target, step.target)
    return f"サーバーが次の「{operation}」にエラー「{step.value}」を返す"


class _Then:
    """The ならば steps for one difference: they pass on the expectation, fail where the
    implementation differed."""

    def __init__(self, spec: Spec | None, trace: StepTrace | None) -> None:
        self.ix = SpecIndex.of(spec) if spec is not None else None
        self.trace = trace

    def steps(self, difference: Difference, view: dict[str, Any]) -> list[str]:
        name, want, got = difference.field, difference.expected, difference.observed
        if name == "app" and view.get("app") == "closed":
            return ["アプリが終了する"]
        if name in ("app", "screen.title", "dialog", "dialog.buttons", "error.code"):
            return self._where(view, got if name == "dialog.buttons" else None)
        if name == "dialog.text":
            return [f"「{want}」が表示される"]
        if name == "error.message":
            return _error_steps(view)
        if name == "elements":
            return self._labels(want, got)
        if name == "fields":
            return self._fields(want, got)
        if name == "disabled":
            return [
                f"「{label}」は入力できない" for label in _list(want) if label not in _list(got)
            ] + [f"「{label}」は入力できる" for label in _list(got) if label not in _list(want)]
        if name == "texts":
            return self._texts(want, got)
        return _value_steps(name, want, view)

    def _where(self, view: dict[str, Any], shown: Any) -> list[str]:
        if view.get("error"):
            return _error_steps(view)
        dialog = view.get("dialog")
        if isinstance(dialog, dict):
            buttons = [b for b in _list(dialog.get("buttons")) if b not in _list(shown)]
            return [
                f"ダイアログに「{b}」ボタンがある" for b in buttons or _list(dialog.get("buttons"))
            ]
        title = (view.get("screen") or {}).get("title")
        return [f"「{title}」画面が表示される"] if title else []

    def _manuals(self, button: str) -> bool:
        """Whether the dialog's button exists by the manual (one that exists by an
        assumption is checked only where that assumption is at stake)."""
        if self.ix is None or self.trace is None:
            return True
        owned = [o for o in self.ix.visible(self.trace.state) if o.element.label == button]
        return not owned or any(not assumed_ids(o.element.assumed, "exists") for o in owned)

    def _labels(self, want: Any, got: Any) -> list[str]:
        return [f"「{label}」が表示される" for label in _list(want) if label not in _list(got)] + [
            f"「{label}」は表示されない" for label in _list(got) if label not in _list(want)
        ]

    def _fields(self, want: Any, got: Any) -> list[str]:
        expected = want if isinstance(want, dict) else {}
        observed = got if isinstance(got, dict) else {}
        steps = [
            f"「{label}」は「{_SHOWN[value] if isinstance(value, bool) else value}」と表示される"
            for label, value in expected.items()
            if value is not None and observed.get(label, object()) != value
        ]
        return steps + [f"「{label}」は表示されない" for label in observed if label not in expected]

    def _texts(self, want: Any, got: Any) -> list[str]:
        shown = _list(got)
        lines = self.ix.lines(self.trace.state) if self.ix and self.trace else []
        prefix = {rendered for line, rendered in lines if line.match == "prefix"}
        steps = []
        for text in _list(want):
            start = next((p for p in prefix if text.startswith(p)), None)
            if start is not None and not any(t.startswith(start) for t in shown):
                steps.append(f"「{start}～」が表示される")
            elif start is None and text not in shown:
                steps.append(f"「{text}」が表示される")
        return steps


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _error_steps(view: dict[str, Any]) -> list[str]:
    error = view.get("error")
    if not error:
        return ["エラーは表示されない"]
    if error.get("code") is None:
        return [f"エラーコードのないエラー「{error.get('message')}」が表示される"]
    return [
        f"エラー「{error['code']}」が表示される",
        f"エラーメッセージ「{error['message']}」が表示される",
    ]


def _value_steps(name: str, want: Any, view: dict[str, Any]) -> list[str]:
    if name == "otp" and want is not None:
        return ["ワンタイムパスワードが表示される"]
    if name == "token" and isinstance(want, dict):
        steps = [f"トークン表示名は「{want['name']}」である"] if want.get("name") else []
        return steps + (
            [f"有効期限「{want['expires']}」が表示される"] if want.get("expires") else []
        )
    if name in ("tokens", "tokens.order"):
        names = _list(want)
        return ["トークン一覧は" + "".join(f"「{n}」" for n in names) + "である"] if names else []
    if name == "browser":
        return [f"ブラウザで「{want}」が開く"] if want else ["Webサイトへは移動しない"]
    return []


def _refused(
    steps: Sequence[WalkStep], difference: Difference, view: dict[str, Any] | None
) -> tuple[Sequence[WalkStep], list[str]]:
    """A request the expectation refuses: the scenario stops before it and checks that it
    cannot be made. One the implementation refused: the scenario makes it, and it fails."""
    last = steps[-1] if steps else None
    if difference.expected == "view" or last is None:
        title = ((view or {}).get("screen") or {}).get("title")
        return steps, [f"「{title}」画面が表示される"] if title else []
    if last.op == "key" and last.target == "back":
        return steps[:-1], ["バックキーは使えない"]
    if last.op in ("tap", "enter"):
        return steps[:-1], [f"「{last.target}」は表示されない"]
    return steps, []


def _checked(text: str, kind: Kind) -> bool:
    """Whether the step matches a phrase of harness/vocabulary (True if it is not there)."""
    try:
        from harness.vocabulary.phrases import match_step
    except ImportError:  # the step library is optional here: write the steps unchecked
        return True
    return match_step(text, kind) is not None


def _step_lines(keyword: str, rest: str, texts: Sequence[str], kind: Kind) -> list[str]:
    """Steps of one kind: the first with its keyword, the rest with `rest` (かつ)."""
    lines: list[str] = []
    first = True
    for text in texts:
        if _checked(text, kind):
            lines.append(f"    {keyword if first else rest} {text}")
            first = False
        else:
            lines.append(f"    # (語彙にない手順) {keyword} {text}")
    return lines


def _shown(value: Any, secrets: Iterable[str]) -> str:
    return mask_text(json.dumps(value, ensure_ascii=False), secrets)


def scenario_text(
    *,
    title: str,
    fixture: WalkFixture,
    steps: Sequence[WalkStep],
    difference: Difference,
    expected_view: dict[str, Any] | None,
    sections: Sequence[str],
    header: str = "",
    assumptions: Sequence[str] = (),
    spec: Spec | None = None,
    trace: StepTrace | None = None,
) -> str:
    """A feature file with one scenario: the walk, then the check that differed.

    Args:
        title: The scenario's name.
        fixture: Where the walk started (written as its 前提 steps).
        steps: The walk.
        difference: The first difference.
        expected_view: The expectation's view at the differing step (None: a refusal).
        sections: Manual sections for the `@section-…` tags (at most three are used).
        header: A comment line for the top of the file.
        assumptions: The assumptions the failure rests on, as `@ASM-…` tags (a step's
            assumed ground counts only when its scenario names it: docs/grading.md).
        spec: The spec (a `match: prefix` line is checked by its start, 「…～」).
        trace: The spec's trace of the differing step.
    """
    secrets = secrets_of(fixture, steps)
    tags = [f"@section-{s}" for s in list(sections)[:3]] or ["@section-4.3"]
    tags += [f"@{a}" for a in assumptions]
    lines = [
        "# language: ja",
        f"# {header}" if header else "# otpspec 差分",
        "機能: 参照実装との差分",
        "",
        f"  {' '.join(tags)}",
        f"  シナリオ: {title}",
    ]
    if difference.field == "request":
        walked, then = _refused(steps, difference, expected_view)
    else:
        walked, then = steps, _Then(spec, trace).steps(difference, expected_view or {})
    lines += _step_lines("前提", "かつ", fixture.given_lines(fixture.secrets), "given")
    lines += _step_lines("もし", "かつ", [step_phrase(s) for s in walked], "when")
    lines += _step_lines("ならば", "かつ", then, "then")
    lines.append(
        f"    # {difference.field}: 期待 {_shown(difference.expected, secrets)}"
        f" / 観測 {_shown(difference.observed, secrets)}"
    )
    return "\n".join(lines) + "\n"
