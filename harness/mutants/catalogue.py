"""Non-conforming implementations: the reference with one plausible bug each.

A conformance suite that passes the reference and every one of these proves nothing; one
that kills them all discriminates. Each `Mutant` names the manual section its bug breaks.
Most bugs are a change to the loaded spec (`apply`, on the frozen model with
dataclasses.replace: a rule value, an input rule's max, an element's `when`, a
transition's target); bugs that live in Python behaviour build a `MutantApp`, the reference
with a guard, an action or the view replaced for that app alone (nothing global is patched).

`otpspec serve --mutant NAME` serves one (harness/cli/mutants.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Final

from harness.mutants.edit import (
    delete_transitions,
    edit_element,
    edit_transitions,
    set_input,
    set_rule,
    without_variant,
)
from statechart.actions import ACTIONS
from statechart.app import ReferenceApp
from statechart.domain import default_added_text
from statechart.guards import GUARDS
from statechart.inputs import check_input
from statechart.machine import StateMachine
from statechart.model import Spec, Transition
from statechart.session import Session
from statechart.view import ViewBuilder

__all__ = ["MUTANTS", "Mutant", "MutantApp", "mutant_named"]

ActionFunction = Callable[[Session], None]
GuardFunction = Callable[[Session], bool]
ViewFilter = Callable[[Spec, dict[str, Any]], dict[str, Any]]


class MutantApp(ReferenceApp):
    """The reference app with some actions, guards or the view replaced for this app only.

    Args:
        spec: The (possibly mutated) spec.
        name: The mutant's name, given in `hello`.
        actions: Action name → its replacement.
        guards: Guard name → its replacement.
        view: Rewrites every view before it is returned.
    """

    def __init__(
        self,
        spec: Spec,
        name: str,
        *,
        actions: Mapping[str, ActionFunction] | None = None,
        guards: Mapping[str, GuardFunction] | None = None,
        view: ViewFilter | None = None,
    ) -> None:
        super().__init__(spec)
        self.mutant = name
        self._view_filter = view
        if actions or guards:
            # The reference binds its guards and actions once; rebinding here keeps the
            # module-level registries untouched for every other app in the process.
            bound_guards = {
                n: partial(self._ask, f) for n, f in {**GUARDS, **(guards or {})}.items()
            }
            bound_actions = {
                n: partial(self._do, f) for n, f in {**ACTIONS, **(actions or {})}.items()
            }
            self._guards = bound_guards
            self.machine = StateMachine(spec.statechart, bound_guards, bound_actions)
            scalars = {k: v for k, v in spec.rules.values.items() if isinstance(v, str | int)}
            self._views = ViewBuilder(spec.statechart, scalars, bound_guards)

    def hello(self) -> dict[str, Any]:
        """Names the mutant, so a report shows what ran."""
        return {**super().hello(), "name": f"otpspec-mutant-{self.mutant}"}

    def observe(self) -> dict[str, Any]:
        """The view now, through the mutant's view filter if it has one."""
        view = super().observe()
        return view if self._view_filter is None else self._view_filter(self.spec, view)


def _unchanged(spec: Spec) -> Spec:
    return spec


@dataclass(frozen=True)
class Mutant:
    """A named bug: the section it breaks, what it does, and how it is made.

    Attributes:
        name: ascii, for `--mutant`.
        section: The manual section the bug breaks ("3.3 / 4.3" for two).
        description: The bug, in a line.
        apply: Turns the loaded spec into the mutated spec.
        actions: Actions replaced in the app (Python-behaviour bugs).
        guards: Guards replaced in the app.
        view: A rewrite of every view.
    """

    name: str
    section: str
    description: str
    apply: Callable[[Spec], Spec] = _unchanged
    actions: Mapping[str, ActionFunction] = field(default_factory=dict)
    guards: Mapping[str, GuardFunction] = field(default_factory=dict)
    view: ViewFilter | None = None

    @property
    def sections(self) -> tuple[str, ...]:
        """The section ids of `section`."""
        return tuple(part.strip() for part in self.section.split("/"))

    def build(self, spec: Spec) -> MutantApp:
        """The mutated app, from the loaded spec."""
        mutated = self.apply(spec)
        return MutantApp(
            mutated, self.name, actions=self.actions, guards=self.guards, view=self.view
        )


# ---- Python-behaviour bugs


def _field(s: Session, label: str) -> str:
    value = s.form.get(label, "")
    return value if isinstance(value, str) else ""


def _issue_without_duplicate_check(s: Session, variant: str | None) -> bool:
    """初期設定/トークン追加 as the reference does it, minus the A916 check."""
    fields = {
        "サービスID": "service_id",
        "ユーザID": "user_id",
        "利用開始パスワード": "activation_password",
    }
    for label, rule_name in fields.items():
        rule = s.spec.rules.inputs[rule_name]
        if not check_input(_field(s, label), rule.charset, rule.min, rule.max):
            s.fail("A911", variant)
            return False
    service_id, user_id = _field(s, "サービスID"), _field(s, "ユーザID")
    world = s.world
    outcome = s.server.issue(
        service_id,
        user_id,
        _field(s, "利用開始パスワード"),
        world.now,
        world.device.skew_seconds,
        world.online,
    )
    if outcome.code is not None or outcome.token is None:
        s.fail(outcome.code or "A999", variant)
        return False
    outcome.token.added_text = default_added_text(
        world.services[service_id],
        s.tokens,
        first=s.rules.suffix_first,
        pattern=s.rules.suffix_pattern,
    )
    s.tokens.append(outcome.token)
    s.naming = len(s.tokens) - 1
    return True


def _issue_no_a916(s: Session) -> None:
    if _issue_without_duplicate_check(s, None):
        s.world.app.selected = s.naming


def _add_no_a916(s: Session) -> None:
    _issue_without_duplicate_check(s, "token_add")


def _add_without_suffix(s: Session) -> None:
    ACTIONS["request_token_add"](s)
    if not s.failed and s.naming is not None:
        s.tokens[s.naming].added_text = ""


_FULL_DIGITS: Final = str.maketrans("０１２３４５６７８９", "0123456789")
_LOCK_FIELDS: Final = ("アプリロックコード", "アプリロックコード(確認用)")


def _halfwidth_lock_fields(action: str) -> ActionFunction:
    """The action, after turning full-width digits in the lock code fields into half-width."""

    def run(s: Session) -> None:
        for label in _LOCK_FIELDS:
            value = s.form.get(label)
            if isinstance(value, str):
                s.form[label] = value.translate(_FULL_DIGITS)
        ACTIONS[action](s)

    return run


def _launch_ignoring_memory(s: Session) -> None:
    device = s.world.device
    low, device.memory_low = device.memory_low, False
    try:
        ACTIONS["begin_launch"](s)
    finally:
        device.memory_low = low


def _pin_entry_checked_locally(s: Session) -> None:
    ACTIONS["check_pin_entry"](s)
    token = s.selected
    if not s.failed and token is not None and s.entered_pin != token.pin:
        s.fail("A913")


def _link_even_without_one(s: Session) -> None:
    ACTIONS["open_link"](s)
    if s.browser is None:
        s.browser = "https://www.example.com/"


def _without_serial(spec: Spec, view: dict[str, Any]) -> dict[str, Any]:
    prefix = str(spec.rules.value("serial_format")).split("{", 1)[0]
    return {**view, "texts": [t for t in view["texts"] if not t.startswith(prefix)]}


# ---- spec bugs


def _back_exits(transition: Transition) -> Transition | None:
    if transition.key == "back" and (transition.target or "").endswith(".exit_confirm"):
        return _retarget(transition, "closed", ("end_session",))
    return transition


def _retarget(
    transition: Transition, target: str, actions: tuple[str, ...] | None = None
) -> Transition:
    return replace(
        transition, target=target, actions=transition.actions if actions is None else actions
    )


def _is_popup(transition: Transition) -> bool:
    return transition.target == "running.main.settings.privacy.popup"


_DELETED: Final = "running.main.settings.token_delete_confirm.deleted"


def _menu_after_deleting_selected(transition: Transition) -> Transition:
    if transition.unless == ("has_selected_token",):
        return _retarget(transition, "running.main.settings.menu")
    return transition


_LOCK_SCREEN: Final = "running.main.settings.app_lock"


def _lock_on_without_caution(transition: Transition) -> Transition:
    if transition.target == f"{_LOCK_SCREEN}.caution_on":
        return _retarget(transition, _LOCK_SCREEN, ("turn_lock_form_on",))
    return transition


def _spec_mutants() -> tuple[Mutant, ...]:
    """Bugs made by changing the loaded spec."""
    return (
        Mutant("lock_code_33_digits", "3.5", "a 33-digit app lock code is accepted",
               lambda s: set_input(s, "app_lock_code", max=33)),
        Mutant("eleventh_token", "3.3", "an 11th token can be added (the limit is 11)",
               lambda s: set_rule(s, "max_tokens", 11)),
        Mutant("delete_selected_goes_to_menu", "3.4",
               "deleting the token in use returns to 設定メニュー, not トークン選択",
               lambda s: edit_transitions(s, _DELETED, _menu_after_deleting_selected)),
        Mutant("renewal_at_181_days", "3.9.1", "the renewal prompt appears 181 days before expiry",
               lambda s: set_rule(s, "renewal_window_days", 181)),
        Mutant("period_30s", "2.1", "the password changes every 30 seconds",
               lambda s: set_rule(s, "otp_period_seconds", 30)),
        Mutant("back_exits_at_once", "2.3.2", "the back key exits without the confirmation dialog",
               lambda s: edit_transitions(s, None, _back_exits)),
        Mutant("pin_9_digits", "3.8", "a 9-digit PIN is accepted",
               lambda s: set_input(s, "pin", max=9)),
        Mutant("send_before_checkbox", "1.3.1", "[送信] is offered before the checkbox is ticked",
               lambda s: edit_element(s, "running.setup.initial_setup", "送信", when=())),
        Mutant("expired_shows_otp", "3.9.2", "an expired token shows its password",
               lambda s: delete_transitions(
                   s, "running.token_route", lambda t: t.guard == ("selected_expired",))),
        Mutant("version_4_0_0", "3.11", "このアプリについて shows Version4.0.0",
               lambda s: set_rule(s, "version", "4.0.0")),
        Mutant("no_privacy_popup", "3.15", "after 「同意しない」 the app is left without the popup",
               lambda s: delete_transitions(s, "running.main.settings.privacy", _is_popup)),
        Mutant("no_s4h9", "3.10", "S4H9 is never raised: corrections may repeat at once",
               lambda s: set_rule(s, "correction_repeat_seconds", 0)),
        Mutant("token_tab_with_one_token", "3.2", "the トークン選択 tab shows with one token",
               lambda s: edit_element(s, "running.main", "トークン選択", when=())),
        Mutant("no_token_add_variant", "4.3", "トークン追加 errors say the 初期設定 message",
               lambda s: without_variant(s, "token_add")),
        Mutant("transaction_ok_unticked", "3.13.2", "[OK] shows before the checkbox is ticked",
               lambda s: edit_element(
                   s, "running.main.transaction", "OK", when=("has_transaction",))),
        Mutant("biometrics_on_android_5", "3.14", "biometric login is offered on Android 5",
               lambda s: set_rule(s, "biometric_min_os", {"android": "5.0", "ios": "9.0"})),
        Mutant("lock_not_asked", "3.1.2", "the app lock code is not asked at launch",
               lambda s: delete_transitions(
                   s, "running.launch_route", lambda t: t.guard == ("app_lock_set",))),
        Mutant("renewal_adds_180_days", "3.9.1", "renewal extends the expiry by 180 days, not 365",
               lambda s: set_rule(s, "renewal_extension_days", 180)),
        Mutant("lock_toggle_no_caution", "3.5", "turning the app lock on skips the caution dialog",
               lambda s: edit_transitions(s, _LOCK_SCREEN, _lock_on_without_caution)),
    )  # fmt: skip


def _behaviour_mutants() -> tuple[Mutant, ...]:
    """Bugs in what the app does: an action or the view replaced."""
    lock_actions = ("apply_app_lock", "check_lock_code")
    return (
        Mutant("no_suffix", "3.3", "a second token of a service gets no _2 suffix",
               actions={"request_token_add": _add_without_suffix}),
        Mutant("no_a916", "3.3 / 4.3", "A916 is never raised: a token can be registered twice",
               actions={"request_issue": _issue_no_a916, "request_token_add": _add_no_a916}),
        Mutant("full_width_lock_code", "3.5", "full-width digits are accepted in the lock code",
               actions={name: _halfwidth_lock_fields(name) for name in lock_actions}),
        Mutant("no_serial_line", "4.2", "the serial number line is missing",
               view=_without_serial),
        Mutant("memory_not_checked", "4.1", "a shortage of memory is not detected at launch",
               actions={"begin_launch": _launch_ignoring_memory}),
        Mutant("wrong_pin_refused", "4.2", "a wrong PIN shows A913 instead of a wrong password",
               actions={"check_pin_entry": _pin_entry_checked_locally}),
        Mutant("link_without_link", "2.2", "the logo opens a page though the service has no link",
               actions={"open_link": _link_even_without_one}),
    )  # fmt: skip


MUTANTS: Final[tuple[Mutant, ...]] = _spec_mutants() + _behaviour_mutants()
"""Every mutant, in the order `otpspec mutants` lists them."""


def mutant_named(name: str) -> Mutant:
    """The mutant called `name`.

    Raises:
        KeyError: No such mutant; the message lists the names.
    """
    for mutant in MUTANTS:
        if mutant.name == name:
            return mutant
    raise KeyError(f"no mutant {name!r}; known: {', '.join(m.name for m in MUTANTS)}")
