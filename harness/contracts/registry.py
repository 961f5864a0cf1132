"""The contracts by name, and the one call that checks them on a step.

Each contract of spec/contracts.yaml is one function here (registered with `@contract`),
from a `Step` to what it found wrong. `check_step` runs them all and adds each breach's
citations from the spec; `Monitor` keeps the world and the last view across a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from harness.contracts.advance import interpret, settle
from harness.contracts.step import Step
from harness.contracts.types import Breach, Finding, Outcome, Refusal, Request, View
from harness.contracts.world import World
from statechart.model import Spec

__all__ = ["CONTRACTS", "Check", "Contract", "Monitor", "advance", "check_step", "contract"]

Check = Callable[[Step], Iterable[Finding]]


@dataclass(frozen=True)
class Contract:
    """A contract's implementation: its name in spec/contracts.yaml, its check, and the
    aspects its findings may name (the keys its `assumed` may use)."""

    name: str
    check: Check
    aspects: frozenset[str] = frozenset()


_REGISTRY: dict[str, Contract] = {}
CONTRACTS: Mapping[str, Contract] = _REGISTRY
"""Every implemented contract by name (filled as the check modules load)."""


def contract(name: str, *, aspects: Iterable[str] = ()) -> Callable[[Check], Check]:
    """Registers a check as the implementation of the contract `name`.

    Args:
        name: The contract's name in spec/contracts.yaml.
        aspects: The aspects its findings may name (`Finding.aspect`).
    """

    def register(check: Check) -> Check:
        if name in _REGISTRY:
            raise ValueError(f"contract {name!r} is implemented twice")
        _REGISTRY[name] = Contract(name, check, frozenset(aspects))
        return check

    return register


def advance(world: World, before: View | None, request: Request, outcome: Outcome) -> World:
    """The world after a step (a new record; `world` is not changed)."""
    return settle(interpret(world, before, request, outcome), before, outcome)


def check_step(
    world: World,
    before_view: View | None,
    request: Request,
    after: Outcome,
    contracts: Mapping[str, Contract] | None = None,
) -> list[Breach]:
    """Checks every contract on one step.

    Args:
        world: The harness's record before the request.
        before_view: The view before the request (None before the first).
        request: The request sent.
        after: The view that answered it, or the refusal.
        contracts: The contracts to check (default: all).

    Returns:
        The breaches, each with its contract's sections and assumptions.
    """
    step = Step(
        before=world,
        world=interpret(world, before_view, request, after),
        before_view=before_view,
        request=request,
        view=None if isinstance(after, Refusal) else after,
    )
    return _breaches(step, contracts or CONTRACTS)


def _breaches(step: Step, contracts: Mapping[str, Contract]) -> list[Breach]:
    params = step.world.params
    breaches: list[Breach] = []
    for name, implementation in contracts.items():
        sections, assumptions = params.citations.get(name, ((), ()))
        assumed = params.assumed.get(name, {})
        for finding in implementation.check(step):
            if finding.aspect and finding.aspect not in implementation.aspects:
                raise ValueError(f"contract {name!r} found an undeclared aspect {finding.aspect!r}")
            breaches.append(
                Breach(
                    name,
                    sections,
                    assumptions,
                    finding.message,
                    finding.expected,
                    finding.observed,
                    assumed.get(finding.aspect, ()) if finding.aspect else (),
                )
            )
    # The manual's own breaches first: the step is failed (and graded) by the first one.
    return sorted(breaches, key=lambda breach: bool(breach.assumed))


class Monitor:
    """Checks every step of a run: feed it each request and its answer, in order.

    Args:
        spec: The spec (rules, secret fields, the contracts' citations).
        contracts: The contracts to check (default: all).
    """

    def __init__(self, spec: Spec, contracts: Mapping[str, Contract] | None = None) -> None:
        self.world = World.initial(spec)
        self.view: View | None = None
        self._contracts = contracts or CONTRACTS

    def step(self, request: Request, after: Outcome) -> list[Breach]:
        """Checks one step and records it; returns its breaches."""
        mid = interpret(self.world, self.view, request, after)
        step = Step(
            self.world, mid, self.view, request, None if isinstance(after, Refusal) else after
        )
        breaches = _breaches(step, self._contracts)
        self.world = settle(mid, self.view, after)
        if not isinstance(after, Refusal):
            self.view = after
        return breaches
