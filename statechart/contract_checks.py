"""Cross-checks of spec/contracts.yaml: citations, states, and the implemented names.

A contract is implemented once in Python by name (harness/contracts registers them); the
caller passes those names, as it passes guard and action names, and both directions are
checked: every contract in the YAML is implemented and every implemented one is listed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Set

from statechart.model import Contract, Spec
from statechart.problems import Origin, Problem

__all__ = ["check_contracts", "contract_citations"]


def _at(origin: Origin, *steps: str | int) -> Origin:
    return Origin(origin.file, (*origin.path, *steps))


def _suggest(name: str, candidates: Iterable[str], fallback: str) -> str:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.5)
    return f"did you mean: {', '.join(close)}" if close else fallback


def contract_citations(contract: Contract) -> Iterator[tuple[str, str, Origin]]:
    """Yields (kind, id, origin) for each section and assumption a contract cites."""
    for index, ident in enumerate(contract.sections):
        yield "section", ident, _at(contract.origin, "sections", index)
    for index, ident in enumerate(contract.assumptions):
        yield "assumption", ident, _at(contract.origin, "assumptions", index)


def _states(spec: Spec, contract: Contract) -> Iterator[Problem]:
    chart = spec.statechart
    for index, path in enumerate(contract.states):
        if not chart.has_state(path):
            hint = _suggest(path, chart.states, "use a state path of statechart.yaml")
            message = f"contract {contract.name}: state {path!r} is not in the statechart"
            yield spec.locations.problem(_at(contract.origin, "states", index), message, hint)


def _after(spec: Spec, contract: Contract) -> Iterator[Problem]:
    if contract.kind == "invariant" and contract.after is not None:
        message = f"contract {contract.name} is an invariant but says `after`"
        hint = "make it a postcondition, or drop `after`"
        yield spec.locations.problem(_at(contract.origin, "after"), message, hint)


def _cited_back(spec: Spec, contract: Contract) -> Iterator[Problem]:
    """An assumption a contract rests on must answer a question of the contract's sections."""
    register = {assumption.id: assumption for assumption in spec.assumptions}
    for index, ident in enumerate(contract.assumptions):
        assumption = register.get(ident)
        if assumption is None or set(assumption.sections) & set(contract.sections):
            continue  # an unknown id is reported with the other citations
        shown = ", ".join(assumption.sections)
        message = (
            f"contract {contract.name} rests on {ident}, which cites none of its sections"
            f" (it cites {shown})"
        )
        hint = f"add one of {shown} to the contract's sections, or cite another assumption"
        yield spec.locations.problem(_at(contract.origin, "assumptions", index), message, hint)


def _assumed(spec: Spec, contract: Contract) -> Iterator[Problem]:
    """An aspect's assumptions are among those the contract rests on."""
    for aspect, idents in contract.assumed:
        for index, ident in enumerate(idents):
            if ident not in contract.assumptions:
                message = (
                    f"contract {contract.name}: aspect {aspect!r} rests on {ident}, which is"
                    " not among its assumptions"
                )
                hint = f"add {ident} to the contract's assumptions, or cite one of them"
                origin = _at(contract.origin, "assumed", aspect, index)
                yield spec.locations.problem(origin, message, hint)


def _names(spec: Spec, implemented: Set[str]) -> Iterator[Problem]:
    listed = {contract.name for contract in spec.contracts}
    for contract in spec.contracts:
        if contract.name not in implemented:
            hint = _suggest(contract.name, implemented, "implement it in harness/contracts")
            message = f"contract {contract.name!r} is not implemented"
            yield spec.locations.problem(_at(contract.origin, "name"), message, hint)
    file_origin = Origin("contracts.yaml", ("contracts",))
    for name in sorted(set(implemented) - listed):
        message = f"contract {name!r} is implemented but not in contracts.yaml"
        hint = "add it to contracts.yaml with its sections, or remove the implementation"
        yield spec.locations.problem(file_origin, message, hint)


def check_contracts(spec: Spec, implemented: Set[str] | None = None) -> Iterator[Problem]:
    """Checks the contracts' states, kinds and assumptions; with `implemented`, the names.

    Sections and assumptions that do not exist are reported with every other citation
    (statechart.checks).
    """
    for contract in spec.contracts:
        yield from _states(spec, contract)
        yield from _after(spec, contract)
        yield from _cited_back(spec, contract)
        yield from _assumed(spec, contract)
    if implemented is not None:
        yield from _names(spec, implemented)
