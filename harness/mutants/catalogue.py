"""Non-conforming implementations: the reference with one plausible bug each.

A conformance suite that passes the reference and every one of these proves nothing; one
that kills them all discriminates. Each `Mutant` (harness/mutants/app.py) names the manual
section its bug breaks. The bugs made by changing the loaded spec are here; those in what
the app does on screen are in behaviour.py, those that get an effect the manual promises
wrong in effects.py (passwords, PINs, tokens) and transactions.py (3.13, and the service's
own judgement), each named by the contract of spec/contracts.yaml it breaks, if any.

`otpspec serve --mutant NAME` serves one (harness/cli/mutants.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from harness.mutants.app import Mutant, MutantApp
from harness.mutants.behaviour import BEHAVIOUR_MUTANTS
from harness.mutants.edit import (
    delete_transitions,
    edit_element,
    edit_transitions,
    set_input,
    set_rule,
    without_variant,
)
from harness.mutants.effects import EFFECT_MUTANTS
from harness.mutants.transactions import TRANSACTION_MUTANTS
from statechart.model import Transition

__all__ = ["MUTANTS", "Mutant", "MutantApp", "mutant_named"]

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
               lambda s: set_rule(s, "max_tokens", 11), contract="token_limit"),
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


MUTANTS: Final[tuple[Mutant, ...]] = (
    _spec_mutants() + BEHAVIOUR_MUTANTS + EFFECT_MUTANTS + TRANSACTION_MUTANTS
)
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
