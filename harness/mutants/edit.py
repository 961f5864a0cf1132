"""Edits of the frozen spec model, for the mutants (harness/mutants/catalogue.py).

Each returns a new Spec made with dataclasses.replace; the loaded spec is never changed, so
one process can hold the reference and any number of mutants side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from statechart.model import Element, ErrorEntry, Spec, State, Transition

__all__ = [
    "delete_transitions",
    "edit_element",
    "edit_transitions",
    "set_input",
    "set_rule",
    "without_variant",
]

TransitionEdit = Callable[[Transition], Transition | None]


def set_rule(spec: Spec, key: str, value: object) -> Spec:
    """A spec whose rules.yaml value `key` is `value`."""
    if key not in spec.rules.values:
        raise KeyError(f"rules.yaml has no {key!r}")
    values = {**spec.rules.values, key: value}
    return replace(spec, rules=replace(spec.rules, values=values))


def set_input(spec: Spec, name: str, **changes: Any) -> Spec:
    """A spec whose input rule `name` has `changes` (`max=33`, `charset=…`)."""
    inputs = {**spec.rules.inputs, name: replace(spec.rules.inputs[name], **changes)}
    return replace(spec, rules=replace(spec.rules, inputs=inputs))


def _with_state(spec: Spec, state: State) -> Spec:
    states = {**spec.statechart.states, state.path: state}
    return replace(spec, statechart=replace(spec.statechart, states=states))


def edit_element(spec: Spec, path: str, label: str, **changes: Any) -> Spec:
    """A spec where the element `label` of the state at `path` has `changes` (`when=()`)."""
    state = spec.statechart.state(path)
    if not any(e.label == label for e in state.elements):
        raise KeyError(f"{path} has no element {label!r}")
    elements: tuple[Element, ...] = tuple(
        replace(e, **changes) if e.label == label else e for e in state.elements
    )
    return _with_state(spec, replace(state, elements=elements))


def edit_transitions(spec: Spec, path: str | None, edit: TransitionEdit) -> Spec:
    """A spec where `edit` rewrites (or, returning None, drops) transitions.

    Args:
        spec: The spec.
        path: The state whose own transitions are edited; None for every state.
        edit: Called with each transition; returns it, a replacement, or None.
    """
    states = [spec.statechart.state(path)] if path is not None else spec.statechart.iter_states()
    for state in list(states):
        kept = tuple(t for t in (edit(t) for t in state.transitions) if t is not None)
        if kept != state.transitions:
            spec = _with_state(spec, replace(state, transitions=kept))
    return spec


def delete_transitions(spec: Spec, path: str, doomed: Callable[[Transition], bool]) -> Spec:
    """A spec without the transitions of `path` for which `doomed` holds (at least one)."""
    if not any(doomed(t) for t in spec.statechart.state(path).transitions):
        raise KeyError(f"no transition of {path} to delete")
    return edit_transitions(spec, path, lambda t: None if doomed(t) else t)


def without_variant(spec: Spec, when: str) -> Spec:
    """A spec whose error messages have no `when` variant (the main message shows)."""

    def strip(entry: ErrorEntry) -> ErrorEntry:
        variants = tuple(v for v in entry.variants if v.when != when)
        return entry if variants == entry.variants else replace(entry, variants=variants)

    return replace(spec, errors=tuple(strip(entry) for entry in spec.errors))
