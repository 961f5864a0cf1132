"""A walk written out as a Japanese Gherkin scenario that can be pasted into features/.

Steps use the phrases of harness/vocabulary (the 前提 of the walk's fixture, then
「アプリを起動する」「「X」を選択する」「「F」に「V」を入力する」…), and the last step checks
what the reference showed where the implementation differed. When harness/vocabulary can be
imported, every emitted step is matched against its current phrase list, and a step no
phrase matches is written as a comment instead.

Secrets never appear: the 前提's secret values and whatever is typed into a secret field are
written as ●●●●, and a `# 秘密の値はフィクスチャを参照` comment says what each one stands for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

from harness.generation.fixtures import WalkFixture
from harness.generation.steps import Difference, WalkStep

__all__ = ["MASK", "mask_data", "mask_text", "scenario_text", "secrets_of", "step_phrase"]

MASK: Final = "●●●●"
"""What a secret value is written as (as in the runner's reports)."""

_KEYS: Final = {"back": "バックキーを押す", "home": "ホームボタンでアプリを終了する"}
_BIOMETRIC: Final = {"success": "成功する", "failure": "失敗する", "cancel": "キャンセルする"}
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
    """The もし step that does what `step` does (secret values masked)."""
    if step.op == "launch":
        return "アプリを起動する"
    if step.op == "tap":
        return f"「{step.target}」を選択する"
    if step.op == "enter":
        value = step.shown_value(MASK)
        return (
            f"「{step.target}」を空欄にする"
            if not value
            else f"「{step.target}」に「{value}」を入力する"
        )
    if step.op == "key":
        return _KEYS[step.target]
    if step.op == "clock":
        return _clock(step.seconds)
    if step.op == "notify":
        return f"通知「{step.target}」が届く"
    if step.op == "biometric":
        return f"生体認証に{_BIOMETRIC[step.target]}"
    operation = _OPERATIONS.get(step.target, step.target)
    return f"サーバーが次の「{operation}」にエラー「{step.value}」を返す"


def _then_steps(difference: Difference, expected: dict[str, Any] | None) -> list[str]:
    """The ならば steps that pass on the reference and fail where the other side differed."""
    name, want, got = difference.field, difference.expected, difference.observed
    view = expected or {}
    if name in ("app", "screen.title", "dialog.buttons"):
        if view.get("error"):
            return _error_steps(view)
        dialog = view.get("dialog")
        if dialog is not None:
            shown = got if name == "dialog.buttons" and isinstance(got, list) else []
            return [f"ダイアログに「{b}」ボタンがある" for b in dialog["buttons"] if b not in shown]
        title = (view.get("screen") or {}).get("title")
        return [f"「{title}」画面が表示される"] if title else []
    if name == "dialog.text":
        return [f"「{want}」が表示される"]
    if name.startswith("error"):
        return _error_steps(view)
    if name == "elements" and isinstance(want, list) and isinstance(got, list):
        shown = [f"「{label}」が表示される" for label in want if label not in got]
        return shown + [f"「{label}」は表示されない" for label in got if label not in want]
    return _value_steps(name, want, view)


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
    if name == "fields" and isinstance(want, dict):
        return [f"「{label}」は「{value}」と表示される" for label, value in want.items()]
    if name == "texts" and isinstance(want, list):
        return [f"「{text}」が表示される" for text in want]
    if name == "otp" and want is not None:
        return ["ワンタイムパスワードが表示される"]
    if name == "token" and isinstance(want, dict):
        return [
            f"トークン表示名は「{want['name']}」である",
            f"有効期限「{want['expires']}」が表示される",
        ]
    if name == "tokens" and want:
        return ["トークン一覧は" + "".join(f"「{n}」" for n in want) + "である"]
    if name == "browser":
        return [f"ブラウザで「{want}」が開く"] if want else ["Webサイトへは移動しない"]
    return []


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


def _secret_note(fixture: WalkFixture, steps: Sequence[WalkStep]) -> list[str]:
    notes = [f"前提の {MASK} は{fixture.title}のフィクスチャの値"] if fixture.secrets else []
    notes += [f"「{s.target}」の {MASK} = {s.note}" for s in steps if s.secret and s.value]
    unique = list(dict.fromkeys(notes))
    return [f"    # 秘密の値はフィクスチャを参照: {'; '.join(unique)}"] if unique else []


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
) -> str:
    """A feature file with one scenario: the walk, then the check that differed.

    Args:
        title: The scenario's name.
        fixture: Where the walk started.
        steps: The walk.
        difference: The first difference.
        expected_view: The reference's view at the differing step (None if it refused).
        sections: Manual sections for the `@section-…` tags (at most three are used).
        header: A comment line for the top of the file.
    """
    secrets = secrets_of(fixture, steps)
    tags = " ".join(f"@section-{s}" for s in list(sections)[:3]) or "@section-4.3"
    lines = [
        "# language: ja",
        f"# {header}" if header else "# otpspec 差分",
        "機能: 参照実装との差分",
        "",
    ]
    lines += [f"  {tags}", f"  シナリオ: {title}"]
    lines += _secret_note(fixture, steps)
    lines += _step_lines("前提", "かつ", fixture.given_lines(MASK), "given")
    lines += _step_lines("もし", "かつ", [step_phrase(s) for s in steps], "when")
    lines += _step_lines("ならば", "かつ", _then_steps(difference, expected_view), "then")
    lines.append(
        f"    # {difference.field}: 期待 (参照実装) {_shown(difference.expected, secrets)}"
        f" / 観測 {_shown(difference.observed, secrets)}"
    )
    return (
        "\n".join(
            mask_text(line, secrets) if line.lstrip().startswith("#") else line for line in lines
        )
        + "\n"
    )
