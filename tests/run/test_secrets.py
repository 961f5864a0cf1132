"""SecretBook: every secret the run sent is masked in what comes back, and nothing else."""

from __future__ import annotations

import pytest

from harness.run.secrets import MASK, SecretBook, fixture_secrets


def _book(*secrets: str) -> SecretBook:
    book = SecretBook(frozenset({"PIN"}))
    book.add(secrets)
    return book


class TestText:
    @pytest.mark.parametrize(
        "text",
        [
            "12345678",
            "コードは12345678です",
            "「12345678」",
            "code 12345678.",
            "漢字12345678漢字",
        ],
    )
    def test_a_code_in_any_text_is_masked(self, text: str) -> None:
        masked = _book("12345678").text(text)
        assert "12345678" not in masked and MASK in masked

    @pytest.mark.parametrize(
        ("secret", "text"),
        [
            ("7", "ミレインターネットバンキング_7"),
            ("7", "S4H9 2027-12-17"),
            ("パスワード", "ワンタイムパスワード"),
            ("パスワード", "パスワード補正に失敗しました。"),
            ("1234", "123456"),
        ],
    )
    def test_a_secret_inside_a_longer_run_of_its_kind_is_not_masked(
        self, secret: str, text: str
    ) -> None:
        assert _book(secret).text(text) == text

    def test_a_word_secret_standing_alone_is_masked(self) -> None:
        assert _book("パスワード").text("入力: パスワード") == f"入力: {MASK}"

    def test_the_longest_secret_is_masked_first(self) -> None:
        assert _book("12", "1234").text("1234") == MASK


class TestSent:
    def test_a_value_typed_into_a_secret_field_and_a_fixtures_secrets_are_recorded(
        self,
    ) -> None:
        book = SecretBook(frozenset({"PIN"}))
        book.sent("enter", {"field": "PIN", "value": "4321"})
        book.sent("enter", {"field": "表示名", "value": "5555"})
        book.sent("reset", {"fixture": {"app": {"app_lock_code": "80417293"}}})
        assert book.data({"a": ["4321", "5555", "80417293"]}) == {"a": [MASK, "5555", MASK]}

    def test_fixture_secrets_are_found_at_any_depth(self) -> None:
        fixture = {"app": {"tokens": [{"pin": "1111"}], "app_lock_code": "22222222"}}
        assert fixture_secrets(fixture) == {"1111", "22222222"}


class TestData:
    @pytest.mark.parametrize(
        "shown",
        [
            "\n12345678",
            "前\t12345678",
            "\x1f12345678",
            '"12345678"',
            "\\12345678",
            "12345678\n",
        ],
    )
    def test_a_secret_beside_a_character_json_escapes_is_masked(self, shown: str) -> None:
        # JSON text shows such a neighbour as a letter or hex digit (「\n」, 「\u001f」).
        masked = _book("12345678").data({"screen": {"lines": [shown]}})
        assert masked == {"screen": {"lines": [shown.replace("12345678", MASK)]}}

    def test_a_secret_that_json_escapes_is_masked(self) -> None:
        secret = 'pa"ss\\w'
        masked = _book(secret).data({"message": f"入力: {secret}"})
        assert masked == {"message": f"入力: {MASK}"}

    def test_data_without_a_standalone_secret_comes_back_as_it_is(self) -> None:
        view = {"screen": {"lines": ["2027-12-17", "123456", "_7"]}}
        assert _book("1234", "7", "パスワード").data(view) is view

    def test_data_with_one_is_a_masked_copy(self) -> None:
        view = {"screen": {"lines": ["1234"]}, "n": 1}
        masked = _book("1234").data(view)
        assert masked == {"screen": {"lines": [MASK]}, "n": 1}
        assert view == {"screen": {"lines": ["1234"]}, "n": 1}

    def test_a_secret_added_later_is_masked_too(self) -> None:
        book = _book("1111")
        assert book.text("2222") == "2222"
        book.add(["2222"])
        assert book.text("2222") == MASK
