"""The spec items an expectation can rest on, looked up once per spec.

The grader asks the same questions again and again: which transition an id names, which
elements with a label a state shows and which state owns each, which lines a screen prints,
which rule a value follows. `SpecIndex.of(spec)` answers them from the spec alone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from harness.grading.grounds import Grounds
from statechart.basis import basis
from statechart.model import Element, ErrorEntry, Spec, State, TextLine, Transition, assumed_ids

__all__ = ["CODELESS", "OPEN_ACTIONS", "Owned", "SpecIndex", "line_matches"]

CODELESS: Final = "OTHER-APP"
"""The catalogue's code of the one message shown without a code (its view `code` is null):
how a trace and a difference name that error."""

OPEN_ACTIONS: Final[frozenset[str]] = frozenset(
    {"open_link", "open_login_site", "open_biometric_settings"}
)
"""The actions that open a page (2.2's link, 3.14.2's login site, 3.14.1's settings): the
answer to the request that takes one is where `browser` is compared (docs/protocol.md)."""

_PLACEHOLDER: Final = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Owned:
    """An element and the state that declares it (a group's element shows on its screens)."""

    owner: State
    element: Element


def line_matches(line: TextLine, rendered: str, text: str) -> bool:
    """Whether a shown text is the spec line (`match: prefix`: starts with it)."""
    return text.startswith(rendered) if line.match == "prefix" else text == rendered


class SpecIndex:
    """Lookups of one spec's items for the grader (build with `SpecIndex.of`)."""

    _cache: Final[dict[int, tuple[Spec, SpecIndex]]] = {}
    _lock: Final = threading.Lock()

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        chart = spec.statechart
        self.transitions: dict[str, Transition] = {
            f"{state.path}#{i}": t
            for state in chart.iter_states()
            for i, t in enumerate(state.transitions)
        }
        self.screen_titles = frozenset(
            s.title for s in chart.iter_states() if s.kind == "screen" and s.title
        )
        self.labels = frozenset(
            e.label for s in chart.iter_states() for e in s.elements if e.kind != "list"
        )
        values = {k: str(v) for k, v in spec.rules.values.items() if isinstance(v, str | int)}
        self._values = values

    @classmethod
    def of(cls, spec: Spec) -> SpecIndex:
        """The index of a spec, built once per spec object."""
        with cls._lock:
            cached = cls._cache.get(id(spec))
            if cached is None or cached[0] is not spec:
                cached = (spec, cls(spec))
                cls._cache[id(spec)] = cached
            return cached[1]

    # ---- states

    def has(self, path: str) -> bool:
        """Whether the spec has a state at `path`."""
        return self.spec.statechart.has_state(path)

    def state(self, path: str) -> State | None:
        """The state at `path`, or None."""
        return self.spec.statechart.state(path) if self.has(path) else None

    def layers(self, path: str) -> list[State]:
        """The screen and dialog a resting state shows (innermost first), as the view does."""
        if not self.has(path):
            return []
        return [
            a
            for a in self.spec.statechart.ancestors(path)
            if a.kind == "screen" or a.is_modal or a.kind == "closed"
        ]

    def screen(self, path: str) -> State | None:
        """The screen a state shows (None: closed, or no such state)."""
        if not self.has(path):
            return None
        return next((a for a in self.spec.statechart.ancestors(path) if a.kind == "screen"), None)

    def shown_in(self, path: str) -> State | None:
        """The innermost layer (dialog, screen, or closed) of a resting state."""
        layers = self.layers(path)
        return layers[0] if layers else self.state(path)

    def shows(self, path: str, part: str) -> list[State]:
        """The layers of `path` whose `shows` names `part` (token, otp, tokens, …)."""
        return [layer for layer in self.layers(path) if part in layer.shows]

    # ---- elements

    def visible(self, path: str) -> Iterator[Owned]:
        """The elements a state can show with their owners: its own, its ancestors' up to a
        dialog (as `Statechart.visible_elements`)."""
        if not self.has(path):
            return
        for state in self.spec.statechart.ancestors(path):
            for element in state.elements:
                yield Owned(state, element)
            if state.is_modal:
                return

    def in_ancestors(self, path: str, label: str) -> list[Owned]:
        """The elements labelled `label` declared on `path` or any state above it."""
        if not self.has(path):
            return []
        return [
            Owned(state, e)
            for state in self.spec.statechart.ancestors(path)
            for e in state.elements
            if e.label == label
        ]

    def everywhere(self, label: str) -> list[Owned]:
        """Every element of the spec labelled `label`."""
        return [
            Owned(state, e)
            for state in self.spec.statechart.iter_states()
            for e in state.elements
            if e.label == label
        ]

    def element_grounds(self, owned: Owned, path: str, *attributes: str) -> Grounds:
        """An element's basis for `attributes`, with `inherited` where it applies.

        `inherited` counts when the element belongs to a group and the screen of `path` is
        not the group's initial screen (docs/grading.md).
        """
        names = list(attributes)
        owner = owned.owner
        if owner.kind == "group" and owner.initial_path is not None:
            home = self.screen(self.spec.statechart.enter(owner.initial_path))
            here = self.screen(path)
            if here is None or home is None or here.path != home.path:
                names.append("inherited")
        return Grounds.of(basis(owned.element, *names))

    # ---- texts

    def render(self, text: str) -> str:
        """A spec text with its `{rule}` placeholders filled, as the view shows it."""
        return _PLACEHOLDER.sub(lambda m: self._values.get(m.group(1), m.group(0)), text)

    def lines(self, path: str) -> list[tuple[TextLine, str]]:
        """The text lines a state's screen and dialog can show, each with its rendering."""
        return [
            (line, self.render(line.text)) for layer in self.layers(path) for line in layer.texts
        ]

    # ---- rules, errors, contracts

    def rule(self, key: str) -> Grounds:
        """The grounds of a rules.yaml value (`value` assumed → its assumptions)."""
        rules = self.spec.rules
        return Grounds(
            tuple(rules.sections.get(key, ())),
            assumed_ids(rules.assumed.get(key, ()), "value"),
        )

    def input_rule(self, name: str) -> Grounds:
        """The grounds of an input rule of rules.yaml `inputs`."""
        rule = self.spec.rules.inputs[name]
        return Grounds(tuple(rule.sections), assumed_ids(rule.assumed, "value"))

    def entries(self, code: str | None) -> list[ErrorEntry]:
        """The catalogue entries with this code (CODELESS: the message without a code)."""
        return [e for e in self.spec.errors if e.code == code]

    def contract(self, name: str) -> Grounds | None:
        """The grounds of a contract of contracts.yaml (the manual's: its sections)."""
        try:
            contract = self.spec.contract(name)
        except KeyError:
            return None
        return Grounds(tuple(contract.sections), ())

    def field_rule(self, path: str, label: str) -> str | None:
        """The input rule of the field `label` a state shows."""
        for owned in self.visible(path):
            if owned.element.label == label and owned.element.kind == "field":
                return owned.element.rule
        return None
