"""The contracts against the reference: the spec and the implementation name the same
contracts, the package stays independent of the reference, and random walks of the
reference break no contract (no false alarm)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

from contract_helpers import Driver, fixture, token, transactions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from repo_paths import REPO_ROOT

from harness.contracts import CONTRACTS
from statechart.app import ReferenceApp
from statechart.checks import check_spec
from statechart.model import Spec
from statechart.registry import ACTIONS, GUARDS

PACKAGE = REPO_ROOT / "harness" / "contracts"
# The spec model, the clock helpers, the pure RFC 6238 function and the fixture format's
# documented defaults; nothing that runs the reference app.
ALLOWED_STATECHART = {"statechart.model", "statechart.clock", "statechart.otp", "statechart.domain"}
ALLOWED_DOMAIN_NAMES = {
    "DEFAULT_ACTIVATION_PASSWORD",
    "DEFAULT_NOW",
    "demo_account",
    "demo_service",
}


def test_spec_and_implementation_name_the_same_contracts(spec: Spec) -> None:
    problems = check_spec(spec, GUARDS, ACTIONS, contracts=frozenset(CONTRACTS))
    assert [problem.format() for problem in problems] == []
    assert len(CONTRACTS) == len(spec.contracts) >= 21


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def test_the_package_imports_only_statechart_and_the_standard_library() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for module, names in _imports(path):
            top = module.split(".")[0]
            if module.startswith("harness.contracts") or top in sys.stdlib_module_names:
                continue
            assert module in ALLOWED_STATECHART, f"{path.name} imports {module}"
            if module == "statechart.domain":
                assert set(names) <= ALLOWED_DOMAIN_NAMES, f"{path.name} imports {names}"


_FIXTURES = [
    fixture(token()),
    fixture(token(), token("USER0002"), token("PINUSER", "PIN01", pin="1234")),
    fixture(
        token("PINUSER", "PIN01"),
        app={
            "privacy_policy_agreed": True,
            "app_lock_code": "2468",
            "tokens": [token("PINUSER", "PIN01"), token()],
        },
    ),
    fixture(
        token(transaction_started=True, expires="2026-06-01"),
        transactions=transactions("T1", "T2"),
        device={"skew_seconds": 200},
    ),
    fixture(),
]
_TEXT = st.sampled_from(["", "1234", "4321", "2468", "12345678", "MIRAI01", "USER0002",
                         "22223333", "本店用", "PIN01", "PINUSER", "5678", "abc"])  # fmt: skip


def _step(driver: Driver, data: Any) -> None:
    current = driver.view
    if current.get("app") == "closed":
        if data.draw(st.booleans()):
            driver.send("launch")
        else:
            driver.send("notify", data.draw(st.sampled_from(["T1", "T2"])))
            driver.send("tap", "取引確認を促す通知")
        return
    choice = data.draw(st.sampled_from(["tap", "tap", "tap", "enter", "key", "clock", "notify"]))
    if choice == "tap" and current.get("elements"):
        driver.send("tap", data.draw(st.sampled_from(current["elements"])))
    elif choice == "enter" and current.get("fields"):
        field = data.draw(st.sampled_from(sorted(current["fields"])))
        if isinstance(current["fields"][field], str):
            driver.send("enter", field, data.draw(_TEXT))
    elif choice == "key":
        driver.send("key", data.draw(st.sampled_from(["back", "home"])))
    elif choice == "clock":
        driver.send("clock", advance=data.draw(st.sampled_from([1, 30, 59, 60, 61, 181, 86400])))
    elif choice == "notify":
        driver.send("notify", data.draw(st.sampled_from(["T1", "T2"])))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), which=st.integers(0, len(_FIXTURES) - 1))
def test_random_walks_of_the_reference_break_no_contract(spec: Spec, data: Any, which: int) -> None:
    driver = Driver(_reference(spec), spec)
    driver.start(_FIXTURES[which])
    for _ in range(30):
        _step(driver, data)
    assert [breach.format() for breach in driver.breaches] == []


_APPS: dict[int, ReferenceApp] = {}


def _reference(spec: Spec) -> ReferenceApp:
    if id(spec) not in _APPS:
        _APPS[id(spec)] = ReferenceApp(spec)
    return _APPS[id(spec)]
