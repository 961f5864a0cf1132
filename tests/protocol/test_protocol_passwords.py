"""docs/protocol.md "Passwords" is the public contract: its worked example and vectors are
recomputed here, from the text, both independently (hashlib, hmac) and through the
reference, so that neither the document nor the code can drift."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from datetime import UTC, datetime
from typing import Any

import pytest
from repo_paths import REPO_ROOT

from statechart.app import ReferenceApp
from statechart.clock import parse_instant
from statechart.domain import derive_seed, derive_serial, parse_seed
from statechart.model import Spec
from statechart.otp import token_password, totp

DOC = (REPO_ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
_FENCE = re.compile(r"```text\n(.*?)```", re.DOTALL)
_ROW = re.compile(r"^\| ([0-9]+) \| ([0-9]{8}) \| ([0-9]{6}) \|$", re.MULTILINE)
RFC_KEY = b"12345678901234567890"


def _section(title: str) -> str:
    start = DOC.index(f"### {title}\n")
    end = DOC.find("\n#", start + 1)
    return DOC[start:end]


def _example() -> dict[str, str]:
    block = _FENCE.search(_section("Worked example"))
    assert block is not None, "the worked example is a ```text block"
    pairs = (line.split(" = ", 1) for line in block.group(1).splitlines() if line.strip())
    return {name.strip(): value.strip() for name, value in pairs}


EXAMPLE = _example()
VECTORS = [(int(t), rfc, app) for t, rfc, app in _ROW.findall(_section("RFC 6238 test vectors"))]


def _hotp(key: bytes, counter: int, digits: int) -> tuple[bytes, int, int, str]:
    """RFC 4226 written out: the HMAC, the offset, the truncated value and the password."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    truncated = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return mac, offset, truncated, f"{truncated % 10**digits:0{digits}d}"


class TestWorkedExampleFromFirstPrinciples:
    def test_serial(self) -> None:
        text = f"{EXAMPLE['service_id']}:{EXAMPLE['user_id']}"
        digest = hashlib.sha1(text.encode("utf-8")).digest()
        assert digest.hex() == EXAMPLE["sha1(service:user)"]
        number = int.from_bytes(digest[:8], "big")
        assert str(number) == EXAMPLE["first 8 bytes"]
        assert f"{number % 10**8:08d}" == EXAMPLE["serial"]

    def test_seed(self) -> None:
        text = f"{EXAMPLE['service_id']}:{EXAMPLE['user_id']}:{EXAMPLE['serial']}"
        seed = hashlib.sha1(text.encode("utf-8")).digest()
        assert seed.hex() == EXAMPLE["seed (hex)"]
        assert base64.b32encode(seed).decode("ascii") == EXAMPLE["seed (base32)"]

    def test_password(self) -> None:
        seconds = int(datetime.fromisoformat(EXAMPLE["device clock"]).timestamp())
        assert seconds == int(EXAMPLE["unix seconds"])
        assert seconds // 60 == int(EXAMPLE["counter T"])
        mac, offset, truncated, password = _hotp(
            bytes.fromhex(EXAMPLE["seed (hex)"]), int(EXAMPLE["counter T"]), 6
        )
        assert mac.hex() == EXAMPLE["hmac-sha1 (hex)"]
        assert offset == int(EXAMPLE["offset"])
        assert truncated == int(EXAMPLE["truncated"])
        assert password == EXAMPLE["password"]

    def test_pin_and_skew(self) -> None:
        seed = bytes.fromhex(EXAMPLE["seed (hex)"])
        key = seed + b"1234"
        assert key.hex() == EXAMPLE["with PIN 1234: key"]
        assert _hotp(key, int(EXAMPLE["counter T"]), 6)[3] == EXAMPLE["with PIN 1234"]
        counter = (int(EXAMPLE["unix seconds"]) + 90) // 60
        assert counter == int(EXAMPLE["skew +90 s: T"])
        assert _hotp(seed, counter, 6)[3] == EXAMPLE["skew +90 s"]


class TestWorkedExampleThroughTheReference:
    def test_derivation_and_algorithm(self) -> None:
        serial = derive_serial(EXAMPLE["service_id"], EXAMPLE["user_id"])
        seed = derive_seed(EXAMPLE["service_id"], EXAMPLE["user_id"], serial)
        assert serial == EXAMPLE["serial"]
        assert seed == parse_seed(EXAMPLE["seed (base32)"])
        at = parse_instant(EXAMPLE["device clock"])
        assert token_password(seed, None, at, period=60, digits=6) == EXAMPLE["password"]
        assert token_password(seed, "1234", at, period=60, digits=6) == EXAMPLE["with PIN 1234"]

    @pytest.mark.parametrize(
        ("token", "device", "expected"),
        [
            ({}, {}, "password"),
            ({"seed": EXAMPLE["seed (base32)"].lower()}, {}, "password"),
            ({}, {"skew_seconds": 90}, "skew +90 s"),
        ],
    )
    def test_the_app_shows_it(
        self, spec: Spec, token: dict[str, str], device: dict[str, int], expected: str
    ) -> None:
        app = ReferenceApp(spec)
        app.reset(_fixture(token, device))
        view = app.launch()
        assert view["token"]["serial"] == EXAMPLE["serial"]
        assert view["otp"] == EXAMPLE[expected]

    def test_a_fixture_seed_and_serial_take_over(self, spec: Spec) -> None:
        seed = base64.b32encode(RFC_KEY).decode("ascii").rstrip("=")
        app = ReferenceApp(spec)
        app.reset(_fixture({"seed": seed, "serial": "12345678"}, {}))
        view = app.launch()
        assert view["token"]["serial"] == "12345678"
        counter = int(EXAMPLE["unix seconds"]) // 60
        assert view["otp"] == _hotp(RFC_KEY, counter, 6)[3]

    def test_an_issued_token_takes_its_accounts_seed_and_serial(self, spec: Spec) -> None:
        seed = base64.b32encode(RFC_KEY).decode("ascii")
        account = {"service_id": "MIRAI01", "user_id": "USER0001", "serial": "87654321",
                   "seed": seed}  # fmt: skip
        app = ReferenceApp(spec)
        app.reset({"now": EXAMPLE["device clock"], "accounts": [account],
                   "app": {"privacy_policy_agreed": True}})  # fmt: skip
        app.launch()
        for label, value in (("サービスID", "MIRAI01"), ("ユーザID", "USER0001")):
            app.enter(label, value)
        app.enter("利用開始パスワード", "12345678")
        for label in ("上記の内容に同意する", "送信", "次へ", "登録"):
            view = app.tap(label)
        assert view["token"]["serial"] == "87654321"
        assert view["otp"] == _hotp(RFC_KEY, int(EXAMPLE["unix seconds"]) // 60, 6)[3]


def _fixture(token: dict[str, str], device: dict[str, int]) -> dict[str, Any]:
    return {
        "now": EXAMPLE["device clock"],
        "device": device,
        "app": {
            "privacy_policy_agreed": True,
            "tokens": [{"service_id": "MIRAI01", "user_id": "USER0001", **token}],
        },
    }


class TestVectors:
    def test_the_table_holds_the_six_vectors_of_rfc_6238(self) -> None:
        assert [t for t, _, _ in VECTORS] == [
            59,
            1111111109,
            1111111111,
            1234567890,
            2000000000,
            20000000000,
        ]

    @pytest.mark.parametrize(("seconds", "rfc", "app"), VECTORS)
    def test_first_principles(self, seconds: int, rfc: str, app: str) -> None:
        assert _hotp(RFC_KEY, seconds // 30, 8)[3] == rfc
        assert _hotp(RFC_KEY, seconds // 60, 6)[3] == app

    @pytest.mark.parametrize(("seconds", "rfc", "app"), VECTORS)
    def test_reference(self, seconds: int, rfc: str, app: str) -> None:
        at = datetime.fromtimestamp(seconds, tz=UTC)
        assert totp(RFC_KEY, at, period=30, digits=8) == rfc
        assert totp(RFC_KEY, at, period=60, digits=6) == app


class TestSeedText:
    @pytest.mark.parametrize(
        "text", ["A56W7MBEETPJMSDBMYP7QUEAYABGSECM", "a56w7mbeetpjmsdbmyp7queayabgsecm"]
    )
    def test_base32_case_insensitive(self, text: str) -> None:
        assert parse_seed(text).hex() == EXAMPLE["seed (hex)"]

    @pytest.mark.parametrize("text", ["A56W7MBE!", "GEZDGNBV", "A1", "GEZDGNBVGY3TQOJQ="])
    def test_refused_without_echo(self, text: str) -> None:
        with pytest.raises(ValueError) as refused:
            parse_seed(text)
        assert text not in str(refused.value)
