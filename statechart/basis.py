"""What each expectation of the spec rests on: manual sections, registered assumptions, or both.

Every state, element, text line, transition, error entry and rule cites the manual sections
it belongs to (`sections`) and the assumptions it relates to (`assumptions`). Its `assumed`
mapping names the attributes that rest *only* on assumptions: a broken expectation on such an
attribute is a deviation, not a failure (issue 12's graded verdicts, docs/grading.md). This
module reads that mapping for the harness (`basis`, `Basis.verdict`) and checks it
(`check_assumed`, run by `otpspec validate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final, Literal

from statechart.model import (
    Assumed,
    Element,
    ErrorEntry,
    Names,
    Spec,
    State,
    TextLine,
    Transition,
    assumed_ids,
)
from statechart.problems import Origin, Problem

__all__ = ["ATTRIBUTES", "Basis", "Item", "basis", "check_assumed", "combine"]

Item = State | Element | TextLine | Transition | ErrorEntry
Verdict = Literal["fail", "deviation"]

ATTRIBUTES: Final[dict[str, tuple[str, ...]]] = {
    "state": ("exists", "title", "text", "shows"),
    "element": ("exists", "when", "enabled_when", "inherited", "order"),
    "text": ("exists", "when"),
    "transition": ("exists", "guard", "priority", "target", "actions"),
    "error": ("condition", "on_dismiss"),
    "rule": ("value",),
}
"""The attributes `assumed` may name, by item kind (the schemas enforce the same lists)."""


@dataclass(frozen=True)
class Basis:
    """What one expectation rests on.

    Attributes:
        sections: The manual sections of the items involved.
        assumptions: The assumption ids of the attributes involved that the manual does not
            give (empty: the manual alone requires it).
    """

    sections: Names = ()
    assumptions: Names = ()

    @property
    def verdict(self) -> Verdict:
        """`fail` when the manual requires it, `deviation` when an assumption does."""
        return "deviation" if self.assumptions else "fail"


def _kind(item: Item) -> str:
    if isinstance(item, State):
        return "state"
    if isinstance(item, Element):
        return "element"
    if isinstance(item, TextLine):
        return "text"
    if isinstance(item, Transition):
        return "transition"
    return "error"


def basis(item: Item, *attributes: str) -> Basis:
    """The basis of expectations on some attributes of one item.

    `exists` is implied: an item that exists only by assumption has every attribute assumed.

    Args:
        item: The state, element, text line, transition or error entry.
        attributes: Attributes of ATTRIBUTES for its kind (none: its existence only).

    Raises:
        ValueError: An attribute the item's kind does not have.
    """
    allowed = ATTRIBUTES[_kind(item)]
    unknown = [a for a in attributes if a not in allowed]
    if unknown:
        raise ValueError(f"a {_kind(item)} has no attribute {unknown[0]!r}; use one of {allowed}")
    names = ("exists", *attributes) if "exists" in allowed else attributes
    found = [i for name in names for i in assumed_ids(item.assumed, name)]
    return Basis(tuple(item.sections), tuple(dict.fromkeys(found)))


def combine(bases: Iterable[Basis]) -> Basis:
    """The basis of an expectation that rests on several: a deviation if any is assumed."""
    listed = list(bases)
    sections = tuple(dict.fromkeys(s for b in listed for s in b.sections))
    return Basis(sections, tuple(dict.fromkeys(a for b in listed for a in b.assumptions)))


# ---- the check run by `otpspec validate`


def _items(spec: Spec) -> Iterator[Item]:
    seen: set[Origin] = set()
    for state in spec.statechart.iter_states():
        if state.origin in seen:  # a template instantiated more than once
            continue
        seen.add(state.origin)
        yield state
        yield from state.elements
        yield from state.texts
        yield from state.transitions
    yield from spec.errors


def _has(item: Item, attribute: str) -> bool:
    """Whether the item has the attribute its `assumed` names (nothing to ground otherwise)."""
    present: dict[str, bool] = {
        "exists": True,
        "value": True,
        "title": getattr(item, "title", None) is not None,
        "text": getattr(item, "text", None) is not None,
        "shows": bool(getattr(item, "shows", ())),
        "when": bool(getattr(item, "when", ()) or getattr(item, "unless", ())),
        "enabled_when": bool(getattr(item, "enabled_when", ())),
        "guard": bool(getattr(item, "guard", ()) or getattr(item, "unless", ())),
        "target": True,  # a transition without one stays: where it leads is still a claim
        "actions": bool(getattr(item, "actions", ())),
        "priority": True,
        "inherited": True,
        "order": getattr(item, "kind", None) == "list",
        "condition": True,
        "on_dismiss": True,
    }
    return present.get(attribute, False)


def _check_one(
    spec: Spec, origin: Origin, assumed: Assumed, cited: Names, item: Item | None
) -> Iterator[Problem]:
    for attribute, ids in assumed:
        where = Origin(origin.file, (*origin.path, "assumed", attribute))
        for ident in ids:
            if ident not in cited:
                message = f"assumed {attribute!r} rests on {ident}, not cited in `assumptions`"
                yield spec.locations.problem(where, message, f"add {ident} to `assumptions`")
        if item is not None and not _has(item, attribute):
            message = f"assumed {attribute!r}: the item has no {attribute}"
            yield spec.locations.problem(where, message, f"drop {attribute!r} from `assumed`")


def _inherited_on_group(spec: Spec) -> Iterator[Problem]:
    for state in spec.statechart.iter_states():
        for element in state.elements:
            if assumed_ids(element.assumed, "inherited") and state.kind != "group":
                origin = Origin(element.origin.file, (*element.origin.path, "assumed"))
                message = "assumed 'inherited' is for elements of a group (shown on its screens)"
                yield spec.locations.problem(origin, message, "use 'exists' on a screen's element")


def check_assumed(spec: Spec) -> Iterator[Problem]:
    """Every `assumed` id is also cited in `assumptions`, and names an attribute the item has."""
    for item in _items(spec):
        yield from _check_one(spec, item.origin, item.assumed, item.assumptions, item)
    rules = spec.rules
    for key, assumed in rules.assumed.items():
        origin = Origin(rules.origin.file, (*rules.origin.path, key))
        yield from _check_one(spec, origin, assumed, rules.assumptions.get(key, ()), None)
    for rule in rules.inputs.values():
        yield from _check_one(spec, rule.origin, rule.assumed, rule.assumptions, None)
    yield from _inherited_on_group(spec)
