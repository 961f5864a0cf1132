"""Fixtures for the mutant tests: the generated checks (once per run), the walkthrough, and
every mutant run once as its own `otpspec serve --mutant NAME` process against the
generated checks, the feature scenarios, the walkthrough and, if need be, the differential
walks (the contracts watching every step). The kill rate is printed at the end of the
run."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest
from mutant_helpers import (
    Kill,
    load_walkthrough,
    served,
    shipped_scenarios,
    try_cheap,
    try_differential,
)

from harness.adapters import SubprocessAdapter
from harness.generation.checks import GeneratedSet, generate_checks
from harness.mutants.catalogue import MUTANTS, Mutant
from statechart.model import Spec

WORKERS = 4  # processes at work at once: two cores, and each side mostly waits on the other

KILLS: dict[str, Kill] = {}
"""Every mutant's kill, once computed (read by the terminal summary)."""


@pytest.fixture(scope="session")
def generated(spec: Spec) -> GeneratedSet:
    """The generated checks of the shipped spec (computed once per run)."""
    return generate_checks(spec)


@pytest.fixture(scope="session")
def walkthrough() -> ModuleType:
    """tests/reference/walkthrough.py."""
    return load_walkthrough()


@pytest.fixture(scope="session")
def kills(spec: Spec, generated: GeneratedSet, walkthrough: ModuleType) -> dict[str, Kill]:
    """Each mutant run once, as its own process: how it was killed."""
    if not KILLS:
        scenarios = shipped_scenarios(spec)

        def cheap_kill(mutant: Mutant) -> Kill:
            return try_cheap(mutant, generated, walkthrough, spec, scenarios)

        with ThreadPoolExecutor(WORKERS) as pool:
            cheap = list(pool.map(cheap_kill, MUTANTS))
        for kill in cheap:
            # Hypothesis runs one test at a time; the few survivors go one by one.
            KILLS[kill.mutant.name] = kill if kill.killer else try_differential(kill, spec)
    return KILLS


@pytest.fixture(scope="module")
def reference_served() -> Iterator[SubprocessAdapter]:
    """`otpspec serve` of the reference, one process for the module."""
    with served() as adapter:
        yield adapter


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Prints the kill rate when the mutants ran."""
    if not KILLS:
        return
    killed = [k for k in KILLS.values() if k.killer]
    by: dict[str, int] = {}
    for kill in killed:
        by[str(kill.killer)] = by.get(str(kill.killer), 0) + 1
    counts = ", ".join(f"{name} {n}" for name, n in sorted(by.items()))
    share = 100 * len(killed) / len(KILLS)
    terminalreporter.write_line(
        f"mutants killed: {len(killed)}/{len(KILLS)} ({share:.0f}%): {counts}"
    )
