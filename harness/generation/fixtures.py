"""The fixtures walks start from, and the values worth typing into each field.

The differential check (harness/generation/differential.py) and the generated checks
(harness/generation/checks.py) start every walk from one of `FIXTURES`: a fresh install,
one token, two tokens with a PIN and an app lock, a token near its expiry, two
transactions awaiting confirmation (each with its own details), and a fresh install whose
service has PINs. Each fixture is
written as the 前提 steps of harness/vocabulary, and its `reset` fixture is what those
steps make, so a walk can be written out as a scenario that starts where the walk started.
Secret values stand in the 前提 as `{secret}` slots.

`field_values` gives the interesting values of a field: the fixture's right value first,
then the boundaries of the field's input rule in spec/rules.yaml (0/1/32/33-digit lock
codes, 3/4/8/9-digit PINs, full-width digits, empty) and the fixture's wrong values.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from statechart.capabilities import Capability, rewrite_fixture
from statechart.model import InputRule, Spec

__all__ = [
    "CONFIRM_SUFFIX",
    "FIXTURES",
    "FieldValue",
    "WalkFixture",
    "field_rules",
    "field_values",
    "fixture_from_given",
    "fixture_named",
    "secret_labels",
]

CONFIRM_SUFFIX: Final = "(確認用)"
"""A field whose label ends so repeats the field named without it."""

_SLOT: Final = "{secret}"
_BANK: Final = "ミレインターネットバンキング"
_PIN_BANK: Final = "PINバンク"
_FULL_WIDTH: Final = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
)


@dataclass(frozen=True)
class FieldValue:
    """A value to type, and what it is (shown instead of the value when it is secret)."""

    text: str = field(repr=False)
    note: str


@dataclass(frozen=True, eq=False)  # compared by identity: its mappings cannot be hashed
class WalkFixture:
    """A starting point: the 前提 steps that make it, and the `reset` fixture they make.

    Attributes:
        name: A short ascii name.
        title: What it is, in Japanese.
        given: The 前提 steps; `{secret}` slots take the values of `secrets`, in order.
        secrets: The secret values the 前提 state (PINs, lock codes, passwords).
        right: Field label → the value a person who knows the fixture types.
        wrong: Field label → further values worth trying with this fixture.
        transactions: Ids of the transactions awaiting confirmation.
    """

    name: str
    title: str
    given: tuple[str, ...]
    secrets: tuple[str, ...] = field(default=(), repr=False)
    right: Mapping[str, FieldValue] = field(default_factory=dict, repr=False)
    wrong: Mapping[str, tuple[FieldValue, ...]] = field(default_factory=dict, repr=False)
    transactions: tuple[str, ...] = ()
    absent: tuple[Capability, ...] = ()

    @functools.cached_property
    def data(self) -> dict[str, Any]:
        """The fixture of `reset`: what the 前提 steps make (harness/vocabulary), as the
        manual's own case without the `absent` capabilities (docs/declaration.md)."""
        made = fixture_from_given(self.given_lines(self.secrets))
        return rewrite_fixture(made, self.absent) if self.absent else made

    def without(self, absent: Sequence[Capability]) -> WalkFixture:
        """The same starting point for an implementation that lacks these capabilities."""
        return dataclasses.replace(self, absent=tuple(absent))

    @property
    def key(self) -> str:
        """What tells two fixtures of one name apart: the capabilities they are without."""
        return "/".join((self.name, *(c.id for c in self.absent)))

    def fixture(self) -> dict[str, Any]:
        """A fresh copy of the fixture (an implementation may keep what it is sent)."""
        copied: dict[str, Any] = json.loads(json.dumps(self.data))
        return copied

    def given_lines(self, values: Sequence[str] | str) -> tuple[str, ...]:
        """The 前提 steps with the secret slots filled: in order, or all by one mask."""
        filled = iter([values] * len(self.secrets) if isinstance(values, str) else values)
        lines: list[str] = []
        for line in self.given:
            while _SLOT in line:
                line = line.replace(_SLOT, next(filled), 1)
            lines.append(line)
        return tuple(lines)


class _GivenContext:
    """Just enough of a step context for 前提 handlers, which only add to the facts."""

    def __init__(self, facts: Any) -> None:
        self.facts = facts
        self.spec = None
        self.typed: dict[str, str] = {}
        self.otp_mark: str | None = None

    def send(self, op: str, **args: Any) -> dict[str, Any]:
        raise RuntimeError(f"a 前提 step sent {op!r}")

    def view(self) -> dict[str, Any]:
        raise RuntimeError("a 前提 step looked at the view")


def fixture_from_given(lines: Sequence[str]) -> dict[str, Any]:
    """The fixture that 前提 steps make, exactly as the scenario runner makes it.

    Raises:
        ValueError: A line no 前提 phrase of harness/vocabulary matches.
    """
    # Imported here: the step library is only needed once a fixture is first used.
    from harness.vocabulary.facts import Facts
    from harness.vocabulary.phrases import match_step

    context = _GivenContext(Facts())
    for line in lines:
        match = match_step(line, "given")
        if match is None:
            raise ValueError(f"no 前提 phrase matches {line!r}")
        phrase, params = match
        phrase.handler(context, **params)
    fixture: dict[str, Any] = context.facts.to_fixture()
    return fixture


def _applied(user: str) -> str:
    return f"「{_BANK}」にユーザID「{user}」、利用開始パスワード「{_SLOT}」で申請済みである"


_RIGHT_PASSWORD: Final = "前提の利用開始パスワード"
_WRONG_PASSWORD: Final = FieldValue("Wrong999", "誤った利用開始パスワード")
_RIGHT_PIN: Final = FieldValue("2468", "前提のPIN")
_WRONG_PIN: Final = FieldValue("9999", "誤ったPIN")

FIXTURES: Final[tuple[WalkFixture, ...]] = (
    WalkFixture(
        name="fresh",
        title="インストール直後",
        given=("アプリを初めて起動する状態である", _applied("USER0001")),
        secrets=("Pass0001",),
        right={
            "サービスID": FieldValue("MIRAI01", "申請したサービスID"),
            "ユーザID": FieldValue("USER0001", "申請したユーザID"),
            "利用開始パスワード": FieldValue("Pass0001", _RIGHT_PASSWORD),
        },
        wrong={
            "ユーザID": (FieldValue("USER0002", "申請していないユーザID"),),
            "利用開始パスワード": (_WRONG_PASSWORD,),
        },
    ),
    WalkFixture(
        name="one_token",
        title="トークンがひとつ (取引の確認待ちあり)",
        given=(
            _applied("USER0002"),
            f"「{_BANK}」のトークンが登録されている",
            "取引「T1」が確認待ちである",
        ),
        secrets=("Pass0002",),
        right={
            "サービスID": FieldValue("MIRAI01", "申請したサービスID"),
            "ユーザID": FieldValue("USER0002", "申請したユーザID"),
            "利用開始パスワード": FieldValue("Pass0002", _RIGHT_PASSWORD),
        },
        wrong={
            "ユーザID": (FieldValue("USER0001", "登録済みのトークンのユーザID"),),
            "利用開始パスワード": (_WRONG_PASSWORD,),
        },
        transactions=("T1",),
    ),
    WalkFixture(
        name="pin_and_lock",
        title="トークンがふたつ (PINあり、アプリロックあり)",
        given=(
            f"「{_BANK}」のトークンが登録されている",
            f"「{_PIN_BANK}」のトークンが登録されている",
            f"トークン「{_PIN_BANK}」のPINは「{_SLOT}」である",
            f"アプリロックコード「{_SLOT}」が設定されている",
        ),
        secrets=("2468", "5555"),
        right={
            "アプリロックコード": FieldValue("5555", "前提のアプリロックコード"),
            "PIN": _RIGHT_PIN,
            "現在のPIN": _RIGHT_PIN,
        },
        wrong={
            "アプリロックコード": (FieldValue("9999", "誤ったアプリロックコード"),),
            "PIN": (_WRONG_PIN,),
            "現在のPIN": (_WRONG_PIN,),
        },
    ),
    WalkFixture(
        name="near_expiry",
        title="有効期限まで残り181日のトークン",
        given=(f"「{_BANK}」のトークンが登録されている", "有効期限まで残り181日である"),
    ),
    WalkFixture(
        name="two_transactions",
        title="取引確認を開始したトークン (確認待ちの取引がふたつ)",
        given=(
            f"「{_BANK}」のトークンが登録されている",
            "取引確認を開始済みである",
            "取引「T1」が確認待ちである",
            "取引「T2」が確認待ちである",
            "取引「T2」の「振込先」は「ミライ商事」である",
        ),
        transactions=("T1", "T2"),
    ),
    WalkFixture(
        name="pin_fresh",
        title="インストール直後 (PIN設定のあるサービスに申請済み)",
        given=(
            "アプリを初めて起動する状態である",
            f"サービス「{_PIN_BANK}」のサービスIDは「PIN01」である",
            f"サービス「{_PIN_BANK}」はPIN設定のあるサービスである",
            f"「{_PIN_BANK}」にユーザID「PINUSER」、利用開始パスワード「{_SLOT}」で申請済みである",
        ),
        secrets=("7531",),
        right={
            "サービスID": FieldValue("PIN01", "申請したサービスID"),
            "ユーザID": FieldValue("PINUSER", "申請したユーザID"),
            "利用開始パスワード": FieldValue("7531", _RIGHT_PASSWORD),
            "PIN": FieldValue("7531", "PINの初期値 (利用開始パスワード)"),
            "現在のPIN": FieldValue("7531", "PINの初期値 (利用開始パスワード)"),
        },
        wrong={
            "利用開始パスワード": (_WRONG_PASSWORD,),
            "PIN": (_WRONG_PIN,),
            "現在のPIN": (_WRONG_PIN,),
        },
    ),
)
"""The starting points, simplest first (a shrunk walk prefers the first)."""


def fixture_named(name: str, fixtures: Sequence[WalkFixture] = FIXTURES) -> WalkFixture:
    """The fixture called `name` among `fixtures`; raises KeyError listing the names."""
    for fixture in fixtures:
        if fixture.name == name:
            return fixture
    raise KeyError(f"no fixture {name!r}; known: {', '.join(f.name for f in fixtures)}")


def field_rules(spec: Spec) -> dict[str, InputRule]:
    """Field label → its input rule (the first field of that label that names one)."""
    rules: dict[str, InputRule] = {}
    for state in spec.statechart.iter_states():
        for element in state.elements:
            if element.kind == "field" and element.rule is not None:
                rules.setdefault(element.label, spec.rules.inputs[element.rule])
    return rules


def secret_labels(spec: Spec) -> frozenset[str]:
    """The labels of the fields the spec marks `secret`."""
    return frozenset(
        element.label
        for state in spec.statechart.iter_states()
        for element in state.elements
        if element.kind == "field" and element.secret
    )


def _digits(count: int) -> str:
    # 1234567890123…: never one of the fixtures' secrets, so masking stays meaningful.
    return "".join(str(n % 10) for n in range(1, count + 1))


def _boundaries(rule: InputRule) -> list[FieldValue]:
    """Empty, the shortest and longest lengths and one past each, the wrong characters."""
    values = [FieldValue("", "空欄")]
    if rule.charset == "halfwidth_digits":
        lengths = {1, rule.min - 1, rule.min}
        if rule.max is not None:
            lengths |= {rule.max, rule.max + 1}
        values += [FieldValue(_digits(n), f"{n}桁の半角数字") for n in sorted(lengths) if n > 0]
        width = max(rule.min, 4)
        values.append(FieldValue(_digits(width).translate(_FULL_WIDTH), f"全角数字{width}桁"))
    elif rule.charset in ("halfwidth_alnum", "halfwidth_ascii"):
        values.append(FieldValue("ＡＢＣ１２３", "全角英数字"))
    return values


def _valid(rule: InputRule | None) -> FieldValue:
    """A value the rule accepts, for a field the fixture has no right value for."""
    if rule is None or rule.charset == "any":
        return FieldValue("本店用", "追加文言")
    if rule.charset == "halfwidth_digits":
        width = max(rule.min, 4)
        return FieldValue(_digits(width), f"{width}桁の半角数字")
    return FieldValue("taro01", "半角英数字")


def field_values(spec: Spec, fixture: WalkFixture, label: str) -> tuple[FieldValue, ...]:
    """The values worth typing into the field `label` with this fixture, the right one first.

    Values are unique by text; the right value keeps its note.
    """
    rule = field_rules(spec).get(label)
    base = label.removesuffix(CONFIRM_SUFFIX)
    right = fixture.right.get(base) or _valid(rule)
    found: dict[str, FieldValue] = {right.text: right}
    candidates = [*(_boundaries(rule) if rule else [FieldValue("", "空欄")])]
    candidates += fixture.wrong.get(base, ())
    for value in candidates:
        found.setdefault(value.text, value)
    return tuple(found.values())
