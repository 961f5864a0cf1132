"""Breadth-first exploration of the reference app, recording the spec transitions taken.

From each fixture's reset the explorer tries every event a person has in each view (see
`harness.generation.events`). A state is known by where the app rests, the form, the
selected token and the guards that decide what can happen next there (and, while closed,
where each token stands against its expiry); a state seen before is not explored again.
Exploration runs from snapshots of the reference, and stops like GraphWalker: at a
coverage target, a depth, a node or time budget, or when several levels in a row add
nothing. The points reached form the tree of `harness.generation.tree`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

from harness.generation.events import Event, EventMenu, renewal_window
from harness.generation.fixtures import WalkFixture
from harness.generation.graph import Seen, relevant_guards
from harness.generation.steps import (
    Refusal,
    TracingApp,
    TransitionIndex,
    WalkStep,
    attempt,
    attempt_reset,
)
from harness.generation.tree import Item, Node, Record
from statechart.machine import event_name
from statechart.model import Spec

__all__ = ["Exploration", "Limits", "explore"]


@dataclass(frozen=True)
class Limits:
    """When exploration stops.

    Attributes:
        target: Stop once this share of the spec's transitions is covered.
        max_depth: Events on one path (a form fill counts as one).
        max_nodes: States explored.
        seconds: Time budget.
        stall_levels: Levels in a row that cover nothing new.
    """

    target: float = 1.0
    max_depth: int = 12
    max_nodes: int = 40_000
    seconds: float = 60.0
    stall_levels: int = 2


class _Explorer:
    """One exploration: the reference, what was covered, and the frontier."""

    def __init__(self, spec: Spec, limits: Limits) -> None:
        self.spec = spec
        self.limits = limits
        self.app = TracingApp(spec)
        self.index = TransitionIndex(spec)
        self.seen = Seen()
        self.first: dict[Item, Node] = {}
        self.covered = 0  # transitions among the items of `first`
        self.keys: set[object] = set()
        self.nodes = 0
        self.menu = EventMenu(spec, self.app)
        self._window = renewal_window(spec)
        self._relevant = {
            path: tuple(sorted(names)) for path, names in relevant_guards(spec).items()
        }
        self._form_states = {
            s.path
            for s in spec.statechart.iter_states()
            if any(e.kind == "field" for e in spec.statechart.visible_elements(s.path))
        }

    def root(self, fixture: WalkFixture) -> Node | None:
        """The node right after the fixture's reset (None if seen already)."""
        view = attempt_reset(self.app, fixture.fixture())
        if isinstance(view, Refusal):
            raise ValueError(f"the reference refused the fixture {fixture.name}: {view.message}")
        node = Node(fixture, None, (), frozenset(), 0, self.app.snapshot(), view)
        return node if self._new(node) else None

    def expand(self, node: Node) -> list[Node]:
        """Tries every event at a node; the children not seen before."""
        children: list[Node] = []
        assert node.snapshot is not None
        events = self._events_at(node)
        guards = self.app.guard_values()  # the same before every event of this node
        for event in events:
            self.app.restore(node.snapshot)
            child = self._child(node, event, guards)
            if child is not None:
                children.append(child)
        node.snapshot = None  # explored: its children carry on from their own snapshots
        return children

    def _events_at(self, node: Node) -> list[Event]:
        assert node.snapshot is not None
        self.app.restore(node.snapshot)
        return self.menu.at(node)

    def _child(self, node: Node, event: Event, guards: tuple[bool | None, ...]) -> Node | None:
        records: list[Record] = []
        hits: set[Item] = set()
        for step in event:
            # Later steps of an event (the tap after a fill) see the node's guards too,
            # but for the form: close enough to explain what was never reached.
            self._note_fired(step, guards)
            form = self.app.form()
            view = attempt(self.app, step)
            if isinstance(view, Refusal):
                return None
            tids = tuple(self.index.id_of(t) for t in self.app.taken)
            self._note_states()
            self.app.taken.clear()
            hits.update((tid,) for tid in tids)
            if step.op == "tap" and form:
                hits.update(
                    (tid, json.dumps(form, ensure_ascii=False))
                    for tid in tids
                    if self._submits(tid)
                )
            records.append(Record(step, view, tids, self.app.machine.state))
        child = Node(
            node.fixture,
            node,
            tuple(records),
            frozenset(hits),
            node.depth + 1,
            view=records[-1].view,
        )
        fresh = sorted(item for item in hits if item not in self.first)  # runs compare alike
        for item in fresh:
            self.first[item] = child
            self.covered += len(item) == 1
        if self._new(child):
            child.snapshot = self.app.snapshot()
            return child
        return None

    def _submits(self, tid: str) -> bool:
        """Whether the transition sends the form: it acts, from a screen with fields."""
        transition = self.index.get(tid)
        return bool(transition.actions) and transition.owner in self._form_states

    def _note_fired(self, step: WalkStep, guards: tuple[bool | None, ...]) -> None:
        state = self.app.machine.state
        self.seen.states.add(state)
        detail = {"tap": step.target, "key": step.target, "biometric": step.target}.get(step.op)
        trigger = event_name(step.op, detail)
        if step.op == "tap":
            labels = {e.label for e in self.spec.statechart.visible_elements(state)}
            if step.target not in labels:  # a list item: the list's own label
                lists = [
                    e.label
                    for e in self.spec.statechart.visible_elements(state)
                    if e.kind == "list"
                ]
                trigger = event_name("tap", lists[0]) if lists else trigger
        self.seen.fire(state, trigger, guards)

    def _note_states(self) -> None:
        chart = self.spec.statechart
        for transition in self.app.taken:
            target = chart.resolve_target(transition)
            if target is not None and chart.has_state(target):
                self.seen.states.add(chart.enter(target))
        self.seen.states.add(self.app.machine.state)

    def _expiry(self) -> tuple[tuple[bool, bool], ...]:
        return tuple((left < 0, 0 <= left <= self._window) for left in self.app.days_left())

    def _new(self, node: Node) -> bool:
        # Abstract on purpose: the state, the guards' values and the form decide which
        # transitions can fire next; names, dates and passwords only multiply the states.
        state = self.app.machine.state
        # While closed, where each token stands against its expiry matters for the next launch.
        day = self._expiry() if state == self.spec.statechart.initial else None
        guards = self.app.guard_values(self._relevant[state])
        key = (node.fixture.name, state, self.app.form(), self.app.selected(), guards, day)
        if key in self.keys:
            return False
        self.keys.add(key)
        self.nodes += 1
        return True


@dataclass(frozen=True)
class Exploration:
    """What exploration found: first-covering nodes, what was seen, why it stopped."""

    first: dict[Item, Node]
    seen: Seen
    guard_names: tuple[str, ...]
    nodes: int
    levels: int
    seconds: float
    stopped: str


def explore(spec: Spec, fixtures: Sequence[WalkFixture], limits: Limits) -> Exploration:
    """Explores the reference from each fixture, level by level, until a limit is met."""
    began = time.perf_counter()
    explorer = _Explorer(spec, limits)
    frontier = [node for node in (explorer.root(f) for f in fixtures) if node is not None]
    levels, stalled, stopped = 0, 0, ""
    while frontier and not stopped:
        before = len(explorer.first)
        next_level: list[Node] = []
        for node in frontier:
            next_level += explorer.expand(node)
            stopped = _limit(explorer, limits, began)
            if stopped:
                break
        levels += 1
        stalled = stalled + 1 if len(explorer.first) == before else 0
        if not stopped and stalled >= limits.stall_levels:
            stopped = f"{stalled} levels in a row covered nothing new"
        if not stopped and levels >= limits.max_depth:
            stopped = f"depth {limits.max_depth} reached"
        frontier = next_level
    return Exploration(
        explorer.first,
        explorer.seen,
        explorer.app.guard_names,
        explorer.nodes,
        levels,
        time.perf_counter() - began,
        stopped or "nothing left to explore",
    )


def _limit(explorer: _Explorer, limits: Limits, began: float) -> str:
    """Why to stop now, or ""."""
    if explorer.covered >= limits.target * len(explorer.index.ids):
        return f"target of {limits.target:.0%} of the transitions reached"
    if explorer.nodes >= limits.max_nodes:
        return f"{limits.max_nodes} states explored"
    if time.perf_counter() - began >= limits.seconds:
        return f"time budget of {limits.seconds:g} s spent"
    return ""
