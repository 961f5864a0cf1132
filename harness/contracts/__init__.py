"""The manual's contracts, checked on every step from what the harness observes.

Independent of the reference: each contract of spec/contracts.yaml is implemented here
once, from the view after each step, the request sent and the harness's own record of the
world (the fixture of `reset`, every request since, the virtual clock). This package
imports only `statechart` (the spec model and the pure RFC 6238 function) and the standard
library, never another `harness` module.

    monitor = Monitor(spec)
    for request, outcome in run:          # outcome: the view, or a Refusal
        for breach in monitor.step(request, outcome):
            print(breach.format())

`check_step(world, before_view, request, after)` is the same check as a pure function;
`advance` gives the world after a step.
"""

from __future__ import annotations

from harness.contracts import passwords, tokens, transactions
from harness.contracts.registry import CONTRACTS, Contract, Monitor, advance, check_step
from harness.contracts.step import Step
from harness.contracts.types import Breach, Finding, Outcome, Refusal, Request, View
from harness.contracts.world import Params, World

__all__ = [
    "CONTRACTS",
    "Breach",
    "Contract",
    "Finding",
    "Monitor",
    "Outcome",
    "Params",
    "Refusal",
    "Request",
    "Step",
    "View",
    "World",
    "advance",
    "check_step",
]

_CHECK_MODULES = (passwords, tokens, transactions)
"""Importing them registers their contracts in CONTRACTS."""
