"""Helpers of the mutant tests: serving a mutant, driving the walkthrough, trying to kill.

Each mutant is tried with the cheap, deterministic material first, every contract checked
on every step as a conformance run does: the generated checks, then the feature scenarios,
then the walkthrough (tests/reference/walkthrough.py); the differential check (with the
contracts too) runs only for a mutant all three miss.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from harness.adapters import (
    Adapter,
    ImplementationError,
    ImplementationFailure,
    SubprocessAdapter,
)
from harness.contracts import Monitor
from harness.generation.checks import CheckResult, GeneratedCheck, GeneratedSet, replay_check
from harness.generation.differential import differential_check
from harness.generation.steps import Outcome, WalkStep
from harness.mutants.catalogue import Mutant
from harness.resources import FEATURES_DIR
from harness.run.context import ScenarioContext
from harness.run.replay import run_scenario_steps
from harness.run.secrets import SecretBook, secret_fields
from harness.run.watch import ContractBreach, ContractWatch
from harness.scenarios.feature import Scenario
from harness.scenarios.gherkin import load_features
from statechart.model import Spec

ROOT = Path(__file__).resolve().parents[2]

Driver = Callable[..., dict[str, Any]]


def serve_command(mutant: str | None = None) -> list[str]:
    """`otpspec serve`, of the reference or of a mutant."""
    command = [sys.executable, "-m", "harness.cli", "serve"]
    return command if mutant is None else [*command, "--mutant", mutant]


def served(mutant: str | None = None) -> SubprocessAdapter:
    """One process of `otpspec serve [--mutant NAME]`, started."""
    adapter = SubprocessAdapter(serve_command(mutant), cwd=ROOT, timeout=20, start_timeout=60)
    adapter.start()
    return adapter


def load_walkthrough() -> ModuleType:
    """tests/reference/walkthrough.py, the scripted walk through every procedure."""
    folder = str(ROOT / "tests" / "reference")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module("walkthrough")


def adapter_driver(impl: Adapter) -> Driver:
    """A walkthrough driver (`drive(op, **args)` → response object) over an adapter."""

    def drive(op: str, **args: Any) -> dict[str, Any]:
        try:
            view = getattr(impl, op)(**args)
        except (ImplementationError, ImplementationFailure) as error:
            return {"ok": False, "error": {"kind": error.kind, "message": error.message}}
        return {"ok": True, "view": view}

    return drive


def walk_failure(walkthrough: ModuleType, impl: Adapter) -> tuple[str, str] | None:
    """Runs the walkthrough; (its section, what failed) at the first failure, else None."""
    walk = walkthrough.Walk(adapter_driver(impl))
    for procedure in walkthrough.PROCEDURES:
        try:
            procedure(walk)
        except Exception as error:  # an assertion, or a view without what the walk reads
            message = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            return (walk.sections[-1] if walk.sections else "?", message)
    return None


@dataclass(frozen=True)
class Finding:
    """What found a mutant: the material (`killer`), the contract if one broke, the clauses."""

    killer: str
    detail: str
    sections: tuple[str, ...]
    contract: str = ""
    assumptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kill:
    """How a mutant was killed (`killer` None: it survived; `contract`: the one that broke)."""

    mutant: Mutant
    killer: str | None
    detail: str
    sections: tuple[str, ...]
    seconds: float
    contract: str = ""
    assumptions: tuple[str, ...] = ()

    @classmethod
    def by(cls, mutant: Mutant, found: Finding, seconds: float) -> Kill:
        """The kill of a finding."""
        return cls(
            mutant,
            found.killer,
            found.detail,
            found.sections,
            seconds,
            found.contract,
            found.assumptions,
        )


def _watched(impl: Adapter, check: GeneratedCheck, monitor: Monitor) -> CheckResult:
    """Replays a generated check with every contract checked on every step."""
    watch = ContractWatch(monitor, check.fixture)

    def observe(index: int, step: WalkStep, expected: Outcome, observed: Outcome) -> None:
        watch(WalkStep("reset") if index < 0 else step, observed)

    return replay_check(impl, check, observe)


def _breach(killer: str, where: str, breach: ContractBreach) -> Finding:
    first = breach.breaches[0]
    return Finding(killer, f"{where}: {breach}", first.sections, first.contract, first.assumptions)


def generated_kill(impl: Adapter, checks: GeneratedSet, spec: Spec) -> Finding | None:
    """The generated checks on an implementation, the contracts watching: the first failure."""
    monitor = Monitor(spec)
    for check in checks.checks:
        try:
            result = _watched(impl, check, monitor)
        except ContractBreach as breach:
            return _breach("generated", f"{check.name} step {len(breach.walk)}", breach)
        if not result.ok:
            detail = f"{result.name} step {result.step}: {result.field}\n{result.gherkin}"
            grounds = result.grounds
            return Finding("generated", detail, grounds.sections, assumptions=grounds.assumptions)
    return None


def shipped_scenarios(spec: Spec) -> tuple[Scenario, ...]:
    """Every scenario of the shipped features."""
    return tuple(s for feature in load_features([FEATURES_DIR], spec) for s in feature.scenarios)


def scenario_kill(impl: Adapter, scenarios: tuple[Scenario, ...], spec: Spec) -> Finding | None:
    """The feature scenarios on an implementation, the contracts watching: the first failure."""
    monitor = Monitor(spec)
    secrets = SecretBook(secret_fields(spec))
    for scenario in scenarios:
        context = ScenarioContext(impl, spec, secrets, monitor=monitor)
        run_scenario_steps(context, scenario)
        failed = next((step for step in context.steps if step.status != "passed"), None)
        if failed is not None:
            detail = f"{scenario.location} {scenario.name}: {failed.text}: {failed.message}"
            sections = failed.clauses or scenario.sections
            return Finding("scenario", detail, sections, failed.contract)
    return None


def try_cheap(
    mutant: Mutant,
    checks: GeneratedSet,
    walkthrough: ModuleType,
    spec: Spec,
    scenarios: tuple[Scenario, ...] = (),
) -> Kill:
    """Runs the mutant once; the generated checks, the scenarios, then the walkthrough."""
    began = time.perf_counter()
    with served(mutant.name) as impl:
        found = generated_kill(impl, checks, spec) or scenario_kill(impl, scenarios, spec)
        if found is not None:
            return Kill.by(mutant, found, time.perf_counter() - began)
        walked = walk_failure(walkthrough, impl)
    seconds = time.perf_counter() - began
    if walked is not None:
        return Kill(mutant, "walkthrough", walked[1], (walked[0],), seconds)
    return Kill(mutant, None, "", (), seconds)


def try_differential(kill: Kill, spec: Spec) -> Kill:
    """The differential check on a mutant the cheap material missed."""
    began = time.perf_counter()
    with served(kill.mutant.name) as impl:
        watch = ContractWatch(Monitor(spec))
        try:
            result = differential_check(impl, spec, max_examples=300, seed=0, on_step=watch)
        except ContractBreach as breach:
            found = _breach("differential", "walk", breach)
            return Kill.by(kill.mutant, found, kill.seconds + time.perf_counter() - began)
    seconds = kill.seconds + time.perf_counter() - began
    if result.ok:
        return Kill(kill.mutant, None, "", (), seconds)
    grounds = result.grounds
    return Kill(
        kill.mutant,
        "differential",
        str(result.field),
        grounds.sections,
        seconds,
        assumptions=grounds.assumptions,
    )
