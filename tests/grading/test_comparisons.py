"""Each comparison issue 12 changed, proved both ways with mutants of the reference.

For every change of docs/protocol.md's "What the harness compares": a mutant the generated
checks (or the walk) still kill where the manual or an assumption requires it, graded as it
should be, and a mutant they no longer fail because the spec does not define what it
changes (the old comparison failed every one of these).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from grading_helpers import Impl, mutant

from harness.adapters import InProcessAdapter
from harness.generation.checks import CheckResult, GeneratedSet, generate_checks, run_generated
from harness.generation.differential import _Walker, differential_check
from harness.generation.fixtures import fixture_named
from harness.generation.steps import WalkStep
from harness.mutants.catalogue import Mutant, MutantApp, mutant_named
from harness.mutants.edit import edit_element
from statechart.actions import ACTIONS
from statechart.model import Spec
from statechart.session import Session

View = dict[str, Any]
OTP_TITLE = "ワンタイムパスワード"
LOCK = "running.main.settings.app_lock"


@pytest.fixture(scope="module")
def generated(spec: Spec) -> GeneratedSet:
    return generate_checks(spec)


def _failures(impl: InProcessAdapter, generated: GeneratedSet) -> list[CheckResult]:
    return [r for r in run_generated(impl, generated) if not r.ok]


def _killed(impl: InProcessAdapter, generated: GeneratedSet) -> CheckResult:
    results = run_generated(impl, generated, stop_early=True)
    assert results and not results[-1].ok, "the mutant survived the generated checks"
    return results[-1]


def _filtered(spec: Spec, rewrite: Callable[[View], View]) -> Impl:
    return mutant(spec, rewrite.__name__, view=lambda _spec, view: rewrite(view))


def _title(view: View) -> Any:
    return (view.get("screen") or {}).get("title")


# ---- the rewrites: each changes only what the spec does not define, or one thing it does


def reversed_buttons(view: View) -> View:
    dialog = view.get("dialog")
    if not isinstance(dialog, dict):
        return view
    return {**view, "dialog": {**dialog, "buttons": list(reversed(dialog["buttons"]))}}


def without_yes(view: View) -> View:
    dialog = view.get("dialog")
    if not isinstance(dialog, dict) or "いいえ" not in dialog["buttons"]:
        return view
    buttons = [b for b in dialog["buttons"] if b != "はい"]
    elements = [e for e in view["elements"] if e != "はい"]
    return {**view, "dialog": {**dialog, "buttons": buttons}, "elements": elements}


def inputs_listed_as_tappable(view: View) -> View:
    """Lists every input's label among `elements` too (a text field can be tapped)."""
    listed = [label for label in view["fields"] if label not in view["elements"]]
    return {**view, "elements": [*view["elements"], *listed]}


def unknown_extras(view: View) -> View:
    if view["app"] != "running":
        return view
    dialog = view.get("dialog")
    if isinstance(dialog, dict):
        return {**view, "dialog": {**dialog, "buttons": [*dialog["buttons"], "閉じる"]}}
    return {
        **view,
        "elements": [*view["elements"], "ヘルプ"],
        "fields": {**view["fields"], "メモ": ""},
        "texts": [*view["texts"], "お知らせ: 新しい機能があります"],
    }


def bare_under_dialogs(view: View) -> View:
    if view.get("dialog") is None:
        return view
    return {**view, "fields": {}, "texts": [], "otp": None, "token": None, "tokens": []}


def disabled_values_shown(view: View) -> View:
    fields = dict(view["fields"])
    for label in view.get("disabled") or []:
        if isinstance(fields.get(label), str):
            fields[label] = "●●"
    return {**view, "fields": fields}


def send_greyed_out(view: View) -> View:
    # `disabled` is compared now, but only for `enabled_when` elements (ASM-006: a button
    # that cannot be used yet may be hidden or greyed out).
    fields = view["fields"]
    if fields.get("上記の内容に同意する") is False and "送信" not in view["elements"]:
        return {**view, "disabled": [*(view.get("disabled") or []), "送信"]}
    return view


def details_elsewhere(view: View) -> View:
    token = view.get("token")
    if not isinstance(token, dict) or _title(view) == OTP_TITLE:
        return view
    bogus = {"serial": "00000000", "expires": "2000/01/01", "start": "2000/01/01"}
    return {**view, "token": {**token, **bogus}}


def expiry_wrong_on_otp(view: View) -> View:
    token = view.get("token")
    if not isinstance(token, dict) or _title(view) != OTP_TITLE:
        return view
    return {**view, "token": {**token, "expires": "2000/01/01"}}


def tokens_reversed(view: View) -> View:
    return {**view, "tokens": list(reversed(view["tokens"]))}


def last_token_unlisted(view: View) -> View:
    return {**view, "tokens": view["tokens"][:-1]}


def longer_prefix_line(view: View) -> View:
    start = "現在認証対象のお取引がありません"
    texts = [
        f"{t}。しばらくしてから[更新]を選択してください" if t == start else t for t in view["texts"]
    ]
    return {**view, "texts": texts}


class StickyBrowser(MutantApp):
    """Reports the last page opened until another opens: how long is not compared."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec, "sticky_browser")
        self._last: str | None = None

    def reset(self, fixture: Any) -> View:
        self._last = None
        return super().reset(fixture)

    def observe(self) -> View:
        view = super().observe()
        if view["browser"] is not None:
            self._last = view["browser"]
        elif view["app"] == "running" and self._last is not None:
            view = {**view, "browser": self._last}
        return view


class LenientNotify(MutantApp):
    """Accepts `notify` for a transaction that is not pending (the reference refuses it)."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec, "lenient_notify")

    def notify(self, transaction: str) -> View:
        if self._session.server.transaction(transaction) is None:
            return self.observe()
        return super().notify(transaction)


def _wrong_link(s: Session) -> None:
    ACTIONS["open_link"](s)
    if s.browser is not None:
        s.browser += "wrong/"


# ---- the tests


class TestDialogButtons:
    def test_another_order_passes(self, spec: Spec, generated: GeneratedSet) -> None:
        assert _failures(_filtered(spec, reversed_buttons), generated) == []

    def test_a_manual_button_missing_fails(self, spec: Spec, generated: GeneratedSet) -> None:
        killed = _killed(_filtered(spec, without_yes), generated)
        assert killed.field == "dialog.buttons" and killed.grounds.verdict == "fail"
        assert killed.grounds.sections == ("2.3.2",)


class TestWhatTheSpecDoesNotKnow:
    def test_unknown_labels_lines_fields_and_buttons_pass(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        assert _failures(_filtered(spec, unknown_extras), generated) == []

    def test_inputs_listed_among_the_tappable_labels_pass(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        # docs/protocol.md leaves it free: inputs are compared through `fields`
        assert _failures(_filtered(spec, inputs_listed_as_tappable), generated) == []

    def test_a_known_label_where_the_spec_hides_it_deviates(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        impl = Impl(spec, mutant_named("token_tab_with_one_token").build(spec))
        killed = _killed(impl, generated)
        assert killed.field == "elements" and killed.grounds.assumptions == ("ASM-003",)


class TestUnderADialog:
    def test_the_screen_behind_is_not_compared(self, spec: Spec, generated: GeneratedSet) -> None:
        assert _failures(_filtered(spec, bare_under_dialogs), generated) == []

    def test_the_error_still_is(self, spec: Spec, generated: GeneratedSet) -> None:
        impl = Impl(spec, mutant_named("no_token_add_variant").build(spec))
        killed = _killed(impl, generated)
        assert killed.field == "error.message" and killed.grounds.sections == ("4.3",)


class TestDisabled:
    def test_a_disabled_fields_value_is_not_compared(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        assert _failures(_filtered(spec, disabled_values_shown), generated) == []

    def test_a_button_shown_greyed_out_instead_of_hidden_passes(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        assert _failures(_filtered(spec, send_greyed_out), generated) == []

    def test_lock_code_fields_enabled_while_off_fail(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        def enabled(s: Spec) -> Spec:
            for label in ("アプリロックコード", "アプリロックコード(確認用)"):
                s = edit_element(s, LOCK, label, enabled_when=())
            return s

        killed = _killed(mutant(spec, "lock_fields_enabled", apply=enabled), generated)
        assert killed.field == "disabled" and killed.grounds.verdict == "fail"
        assert set(killed.grounds.sections) <= {"3.5", "3.6", "3.7"}


class TestToken:
    def test_details_off_the_password_screen_are_not_compared(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        assert _failures(_filtered(spec, details_elsewhere), generated) == []

    def test_a_wrong_expiry_on_the_password_screen_fails(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        failed = _failures(_filtered(spec, expiry_wrong_on_otp), generated)
        assert failed and {r.field for r in failed} == {"token"}
        grades = {(r.grounds.sections, r.grounds.assumptions) for r in failed}
        # A fixture's token: 4.2 prints its expiry (a fail); one issued in the run: its
        # validity of 730 days is ASM-045's (a deviation).
        assert (("4.2",), ()) in grades and (("1.3.1", "3.9"), ("ASM-045",)) in grades


class TestTokenList:
    def test_another_order_deviates(self, spec: Spec, generated: GeneratedSet) -> None:
        killed = _killed(_filtered(spec, tokens_reversed), generated)
        assert killed.field == "tokens.order" and killed.grounds.assumptions == ("ASM-064",)

    def test_a_token_missing_fails(self, spec: Spec, generated: GeneratedSet) -> None:
        killed = _killed(_filtered(spec, last_token_unlisted), generated)
        assert killed.field == "tokens" and killed.grounds.verdict == "fail"


class TestTexts:
    def test_a_prefix_line_may_go_on(self, spec: Spec, generated: GeneratedSet) -> None:
        assert _failures(_filtered(spec, longer_prefix_line), generated) == []

    def test_a_wrong_line_fails(self, spec: Spec, generated: GeneratedSet) -> None:
        impl = Impl(spec, mutant_named("version_4_0_0").build(spec))
        killed = _killed(impl, generated)
        assert killed.field == "texts" and killed.grounds.sections == ("3.11",)


class TestBrowser:
    def test_how_long_the_address_stays_is_not_compared(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        assert _failures(Impl(spec, StickyBrowser(spec)), generated) == []

    def test_nor_by_the_walk(self, spec: Spec) -> None:
        # The walk taps the logo and goes on; before issue 12 it failed this mutant there.
        impl = Impl(spec, StickyBrowser(spec))
        one_token = (fixture_named("one_token"),)
        assert differential_check(impl, spec, max_examples=100, seed=0, fixtures=one_token).ok

    def test_the_page_a_tap_opens_is(self, spec: Spec, generated: GeneratedSet) -> None:
        wrong = Mutant(
            "wrong_link", "2.2", "opens another page", actions={"open_link": _wrong_link}
        )
        killed = _killed(Impl(spec, wrong.build(spec)), generated)
        assert killed.field == "browser" and killed.grounds.sections == ("2.2",)


_CONFIRM_T1 = (
    WalkStep("launch"),
    WalkStep("tap", "取引確認開始"),
    WalkStep("tap", "OK"),
    WalkStep("tap", "更新"),
    WalkStep("tap", "お取引内容を確認しました"),
    WalkStep("tap", "OK"),
    WalkStep("tap", "OK"),
)


class TestNotify:
    def test_a_confirmed_transaction_is_never_notified(self, spec: Spec) -> None:
        # The walk confirms T1, then takes a notification whenever one is offered: none is,
        # so a mutant answering such a `notify` its own way is not failed for it.
        script = list(_CONFIRM_T1)
        chosen: list[WalkStep] = []

        def choose(options: list[Any]) -> Any:
            if options and isinstance(options[0], list):  # the kind of step first
                wanted = script[0] if script else None
                for group in options:
                    if wanted in group or (wanted is None and any(s.op == "notify" for s in group)):
                        return group
                return options[0]
            step = script.pop(0) if script and script[0] in options else options[0]
            chosen.append(step)
            return step

        walker = _Walker(Impl(spec, LenientNotify(spec)), spec)
        found = walker.run(fixture_named("one_token"), len(_CONFIRM_T1) + 6, choose)
        assert found is None
        assert chosen[: len(_CONFIRM_T1)] == list(_CONFIRM_T1)
        assert walker.reference.observe()["screen"]["title"] != "取引確認"
        assert not [s for s in chosen[len(_CONFIRM_T1) :] if s.op == "notify"]
        assert not walker.reference.pending("T1")

    def test_a_notification_that_does_not_show_is_found(
        self, spec: Spec, generated: GeneratedSet
    ) -> None:
        silent = Mutant(
            "silent", "3.13.2", "no notification", actions={"receive_notification": _no_op}
        )
        killed = _killed(Impl(spec, silent.build(spec)), generated)
        assert killed.field == "elements" and "3.13.2" in killed.grounds.sections


def _no_op(s: Session) -> None:
    s.incoming = None
