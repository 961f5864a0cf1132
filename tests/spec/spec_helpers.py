"""What the spec-checker tests share: the minimal spec, its registry, the broken corpus.

(A module of its own, not conftest.py: `from conftest import …` finds whichever test
directory's conftest was imported first.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from repo_paths import MANUAL

from statechart.checks import check_spec
from statechart.loader import load_spec
from statechart.problems import Problem, SpecInvalid

HERE = Path(__file__).resolve().parent
MINIMAL_DIR = HERE / "minimal"
BROKEN_DIR = HERE / "broken"
MINIMAL_GUARDS = frozenset({"has_pin", "pin_wrong"})
MINIMAL_ACTIONS = frozenset({"verify_pin"})
MINIMAL_CONTRACTS = frozenset({"pin_masked"})

SpecCopy = Callable[..., Path]


def problems_of(
    spec_dir: Path,
    guards: frozenset[str] | None = MINIMAL_GUARDS,
    actions: frozenset[str] | None = MINIMAL_ACTIONS,
    contracts: frozenset[str] | None = MINIMAL_CONTRACTS,
) -> list[Problem]:
    """Loads and checks a spec directory; returns every problem found."""
    try:
        spec = load_spec(spec_dir)
    except SpecInvalid as invalid:
        return list(invalid.problems)
    return check_spec(spec, guards, actions, manual=MANUAL, contracts=contracts)
