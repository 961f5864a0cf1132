"""docs/protocol.md's "Which code wins": the reference shows the first condition that holds.

A vendor had to guess which code wins when a request meets several error conditions at
once (issue 12). The order is now a table in docs/protocol.md (ASM-065); these tests read
the table and hold the reference to it. For each operation every condition of its row is
made to hold at once, then they are taken away one by one in the table's order: each time
the code shown must be the next one of the row, and with none left the request succeeds.
Account states exclude each other, so only the earliest state of the row is set at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

import pytest
from repo_paths import REPO_ROOT

from statechart.app import OPERATIONS, ReferenceApp
from statechart.clock import JST
from statechart.domain import Token, parse_fixture
from statechart.model import Spec
from statechart.otp import token_password
from statechart.server import AuthServer, Outcome

DOC = (REPO_ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=JST)
TODAY = date(2026, 4, 1)

LOCAL: Final = frozenset({"A911", "A916", "A912", "A925"})
"""The app's own checks of what was typed: before any communication (tested on the app)."""
OFFLINE: Final = {
    "issue": "A000",
    "pin_change": "A100",
    "renewal": "A300",
    "correction": "A400",
    "transaction_start": "S5D1",
    "transaction_fetch": "A999",
    "transaction_confirm": "A999",
    "biometric_setup": "A999",
}
INJECTED: Final = {
    "issue": "A001",
    "pin_change": "A101",
    "renewal": "A301",
    "correction": "A401",
    "transaction_start": "S5H1",
    "transaction_fetch": "S6H1",
    "transaction_confirm": "S6H2",
    "biometric_setup": "A999",
}
"""A queued code unlike the condition that follows it in the row."""
STATES: Final = {
    "OTHER-APP": "elsewhere",
    "S0C4": "locked",
    "S0B5": "suspended",
    "S3B5": "suspended",
    "S5B5": "suspended",
    "S6B5": "suspended",
    "S7B5": "suspended",
    "S3B3": "setup_incomplete",
    "S6B3": "setup_incomplete",
    "S7B3": "setup_incomplete",
    "S1E2": "token_locked",
}
EXPIRED: Final = frozenset({"S1E3", "S4E3", "S5D2", "S6D2"})
SKEWED: Final = frozenset({"S0F1", "S4H1", "S5H1", "S6H1"})
OTHERS: Final = frozenset(
    {"S0A1", "S0B1", "S0K1", "S0B4", "S0C1", "S1C2", "S3E4", "S3D3", "S3D4", "S4H9", "S5E2",
     "S7J5", "S6H2"}
)  # fmt: skip


def doc_rows() -> dict[str, list[str]]:
    """Operation → its row: codes, `offline` and `queued`, in the table's order."""
    section = DOC.split("### Which code wins", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for operation, cell in re.findall(r"^\| [^|`]*\(`([a-z_]+)`\) \| (.+) \|$", section, re.M):
        steps = []
        for part in cell.split(" → "):
            found = re.match(r"(offline|queued)|`([A-Z0-9-]+)`", part.strip())
            assert found, f"{operation}: cannot read {part!r}"
            steps.append(found.group(1) or found.group(2))
        rows[operation] = steps
    return rows


def test_the_table_has_a_row_per_operation() -> None:
    assert list(doc_rows()) == list(OPERATIONS)


def test_the_codes_are_the_operations_own(spec: Spec) -> None:
    codes = ReferenceApp(spec).injectable_codes()
    for operation, row in doc_rows().items():
        named = {s for s in row if s not in ("offline", "queued")}
        assert named <= codes[operation], operation


@dataclass(frozen=True)
class Held:
    """The conditions that hold, in the table's order."""

    operation: str
    active: tuple[str, ...]

    def has(self, *labels: str) -> bool:
        return any(label in self.active for label in labels)

    @property
    def state(self) -> str:
        return next((STATES[a] for a in self.active if a in STATES), "active")


def _wrong(password: str) -> str:
    return f"{(int(password) + 1) % 10**6:06d}"


def _run(held: Held, state: str | None = None) -> str | None:
    """Makes a world where exactly `held` holds (the account in `state` if given) and sends
    the operation's request."""
    op = held.operation
    service: dict[str, Any] = {"service_id": "BANK", "name": "銀行", "pin": op == "pin_change"}
    service["transaction_confirmation"] = True
    if held.has("S0K1"):
        service["min_app_version"] = "99.0"
    account: dict[str, Any] = {"service_id": "BANK", "user_id": "U1"}
    account["activation_password"] = "24681357"
    if held.has("S3D3"):
        account["transaction_application"] = "pending"
    if held.has("S5E2"):
        account["transaction_application"] = "lapsed"
    standing = "confirmed" if held.has("S7J5") else "pending"
    transactions = [
        {"transaction_id": "T1", "service_id": "BANK", "user_id": "U1", "state": standing}
    ]
    if op == "renewal" and not held.has("S3D4"):
        transactions = []
    fixture: dict[str, Any] = {
        "now": NOW.isoformat(),
        "services": [service],
        "accounts": [account, {"service_id": "BANK", "user_id": "U2"}],
        "transactions": transactions,
    }
    if op != "issue":
        in_window = op == "renewal" and not held.has("S3E4")
        expires = TODAY + timedelta(days=100 if in_window else 400)
        stored = {"service_id": "BANK", "user_id": "U1", "expires": str(expires)}
        fixture["app"] = {"tokens": [stored]}
    world = parse_fixture(fixture)
    server = AuthServer(
        world.services, world.accounts, world.transactions, min_app_versions=world.min_app_versions
    )
    token = world.app.tokens[0] if world.app.tokens else None
    if held.has("S4H9") and token is not None:
        assert server.correct(token, NOW - timedelta(seconds=60), 0, True).ok
    # The account and token are set after that correction, which had to succeed.
    world.accounts[("BANK", "U1")].state = state or held.state  # type: ignore[assignment]
    if held.has("S0B4"):
        world.accounts[("BANK", "U1")].issued = True
    if held.has(*EXPIRED) and token is not None:
        token.expires = TODAY - timedelta(days=1)
    if held.has("queued"):
        server.inject(op, INJECTED[op])
    online = not held.has("offline")
    skew = 7200 if held.has(*SKEWED) else 0
    return _call(server, op, token, held, online, skew).code


def _call(
    server: AuthServer, op: str, token: Token | None, held: Held, online: bool, skew: int
) -> Outcome:
    if op == "issue":
        service_id = "NOPE" if held.has("S0A1") else "BANK"
        user_id = "NOPE" if held.has("S0B1") else "U1"
        password = "wrong999" if held.has("S0C1") else "24681357"
        return server.issue(service_id, user_id, password, NOW, skew, online, "4.1.0")
    assert token is not None
    calls: dict[str, Callable[[], Outcome]] = {
        "pin_change": lambda: server.change_pin(
            token, "11112222" if held.has("S1C2") else "24681357", "5678", NOW, online
        ),
        "renewal": lambda: server.renew(token, NOW, skew, online),
        "correction": lambda: server.correct(token, NOW, skew, online),
        "transaction_start": lambda: server.start_transactions(token, NOW, skew, online),
        "transaction_fetch": lambda: server.fetch_transaction(token, NOW, skew, online),
        "transaction_confirm": lambda: server.confirm_transaction(
            token, "T1", _password(token, wrong=held.has("S6H2")), NOW, online
        ),
        "biometric_setup": lambda: server.register_biometric(token, "login", "secret", online),
    }
    return calls[op]()


def _password(token: Token, *, wrong: bool) -> str:
    right = token_password(token.seed, None, NOW, period=60, digits=6)
    return _wrong(right) if wrong else right


def _expected(operation: str, label: str) -> str:
    return {"offline": OFFLINE[operation], "queued": INJECTED[operation]}.get(label, label)


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op != "launch"])
def test_the_first_that_holds_wins_in_the_tables_order(operation: str) -> None:
    row = [step for step in doc_rows()[operation] if step not in LOCAL]
    known = {"offline", "queued", *STATES, *EXPIRED, *SKEWED, *OTHERS}
    assert set(row) <= known, f"the test cannot yet make {set(row) - known} hold"
    for index, label in enumerate(row):
        held = Held(operation, tuple(row[index:]))
        assert _run(held) == _expected(operation, label), f"with {held.active} held"
    assert _run(Held(operation, ())) is None


FIXTURE_DOC = (REPO_ROOT / "docs" / "fixture.md").read_text(encoding="utf-8")
_CODE = re.compile(r"\b(?:[AS][0-9A-Z]{3}|OTHER-APP)\b")


def _state_row() -> dict[str, set[str]]:
    """docs/fixture.md's `state` row: each state → the codes it names."""
    row = next(line for line in FIXTURE_DOC.splitlines() if line.startswith("| `state` |"))
    parts = re.split(r'`"([a-z_]+)"`', row.split(" | ", 2)[2])
    return {
        name: set(_CODE.findall(text)) for name, text in zip(parts[1::2], parts[2::2], strict=True)
    }


@pytest.mark.parametrize(
    "state", ["suspended", "locked", "elsewhere", "token_locked", "setup_incomplete"]
)
def test_each_account_state_gives_the_codes_docs_fixture_md_names(state: str) -> None:
    # Issue 12: the doc and the schema disagreed on `elsewhere` (S0B4 or the codeless one).
    given = {_run(Held(op, ()), state) for op in OPERATIONS if op not in ("launch", "issue")} | {
        _run(Held("issue", ()), state)
    }
    assert given - {None} == _state_row()[state]


# ---- the app's own checks come first, and the launch's memory check (the rows' heads)
PIN_WORLD: Final[dict[str, Any]] = {
    "services": [{"service_id": "P", "name": "PIN銀行", "pin": True}],
    "accounts": [{"service_id": "P", "user_id": "U_1", "activation_password": "4321"}],
    "app": {"privacy_policy_agreed": True, "tokens": [{"service_id": "P", "user_id": "U_1"}]},
}


def _offline_and_queued(app: ReferenceApp, operation: str) -> None:
    app.network(False)
    app.server(operation, INJECTED[operation])


def _token_add(app: ReferenceApp, user: str) -> dict[str, Any]:
    app.enter("サービスID", "P")
    app.enter("ユーザID", user)
    app.enter("利用開始パスワード", "4321")
    if not app.observe()["fields"]["上記の内容に同意する"]:
        app.tap("上記の内容に同意する")
    return app.tap("送信")


def test_issue_checks_the_input_then_the_app_s_tokens_before_communicating(spec: Spec) -> None:
    assert doc_rows()["issue"][:3] == ["A911", "A916", "offline"]
    app = ReferenceApp(spec)
    app.reset(PIN_WORLD)
    app.launch()
    app.enter("PIN", "4321")
    app.tap("確定")
    app.tap("設定")
    app.tap("トークン追加")
    _offline_and_queued(app, "issue")
    # U_1 is stored and malformed (an underscore): both A911 and A916 hold.
    assert _token_add(app, "U_1")["error"]["code"] == "A911"
    # A916 alone (the stored id well-formed), still before communicating.
    app.reset({**PIN_WORLD, "accounts": [], "app": {**PIN_WORLD["app"], "tokens": [
        {"service_id": "P", "user_id": "U1"}]}})  # fmt: skip
    app.launch()
    app.enter("PIN", "12345678")
    app.tap("確定")
    app.tap("設定")
    app.tap("トークン追加")
    _offline_and_queued(app, "issue")
    assert _token_add(app, "U1")["error"]["code"] == "A916"
    app.tap("OK")
    assert _token_add(app, "U2")["error"]["code"] == "A000"


def test_pin_change_checks_the_input_before_communicating(spec: Spec) -> None:
    assert doc_rows()["pin_change"][:2] == ["A912", "offline"]
    app = ReferenceApp(spec)
    app.reset(PIN_WORLD)
    app.launch()
    app.enter("PIN", "4321")
    app.tap("確定")
    app.tap("設定")
    app.tap("PINの変更")
    _offline_and_queued(app, "pin_change")
    app.enter("現在のPIN", "4321")
    app.enter("新しいPIN", "5678")
    app.enter("新しいPIN(確認用)", "5679")
    assert app.tap("送信")["error"]["code"] == "A912"


def test_biometric_setup_checks_the_input_before_communicating(spec: Spec) -> None:
    assert doc_rows()["biometric_setup"][:2] == ["A925", "offline"]
    app = ReferenceApp(spec)
    stored = {"service_id": "MIRAI01", "user_id": "USER0001"}
    app.reset({"app": {"privacy_policy_agreed": True, "tokens": [stored]}})
    app.launch()
    app.tap("生体認証ログイン 利用設定")
    app.biometric("success")
    _offline_and_queued(app, "biometric_setup")
    assert app.tap("登録")["error"]["code"] == "A925"


def test_launch_checks_memory_first_and_keeps_the_queued_code(spec: Spec) -> None:
    assert doc_rows()["launch"] == ["A9EX", "queued"]
    app = ReferenceApp(spec)
    app.reset({"device": {"memory_low": True}})
    app.server("launch", "A801")
    assert app.launch()["error"]["code"] == "A9EX"
    app.tap("OK")
    assert app.launch()["error"]["code"] == "A9EX"  # every launch while memory is short
