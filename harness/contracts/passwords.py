"""Contracts on passwords and secrets (2.1, 3.1.2, 3.1.3, 3.8, 3.10, 3.13.2, 4.2).

Each check owns its case alone, so that one bug breaks one contract: `password_value`
judges the password of a PIN typed on 「PIN入力」 (or of no PIN), `pin_change_takes_effect`
the password right after 3.8, `initial_pin_is_activation_password` the one right after
1.3.1, and so on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from harness.contracts.advance import app_password, confirming
from harness.contracts.oracle import accepted_step, password
from harness.contracts.registry import contract
from harness.contracts.step import Step, shown_date
from harness.contracts.types import Finding
from harness.contracts.world import Token, World
from statechart.clock import jst_date

__all__: list[str] = []

_PIN_FIELDS = ("現在のPIN", "新しいPIN", "新しいPIN(確認用)")
_PIN = re.compile(r"[0-9]{4,8}")


def _shown_password(step: Step) -> tuple[str, Token] | None:
    """The password on screen and the token it is for (by serial, else the one in use)."""
    otp = None if step.view is None else step.view.get("otp")
    if not isinstance(otp, str):
        return None
    token = step.shown_token() or step.world.selected_token
    return None if token is None else (otp, token)


def _pin_source(world: World, token: Token) -> str | None:
    return world.pin_source if token.serial == world.selected else None


@contract("password_format", aspects=("digits",))
def _format(step: Step) -> Iterator[Finding]:
    otp = None if step.view is None else step.view.get("otp")
    digits = step.world.params.digits
    if otp is not None and not (isinstance(otp, str) and re.fullmatch(f"[0-9]{{{digits}}}", otp)):
        # The manual shows six digits but never says how many (ASM-030).
        yield Finding(
            "the password shown is not 6 half-width digits", f"{digits} digits", repr(otp), "digits"
        )


@contract("password_value")
def _value(step: Step) -> Iterator[Finding]:
    shown = _shown_password(step)
    if shown is None:
        return
    otp, token = shown
    if _pin_source(step.world, token) in ("changed", "initial"):
        return  # pin_change_takes_effect and initial_pin_… own these
    # A password of another length is also judged here: whatever the manual leaves open
    # about its format (ASM-030), it must authenticate at the documented service.
    expected = app_password(step.world, token)
    if otp == expected:
        return
    params = step.world.params
    bare = password(token.seed, None, step.world.device_now, period=params.period,
                    digits=params.digits)  # fmt: skip
    why = " (it is the password without the PIN)" if token.pin and otp == bare else ""
    yield Finding(
        f"the password of 「{token.display_name}」 is not RFC 6238 of its seed"
        f"{' and PIN' if token.pin else ''} at the device clock{why}",
        expected,
        otp,
    )


@contract("expired_token_shows_no_password", aspects=("while_shown",))
def _expired(step: Step) -> Iterator[Finding]:
    otp = None if step.view is None else step.view.get("otp")
    if otp is None:
        return
    expiry = shown_date(step.shown_token_field("expires"))
    if step.shown == "有効期限切れ" or (expiry is not None and expiry < step.world.device_date):
        # At launch 3.9.2 shows 「有効期限切れ」 with no password; that the password also goes
        # on a screen reached otherwise (one open before the token expired, a tab) is
        # ASM-053's decision.
        elsewhere = step.request.op != "launch" and step.shown != "有効期限切れ"
        yield Finding(
            f"a password shows for a token that expired on {step.shown_token_field('expires')}",
            "no password",
            "a password",
            "while_shown" if elsewhere else "",
        )


def _effect_password(step: Step, source: str) -> Iterator[tuple[str, str, Token]]:
    shown = _shown_password(step)
    if shown is None or _pin_source(step.world, shown[1]) != source:
        return
    otp, token = shown
    expected = app_password(step.world, token)
    if otp != expected:
        yield otp, expected, token


@contract("initial_pin_is_activation_password")
def _initial_pin(step: Step) -> Iterator[Finding]:
    for otp, expected, token in _effect_password(step, "initial"):
        yield Finding(
            f"after 初期設定 the password of 「{token.display_name}」 is not computed with the"
            " activation password as its PIN",
            expected,
            otp,
        )
    verdict = _pin_change_verdict(step)
    if verdict is not None and verdict[0].pin_initial:
        yield verdict[1]


@contract("pin_change_takes_effect")
def _pin_change_effect(step: Step) -> Iterator[Finding]:
    for otp, expected, token in _effect_password(step, "changed"):
        yield Finding(
            f"after PIN変更 the password of 「{token.display_name}」 is not computed with the"
            " new PIN",
            expected,
            otp,
        )


def _pin_change_verdict(step: Step) -> tuple[Token, Finding] | None:
    """PIN変更's [送信]: S1C2 exactly when 「現在のPIN」 is not the token's PIN (3.8, 4.3)."""
    if step.on != "PIN変更" or step.on_dialog or step.tapped != "送信" or step.view is None:
        return None
    token = step.before.selected_token
    typed = [step.before.typed.get(label) for label in _PIN_FIELDS]
    if token is None or token.pin is None or not step.server_judged("pin_change"):
        return None
    if any(t is None or not _PIN.fullmatch(t) for t in typed) or typed[1] != typed[2]:
        return None  # A912 territory, the app's own check
    account = step.before.account(token)
    if account is not None and account.state != "active":
        return None
    expiry = shown_date(step.before.expiries.get(token.serial))
    if expiry is not None and expiry < jst_date(step.before.now):
        return None  # S1E3
    if step.failed and step.error_code != "S1C2":
        return None
    accepted = not step.failed
    right = typed[0] == token.pin
    if accepted == right:
        return None
    finding = Finding(
        "PIN変更 " + ("accepted a wrong" if accepted else "refused the right") + " 「現在のPIN」",
        "success" if right else "S1C2",
        "success" if accepted else "S1C2",
    )
    return token, finding


@contract("current_pin_checked")
def _current_pin(step: Step) -> Iterator[Finding]:
    verdict = _pin_change_verdict(step)
    if verdict is not None and not verdict[0].pin_initial:
        yield verdict[1]


def _confirmation(step: Step) -> tuple[bool, bool, bool] | None:
    """For 認証確認's [OK]: (accepted, service accepts, accepts without correction)."""
    if not confirming(step.before_view, step.tapped or "") or step.view is None:
        return None
    world = step.before
    token = world.selected_token
    transaction = world.transaction(world.shown_transaction)
    if token is None or transaction is None or not transaction.pending(world.now):
        return None
    account = world.account(token)
    expiry = shown_date(world.expiries.get(token.serial))
    if not step.server_judged("transaction_confirm") or (account and account.state != "active"):
        return None
    if expiry is not None and expiry < jst_date(world.now):
        return None  # S6D2, a token not valid (ASM-048)
    if step.failed and step.error_code != "S6H2":
        return None
    accepted = not step.failed
    sent = app_password(world, token)
    used = frozenset(world.used_steps.get(token.key, set()))
    params = world.params
    correction = world.corrections.get(token.key, 0)

    def accepts(seconds: int) -> bool:
        step_ = accepted_step(sent, token.seed, token.pin, world.now, correction=seconds,
                              used=used, period=params.period, digits=params.digits)  # fmt: skip
        return step_ is not None

    return accepted, accepts(correction), accepts(0)


@contract("correction_takes_effect")
def _correction(step: Step) -> Iterator[Finding]:
    verdict = _confirmation(step)
    if verdict is None:
        return
    accepted, expected, uncorrected = verdict
    if accepted != expected and expected != uncorrected:
        yield Finding(
            "after パスワード補正 the service does not allow for the corrected clock",
            "success" if expected else "S6H2",
            "success" if accepted else "S6H2",
        )


@contract("password_verdict")
def _verdict(step: Step) -> Iterator[Finding]:
    verdict = _confirmation(step)
    if verdict is None:
        return
    accepted, expected, uncorrected = verdict
    if accepted != expected and expected == uncorrected:
        what = "refused a valid" if expected else "accepted a used or wrong"
        yield Finding(
            f"認証確認 {what} password",
            "success" if expected else "S6H2",
            "success" if accepted else "S6H2",
        )


@contract("secrets_masked", aspects=("mask",))
def _masked(step: Step) -> Iterator[Finding]:
    fields = None if step.view is None else step.view.get("fields")
    if not isinstance(fields, dict):
        return
    params = step.world.params
    for label, shown in fields.items():
        if label not in params.secret_labels or not isinstance(shown, str) or not shown:
            continue
        typed = step.world.typed.get(label)
        if set(shown) == {params.mask}:
            if typed is not None and len(shown) != len(typed):
                yield Finding(
                    f"「{label}」 does not show one mask per character typed",
                    f"{len(typed)} × {params.mask}",
                    f"{len(shown)} × {params.mask}",
                    "mask",
                )
        elif set(shown) & (set(typed) if typed is not None else {c for c in shown if c.isalnum()}):
            # A character typed shows in clear: the manual's マスク表示 (3.1.2, 3.1.3).
            yield Finding(f"「{label}」 shows what was typed", "masked", "characters in clear")
        else:
            # Masked, with another character or count: ASM-032's ● per character.
            yield Finding(f"「{label}」 is masked otherwise", f"{params.mask} per character",
                          f"{len(shown)} × {sorted(set(shown))[0]!r}", "mask")  # fmt: skip
