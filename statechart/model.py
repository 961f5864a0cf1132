"""The typed spec: frozen dataclasses built from the six spec files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from statechart.problems import Origin, SourceMap

__all__ = [
    "MODAL_KINDS",
    "PARENT_TARGET",
    "Assumed",
    "Assumption",
    "Contract",
    "Element",
    "ErrorEntry",
    "InputRule",
    "MessageVariant",
    "Rules",
    "Section",
    "Spec",
    "State",
    "Statechart",
    "TextLine",
    "Transition",
    "assumed_ids",
]

MODAL_KINDS = frozenset({"dialog", "error_dialog"})
PARENT_TARGET = ".."

Names = tuple[str, ...]
Assumed = tuple[tuple[str, Names], ...]
"""An item's `assumed` citations: (attribute, assumption ids) pairs (docs/spec-format.md)."""


def assumed_ids(assumed: Assumed, attribute: str) -> Names:
    """The assumption ids an attribute of an item rests on (`()`: the manual alone)."""
    return next((ids for name, ids in assumed if name == attribute), ())


@dataclass(frozen=True)
class Section:
    """A manual section: `3.9.1` or an unnumbered heading."""

    id: str
    title: str
    in_scope: bool
    origin: Origin
    note: str = ""


@dataclass(frozen=True)
class Assumption:
    """An entry of the assumptions register."""

    id: str
    question: str
    decision: str
    why: str
    sections: Names
    origin: Origin


@dataclass(frozen=True)
class Contract:
    """A named promise of the manual: an invariant of views or a postcondition of an operation.

    Implemented once in Python under `name` (harness/contracts); `states` empty means the
    whole app.
    """

    name: str
    kind: str
    statement: str
    origin: Origin
    after: str | None = None
    states: Names = ()
    sections: Names = ()
    assumptions: Names = ()
    assumed: tuple[tuple[str, Names], ...] = ()
    """Per aspect of the contract that the register alone requires, its assumptions: a
    breach of that aspect is a deviation (docs/grading.md); any other breach is a fail."""

    def assumed_for(self, aspect: str) -> Names:
        """The assumptions a breach of `aspect` rests on alone (empty: the manual's)."""
        return dict(self.assumed).get(aspect, ())


@dataclass(frozen=True)
class InputRule:
    """What a field accepts: character set and length (max None: no known limit)."""

    name: str
    charset: str
    min: int
    max: int | None
    origin: Origin
    sections: Names = ()
    assumptions: Names = ()
    assumed: Assumed = ()


@dataclass(frozen=True)
class Rules:
    """The domain rules: plain values by key, input rules, and their citations."""

    values: Mapping[str, object]
    inputs: Mapping[str, InputRule]
    sections: Mapping[str, Names]
    assumptions: Mapping[str, Names]
    origin: Origin
    assumed: Mapping[str, Assumed] = field(default_factory=dict)

    @property
    def keys(self) -> frozenset[str]:
        """The rule names, usable as `{placeholders}` in texts."""
        return frozenset(self.values)

    def value(self, key: str) -> object:
        """Returns a rule's plain value (a scalar, or a mapping such as `suffix`)."""
        return self.values[key]


@dataclass(frozen=True)
class MessageVariant:
    """An alternative message of an error, shown in a named context."""

    when: str
    message: str


@dataclass(frozen=True)
class ErrorEntry:
    """One row of the error catalogue."""

    code: str
    operation: str
    operation_title: str
    classification: str
    raised_by: str
    message: str
    remedy: str
    on_dismiss: str
    origin: Origin
    variants: tuple[MessageVariant, ...] = ()
    sections: Names = ()
    assumptions: Names = ()
    assumed: Assumed = ()


@dataclass(frozen=True)
class Element:
    """Something a person sees on a state and can tap or type into."""

    label: str
    kind: str
    origin: Origin
    when: Names = ()
    unless: Names = ()
    secret: bool = False
    rule: str | None = None
    items: str | None = None
    enabled_when: Names = ()
    sections: Names = ()
    assumptions: Names = ()
    assumed: Assumed = ()


@dataclass(frozen=True)
class TextLine:
    """A visible line of text, possibly conditional."""

    text: str
    origin: Origin
    when: Names = ()
    unless: Names = ()
    match: str = "exact"
    sections: Names = ()
    assumptions: Names = ()
    assumed: Assumed = ()


@dataclass(frozen=True)
class Transition:
    """A transition owned by the state at `owner` (a state path)."""

    owner: str
    origin: Origin
    event: str | None = None
    element: str | None = None
    key: str | None = None
    result: str | None = None
    guard: Names = ()
    unless: Names = ()
    actions: Names = ()
    target: str | None = None
    raises: Names = ()
    sections: Names = ()
    assumptions: Names = ()
    assumed: Assumed = ()


@dataclass(frozen=True)
class State:
    """A state at `path`; dialog templates are already instantiated as children."""

    path: str
    id: str
    kind: str
    origin: Origin
    parent: str | None = None
    title: str | None = None
    text: str | None = None
    initial: str | None = None
    children: Names = ()
    dialogs: Names = ()
    elements: tuple[Element, ...] = ()
    texts: tuple[TextLine, ...] = ()
    shows: Names = ()
    transitions: tuple[Transition, ...] = ()
    sections: Names = ()
    assumptions: Names = ()
    assumed: Assumed = ()
    template: str | None = None

    @property
    def is_modal(self) -> bool:
        """True for dialogs and error dialogs, which hide everything below them."""
        return self.kind in MODAL_KINDS

    @property
    def initial_path(self) -> str | None:
        """The path of the initial child, if `initial` is set."""
        return None if self.initial is None else f"{self.path}.{self.initial}"


@dataclass(frozen=True)
class Statechart:
    """All states by path (document order, templates instantiated) and navigation helpers."""

    name: str
    initial: str
    states: Mapping[str, State]
    top: Names
    origin: Origin
    templates: Names = ()
    sections: Names = ()
    assumptions: Names = ()

    def iter_states(self) -> Iterator[State]:
        """Yields every state, parents before children."""
        yield from self.states.values()

    def has_state(self, path: str) -> bool:
        """True if a state exists at the path."""
        return path in self.states

    def state(self, path: str) -> State:
        """Returns the state at a path; raises KeyError if there is none."""
        return self.states[path]

    def ancestors(self, path: str) -> tuple[State, ...]:
        """Returns the state at `path` and its ancestors, innermost first."""
        chain: list[State] = []
        current: str | None = path
        while current is not None:
            state = self.states[current]
            chain.append(state)
            current = state.parent
        return tuple(chain)

    def descendants(self, path: str) -> tuple[State, ...]:
        """Returns every state strictly below `path`."""
        prefix = path + "."
        return tuple(state for p, state in self.states.items() if p.startswith(prefix))

    def resolve_target(self, transition: Transition) -> str | None:
        """Returns the absolute target path (None for an internal transition).

        `..` is the parent of the owning state; at the top level it stays `..`,
        which names no state.
        """
        if transition.target != PARENT_TARGET:
            return transition.target
        parent = self.states[transition.owner].parent if transition.owner in self.states else None
        return PARENT_TARGET if parent is None else parent

    def enter(self, path: str) -> str:
        """Returns the state a person rests in after entering `path` (initial children)."""
        current = path
        seen = {current}
        while True:
            initial = self.states[current].initial_path
            if initial is None or initial not in self.states or initial in seen:
                return current
            current = initial
            seen.add(current)

    def is_resting(self, path: str) -> bool:
        """True if a person can be in this state itself (it enters no initial child)."""
        return self.enter(path) == path

    def resting_states(self) -> tuple[State, ...]:
        """Returns the states a person can rest in, in document order."""
        return tuple(state for state in self.iter_states() if self.is_resting(state.path))

    def visible_elements(self, path: str) -> tuple[Element, ...]:
        """Returns the elements visible in a state: its own, then its ancestors' up to a modal."""
        visible: list[Element] = []
        for state in self.ancestors(path):
            visible.extend(state.elements)
            if state.is_modal:
                break
        return tuple(visible)

    def transitions_for(self, path: str, event: str | None) -> tuple[Transition, ...]:
        """Returns the transitions for an event in a state: its own first, then ancestors'."""
        return tuple(
            transition
            for state in self.ancestors(path)
            for transition in state.transitions
            if transition.event == event
        )

    def applicable_transitions(self, path: str) -> tuple[Transition, ...]:
        """Returns every transition that can fire in a state, taps only on visible elements."""
        labels = {element.label for element in self.visible_elements(path)}
        return tuple(
            transition
            for state in self.ancestors(path)
            for transition in state.transitions
            if transition.event != "tap" or transition.element in labels
        )


@dataclass(frozen=True)
class Spec:
    """The whole spec: the six files, typed, plus where every part came from."""

    statechart: Statechart
    errors: tuple[ErrorEntry, ...]
    assumptions: tuple[Assumption, ...]
    rules: Rules
    sections: tuple[Section, ...]
    locations: SourceMap = field(compare=False)
    directory: Path | None = None
    contracts: tuple[Contract, ...] = ()

    def error_codes(self) -> frozenset[str]:
        """Returns the codes in the error catalogue."""
        return frozenset(entry.code for entry in self.errors)

    def section_ids(self) -> frozenset[str]:
        """Returns the ids of sections.yaml."""
        return frozenset(section.id for section in self.sections)

    def assumption_ids(self) -> frozenset[str]:
        """Returns the ids of the assumptions register."""
        return frozenset(assumption.id for assumption in self.assumptions)

    def contract(self, name: str) -> Contract:
        """Returns the contract called `name`; raises KeyError if there is none."""
        for contract in self.contracts:
            if contract.name == name:
                return contract
        raise KeyError(f"no contract {name!r} in contracts.yaml")
