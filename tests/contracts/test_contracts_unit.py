"""Each contract on hand-made view sequences: no implementation involved.

The numbers come from docs/protocol.md's worked example: the demo token MIRAI01/USER0001
(serial 10674761) shows 799070 at 2026-04-01 09:00 JST, 624714 with PIN 1234, 012489 with
the device clock 90 s ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from contract_helpers import DETAILS, NOW, fixture, token, token_view, transactions, view

from harness.contracts import Breach, Monitor, Refusal, Request
from harness.contracts.advance import NOTHING_TO_CONFIRM, says_nothing_to_confirm
from statechart.model import Spec

R = Request.of
BANK = "ミレインターネットバンキング"
SERIAL = "10674761"
OTP = "799070"
Steps = Sequence[tuple[Request, Any]]


def run(spec: Spec, steps: Steps) -> list[Breach]:
    monitor = Monitor(spec)
    found: list[Breach] = []
    for request, outcome in steps:
        found += monitor.step(request, outcome)
    return found


def broken(spec: Spec, steps: Steps) -> set[str]:
    return {breach.contract for breach in run(spec, steps)}


def otp_view(otp: str | None = OTP, *, name: str = BANK, serial: str = SERIAL,
             expires: str = "2027/12/31", **parts: Any) -> dict[str, Any]:  # fmt: skip
    return view("ワンタイムパスワード", otp=otp, token=token_view(name, serial, expires), **parts)


ONE = fixture(token())
START: Steps = [(R("reset", fixture=ONE), view()), (R("launch"), otp_view())]


class TestPasswords:
    def test_the_documented_password_passes(self, spec: Spec) -> None:
        assert run(spec, START) == []

    def test_format(self, spec: Spec) -> None:
        steps = [*START[:1], (R("launch"), otp_view("79907"))]
        first, *rest = run(spec, steps)
        # Five digits do not authenticate: a fail of password_value, named first; that the
        # format is six digits is ASM-030's alone.
        assert (first.contract, first.assumed) == ("password_value", ())
        assert [(b.contract, b.assumed) for b in rest] == [("password_format", ("ASM-030",))]

    def test_value(self, spec: Spec) -> None:
        steps = [*START[:1], (R("launch"), otp_view("123456"))]
        assert broken(spec, steps) == {"password_value"}

    def test_changes_at_the_minute_boundary_only(self, spec: Spec) -> None:
        same = [*START, (R("clock", advance=59), otp_view())]
        assert run(spec, same) == []
        stale = [*START, (R("clock", advance=60), otp_view())]
        assert broken(spec, stale) == {"password_value"}

    def test_device_clock(self, spec: Spec) -> None:
        ahead = fixture(token(), device={"skew_seconds": 90})
        assert (
            run(spec, [(R("reset", fixture=ahead), view()), (R("launch"), otp_view("012489"))])
            == []
        )
        assert broken(spec, [(R("reset", fixture=ahead), view()), (R("launch"), otp_view())]) == {
            "password_value"
        }

    def test_pin_typed(self, spec: Spec) -> None:
        pin_token = fixture(token(serial=SERIAL, seed="A56W7MBEETPJMSDBMYP7QUEAYABGSECM",
                                  user="PINUSER", service="PIN01", pin="1234"))  # fmt: skip
        steps = [
            (R("reset", fixture=pin_token), view()),
            (R("launch"), view("PIN入力", fields={"PIN": ""})),
            (R("enter", field="PIN", value="1234"), view("PIN入力", fields={"PIN": "●●●●"})),
            (R("tap", target="確定"), otp_view("624714", name="PINバンク")),
        ]
        assert run(spec, steps) == []
        without_pin = [*steps[:-1], (R("tap", target="確定"), otp_view(OTP, name="PINバンク"))]
        found = run(spec, without_pin)
        assert [b.contract for b in found] == ["password_value"]
        assert "without the PIN" in found[0].message

    def test_expired_shows_none(self, spec: Spec) -> None:
        steps = [*START[:1], (R("launch"), otp_view(expires="2026/03/31"))]
        assert "expired_token_shows_no_password" in broken(spec, steps)
        fine = [*START[:1], (R("launch"), otp_view(None, expires="2026/03/31"))]
        assert run(spec, fine) == []


class TestSecrets:
    def _typed(self, shown: str) -> Steps:
        pin_token = fixture(token("PINUSER", "PIN01", pin="1234"))
        return [
            (R("reset", fixture=pin_token), view()),
            (R("launch"), view("PIN入力", fields={"PIN": ""})),
            (R("enter", field="PIN", value="1234"), view("PIN入力", fields={"PIN": shown})),
        ]

    def test_masked(self, spec: Spec) -> None:
        assert run(spec, self._typed("●●●●")) == []

    @pytest.mark.parametrize(
        ("shown", "assumed"),
        [("1234", ()), ("●●3●", ()), ("●●●", ("ASM-032",)), ("****", ("ASM-032",))],
    )
    def test_only_a_character_in_clear_is_the_manuals(
        self, spec: Spec, shown: str, assumed: tuple[str, ...]
    ) -> None:
        (breach,) = run(spec, self._typed(shown))
        assert breach.assumed == assumed

    @pytest.mark.parametrize("shown", ["1234", "●●●", "●●●●●", "●●3●"])
    def test_not_masked(self, spec: Spec, shown: str) -> None:
        found = run(spec, self._typed(shown))
        assert {b.contract for b in found} == {"secrets_masked"}
        assert all("1234" not in text for b in found for text in (b.message, b.expected,
                                                                   b.observed))  # fmt: skip


def _two_tokens() -> dict[str, Any]:
    return fixture(token(), token("USER0002"))


LIST = [BANK, f"{BANK}_2"]


class TestTokens:
    def _select(self, shown: list[str]) -> Steps:
        return [
            (R("reset", fixture=_two_tokens()), view()),
            (R("launch"), view("トークン選択", tokens=shown)),
        ]

    def test_names_in_order(self, spec: Spec) -> None:
        assert run(spec, self._select(LIST)) == []
        assert broken(spec, self._select([BANK, BANK])) == {"display_names"}
        assert broken(spec, self._select(LIST[::-1])) == {"display_names"}

    @pytest.mark.parametrize(
        ("shown", "assumed"),
        [
            (LIST[::-1], ("ASM-064",)),  # the same tokens in another order
            ([BANK, f"{BANK}_3"], ("ASM-012",)),  # the number after _ only
            ([BANK, f"{BANK}本店"], ()),
            ([BANK, BANK], ()),
        ],
    )
    def test_what_only_an_assumption_requires(
        self, spec: Spec, shown: list[str], assumed: tuple[str, ...]
    ) -> None:
        steps = [
            *self._select(LIST),
            (R("tap", target=f"{BANK}_2"), otp_view(name=shown[1], serial="54449013")),
        ]
        if shown == LIST[::-1]:
            steps = self._select(shown)
        found = [b for b in run(spec, steps) if b.contract == "display_names"]
        assert found and {b.assumed for b in found} == {assumed}

    def test_limit(self, spec: Spec) -> None:
        assert "token_limit" in broken(spec, self._select([f"T{n}" for n in range(11)]))

    def test_serial(self, spec: Spec) -> None:
        steps = [*START[:1], (R("launch"), otp_view(serial="99999999"))]
        assert broken(spec, steps) == {"token_serial"}

    def test_selection(self, spec: Spec) -> None:
        chosen = [*self._select(LIST), (R("tap", target=f"{BANK}_2"),
                                       otp_view(None, name=BANK, serial=SERIAL))]  # fmt: skip
        assert "selection_kept" in broken(spec, chosen)

    def _delete(self, confirm_shows: str, listed: list[str]) -> Steps:
        bank2 = fixture(token(), token("USER0002"), app=_two_tokens()["app"] | {"selected": 0})
        serials = {BANK: SERIAL, f"{BANK}_2": "54449013"}
        return [
            (R("reset", fixture=bank2), view()),
            (R("launch"), view("トークン選択", tokens=LIST)),
            (R("tap", target=BANK), otp_view()),
            (R("tap", target="設定"), view("設定メニュー")),
            (R("tap", target="トークン削除"), view("トークン削除", tokens=LIST)),
            (R("tap", target=f"{BANK}_2"),
             view("トークン削除確認", token=token_view(confirm_shows, serials[confirm_shows]))),
            (R("tap", target="削除"), view("設定メニュー")),
            (R("tap", target="トークン選択"), view("トークン選択", tokens=listed)),
        ]  # fmt: skip

    def test_deletion(self, spec: Spec) -> None:
        assert run(spec, self._delete(f"{BANK}_2", [BANK])) == []
        assert broken(spec, self._delete(BANK, [BANK])) == {"acted_on_token_is_named"}
        assert broken(spec, self._delete(f"{BANK}_2", [f"{BANK}_2"])) == {
            "deletion_removes_that_token"
        }

    def _rename(self, shown_after: str) -> Steps:
        current = f"{BANK}本店用"
        on_screen = view("トークン表示名設定", token=token_view(current, SERIAL))
        return [
            (R("reset", fixture=fixture(token(suffix="本店用"))), view()),
            (R("launch"), otp_view(name=current)),
            (R("tap", target="設定"), view("設定メニュー")),
            (R("tap", target="トークン表示名設定"), on_screen),
            (R("enter", field="変更後の追加文言", value=""), on_screen),
            (R("tap", target="登録"),
             view("トークン表示名設定", token=token_view(shown_after, SERIAL))),
        ]  # fmt: skip

    def test_display_text(self, spec: Spec) -> None:
        assert run(spec, self._rename(BANK)) == []
        assert broken(spec, self._rename(f"{BANK}本店用")) == {"display_text_applied"}


class TestEffects:
    def test_lock_asked_exactly_when_set(self, spec: Spec) -> None:
        locked = fixture(token(), app=fixture(token())["app"] | {"app_lock_code": "2468"})
        asked = view("アプリロックコード入力", fields={"アプリロックコード": ""})
        assert run(spec, [(R("reset", fixture=locked), view()), (R("launch"), asked)]) == []
        found = run(spec, [(R("reset", fixture=locked), view()), (R("launch"), otp_view())])
        assert {b.contract for b in found} == {"lock_code_in_force"}
        assert all("2468" not in b.message + b.expected + b.observed for b in found)
        assert broken(spec, [(R("reset", fixture=ONE), view()), (R("launch"), asked)]) == {
            "lock_code_in_force"
        }

    def test_wrong_lock_code_accepted(self, spec: Spec) -> None:
        locked = fixture(token(), app=fixture(token())["app"] | {"app_lock_code": "2468"})
        asked = view("アプリロックコード入力", fields={"アプリロックコード": ""})
        steps = [
            (R("reset", fixture=locked), view()),
            (R("launch"), asked),
            (R("enter", field="アプリロックコード", value="1111"),
             view("アプリロックコード入力", fields={"アプリロックコード": "●●●●"})),
            (R("tap", target="確定"), otp_view()),
        ]  # fmt: skip
        assert broken(spec, steps) == {"lock_code_in_force"}

    def test_renewal_later(self, spec: Spec) -> None:
        soon = fixture(token(expires="2026-07-01"))
        renewal = view("有効期限更新", token=token_view(BANK, SERIAL, "2026/07/01"))

        def steps(after: str) -> Steps:
            done = view("有効期限更新完了", token=token_view(BANK, SERIAL, after))
            return [(R("reset", fixture=soon), view()), (R("launch"), renewal),
                    (R("tap", target="今すぐ更新"), done)]  # fmt: skip

        assert run(spec, steps("2027/07/01")) == []
        assert broken(spec, steps("2026/07/01")) == {"renewal_extends_expiry"}

    def test_refusal_changes_nothing(self, spec: Spec) -> None:
        steps = [*START, (R("tap", target="削除"), Refusal("not_found", "not on screen")),
                 (R("observe"), otp_view())]  # fmt: skip
        assert run(spec, steps) == []


def _confirmation_steps(first: dict[str, str], outcome: Any) -> Steps:
    started = fixture(token(transaction_started=True), transactions=transactions("T1", "T2"))
    screen = view("取引確認", transaction=first, fields={"お取引内容を確認しました": False})
    ticked = view("取引確認", transaction=first, fields={"お取引内容を確認しました": True})
    asking = view("取引確認", dialog={"text": None, "buttons": ["OK", "キャンセル"]})
    return [
        (R("reset", fixture=started), view()),
        (R("launch"), otp_view()),
        (R("tap", target="取引確認"), screen),
        (R("tap", target="お取引内容を確認しました"), ticked),
        (R("tap", target="OK"), asking),
        (R("tap", target="OK"), outcome),
    ]


DONE = view("認証確認完了")
S6H2 = view("取引確認", error={"code": "S6H2", "message": "処理に失敗しました。"})


class TestTransactions:
    def test_confirming_the_oldest(self, spec: Spec) -> None:
        assert run(spec, _confirmation_steps(DETAILS[0], DONE)) == []

    def test_not_the_oldest(self, spec: Spec) -> None:
        found = broken(spec, _confirmation_steps(DETAILS[1], DONE)[:3])
        assert found == {"transaction_details_shown"}

    def test_no_details(self, spec: Spec) -> None:
        steps = _confirmation_steps(DETAILS[0], DONE)[:2]
        steps = [*steps, (R("tap", target="取引確認"), view("取引確認"))]
        assert broken(spec, steps) == {"transaction_details_shown"}

    def test_valid_password_refused(self, spec: Spec) -> None:
        assert broken(spec, _confirmation_steps(DETAILS[0], S6H2)) == {"password_verdict"}

    def test_used_password_accepted_and_confirmed_shown_again(self, spec: Spec) -> None:
        again = view("取引確認", transaction=DETAILS[0], fields={"お取引内容を確認しました": False})
        steps = [*_confirmation_steps(DETAILS[0], DONE),
                 (R("tap", target="次の取引を確認"), again)]  # fmt: skip
        assert broken(spec, steps) == {"confirmation_confirms_that_transaction"}

    # 3.13.2 注意 cuts the line with ～: an app may go on after it (the spec's match: prefix).
    @pytest.mark.parametrize(
        "line",
        ["現在認証対象のお取引がありません", "現在認証対象のお取引がありません。必要に応じて…"],
    )
    def test_nothing_left_while_one_waits(self, spec: Spec, line: str) -> None:
        nothing = view("取引確認開始完了", texts=[line])
        steps = [*_confirmation_steps(DETAILS[0], DONE),
                 (R("tap", target="次の取引を確認"), nothing)]  # fmt: skip
        assert broken(spec, steps) == {"confirmation_confirms_that_transaction"}

    def test_notification(self, spec: Spec) -> None:
        started = fixture(token(transaction_started=True), transactions=transactions("T1", "T2"))

        def steps(shown: dict[str, str]) -> Steps:
            return [
                (R("reset", fixture=started), view()),
                (R("notify", transaction="T2"), view(elements=["取引確認を促す通知"])),
                (R("tap", target="取引確認を促す通知"), view("取引確認", transaction=shown)),
            ]

        assert run(spec, steps(DETAILS[1])) == []
        assert broken(spec, steps(DETAILS[0])) == {"notification_opens_its_transaction"}


def test_the_worked_example_matches_the_fixture_time() -> None:
    assert NOW == "2026-04-01T09:00:00+09:00"


class TestSaysNothingToConfirm:
    def test_the_contracts_read_the_spec_own_line_by_its_prefix(self, spec: Spec) -> None:
        # one line of the spec, which the contracts restate: it must stay that line
        lines = [
            line
            for state in spec.statechart.iter_states()
            for line in state.texts
            if line.text == NOTHING_TO_CONFIRM
        ]
        assert lines and {line.match for line in lines} == {"prefix"}

    def test_any_ending_after_the_start(self) -> None:
        assert says_nothing_to_confirm([f"{NOTHING_TO_CONFIRM}。しばらくお待ちください"])
        assert not says_nothing_to_confirm([NOTHING_TO_CONFIRM[:-1]])
        assert not says_nothing_to_confirm("not a list")
