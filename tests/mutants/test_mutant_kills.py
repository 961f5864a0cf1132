"""The harness discriminates: the reference passes, and every mutant is killed.

Each mutant runs once as `otpspec serve --mutant NAME` (conftest.py); the test asserts that
the generated checks, the feature scenarios, the walkthrough or the differential check
found it (a view unlike the reference's or the scenario's, or a broken contract), and that
the finding names a manual section related to the mutant's.
"""

from __future__ import annotations

from types import ModuleType

import pytest
from mutant_helpers import Kill, generated_kill, walk_failure

from harness.adapters import InProcessAdapter, SubprocessAdapter
from harness.generation.checks import GeneratedSet, run_generated
from harness.generation.differential import differential_check
from harness.generation.steps import related_sections
from harness.mutants.catalogue import MUTANTS, Mutant
from statechart.model import Spec


class TestReferencePasses:
    def test_generated_checks_in_process(self, spec: Spec, generated: GeneratedSet) -> None:
        failed = [r for r in run_generated(InProcessAdapter(spec), generated) if not r.ok]
        assert failed == []

    def test_generated_checks_and_contracts_over_serve(
        self, spec: Spec, generated: GeneratedSet, reference_served: SubprocessAdapter
    ) -> None:
        assert generated_kill(reference_served, generated, spec) is None

    def test_walkthrough_over_serve(
        self, walkthrough: ModuleType, reference_served: SubprocessAdapter
    ) -> None:
        assert walk_failure(walkthrough, reference_served) is None

    def test_differential_in_process_against_serve(
        self, spec: Spec, reference_served: SubprocessAdapter
    ) -> None:
        result = differential_check(reference_served, spec, max_examples=100, seed=3)
        assert result.ok, result.gherkin


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
class TestEveryMutantIsKilled:
    def test_killed(self, mutant: Mutant, kills: dict[str, Kill]) -> None:
        kill = kills[mutant.name]
        assert kill.killer is not None, f"{mutant.name} ({mutant.section}) survived"

    def test_finding_names_a_related_section(
        self, mutant: Mutant, kills: dict[str, Kill], spec: Spec
    ) -> None:
        # The sections the finding names, and those of the assumptions it rests on (a
        # deviation names ASM-015, "what does a wrong PIN do?", registered for 4.2).
        kill = kills[mutant.name]
        register = {a.id: a.sections for a in spec.assumptions}
        named = [*kill.sections, *(s for a in kill.assumptions for s in register.get(a, ()))]
        related = [s for s in named for m in mutant.sections if related_sections(s, m)]
        assert related, f"{mutant.name} ({mutant.section}) found at {kill.sections}: {kill.detail}"


class TestKillRate:
    def test_all_mutants_killed(self, kills: dict[str, Kill]) -> None:
        survivors = [name for name, kill in kills.items() if kill.killer is None]
        assert survivors == []
        assert len(kills) >= 18

    def test_generated_checks_kill_most(self, kills: dict[str, Kill]) -> None:
        # The generated set alone must discriminate, not just lean on the walkthrough.
        by_generated = [k for k in kills.values() if k.killer == "generated"]
        assert len(by_generated) >= len(kills) // 2

    def test_the_contracts_find_the_mutants_that_name_one(self, kills: dict[str, Kill]) -> None:
        # A bug that gets an effect wrong is found by its contract, not by chance.
        named = [kill for kill in kills.values() if kill.mutant.contract]
        by_its_contract = [kill for kill in named if kill.contract == kill.mutant.contract]
        assert len(by_its_contract) >= len(named) * 2 // 3
