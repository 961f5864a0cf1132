"""`otpspec validate` checks the contract names both ways: every contract of
spec/contracts.yaml is implemented in harness.contracts, and every implementation is listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import commands as cli
from harness.cli import validate
from harness.contracts import CONTRACTS, Finding, Monitor, Request
from harness.contracts.registry import Contract
from statechart.loader import load_spec


@pytest.fixture
def no_features(tmp_path: Path) -> str:
    """A feature directory with nothing in it (the spec alone is validated)."""
    folder = tmp_path / "features"
    folder.mkdir()
    return str(folder)


GUARDS, ACTIONS, _ = validate.registry()


def _registry_with(contracts: frozenset[str]) -> tuple[frozenset[str], ...]:
    return GUARDS, ACTIONS, contracts


def test_the_registry_names_the_implemented_contracts() -> None:
    assert validate.registry()[2] == frozenset(CONTRACTS)


def test_the_summary_says_the_contract_names_were_checked(
    no_features: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["validate", "--features", no_features]) == validate.EXIT_OK
    out = capsys.readouterr().out
    assert f"contracts     {len(CONTRACTS)}: contract names checked both ways" in out


def test_a_contract_of_the_spec_without_an_implementation_is_an_error(
    no_features: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fewer = frozenset(CONTRACTS) - {"password_value"}
    monkeypatch.setattr(validate, "registry", lambda: _registry_with(fewer))
    assert cli.main(["validate", "--features", no_features]) == validate.EXIT_INVALID
    err = capsys.readouterr().err
    assert "contracts.yaml" in err and "contract 'password_value' is not implemented" in err


def test_an_implementation_the_spec_does_not_list_is_an_error(
    no_features: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    more = frozenset(CONTRACTS) | {"ghost_contract"}
    monkeypatch.setattr(validate, "registry", lambda: _registry_with(more))
    assert cli.main(["validate", "--features", no_features, "--json"]) == validate.EXIT_INVALID
    err = capsys.readouterr().err
    assert "contract 'ghost_contract' is implemented but not in contracts.yaml" in err


class TestAspects:
    """The aspects a contract's `assumed` names are the ones its check can find, both ways."""

    def test_every_listed_aspect_is_one_the_check_names(self) -> None:
        spec = load_spec()
        for contract in spec.contracts:
            listed = {aspect for aspect, _ in contract.assumed}
            assert listed == CONTRACTS[contract.name].aspects, contract.name

    def test_an_undeclared_aspect_is_refused(self) -> None:
        spec = load_spec()
        monitor = Monitor(spec, {"x": Contract("x", lambda step: [Finding("m", "e", "o", "zz")])})
        with pytest.raises(ValueError, match="undeclared aspect 'zz'"):
            monitor.step(Request.of("reset", fixture={}), {})
