"""The compiled graph of resting states, and why a transition was never reached.

`transition_graph` places every spec transition on the resting states where it applies,
as the running machine does (statechart/machine.py: a state's own transitions, then its
ancestors'; below a dialog only home and notify pass), as a networkx MultiDiGraph whose
edge keys are transition ids. The explorer (harness/generation/explore.py) records what it saw;
`explain` turns that into a reason for each transition it never took.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.generation.tracing import TransitionIndex, applicable
from statechart.machine import AUTO, transition_event
from statechart.model import Spec, Transition

if TYPE_CHECKING:  # imported where used: a run on the shipped checks never builds the graph,
    # and networkx took 0.1 s of every pytest-xdist worker's start
    import networkx as nx  # type: ignore[import-untyped]  # no stubs in the dev dependencies

__all__ = ["Seen", "Unreached", "explain", "placements", "relevant_guards", "transition_graph"]


def placements(spec: Spec) -> dict[str, list[str]]:
    """Transition id → the resting states it can fire in."""
    index = TransitionIndex(spec)
    placed: dict[str, list[str]] = {tid: [] for tid in index.ids}
    for state in spec.statechart.resting_states():
        for _, transition in applicable(spec, state):
            placed[index.id_of(transition)].append(state.path)
    return placed


def relevant_guards(spec: Spec) -> dict[str, frozenset[str]]:
    """Resting state → the guards that decide what can happen there next.

    Those of its visible elements and of its transitions, and, through the choice states
    its transitions lead to, of theirs (a launch passes several choices at once).
    """
    chart = spec.statechart
    own: dict[str, set[str]] = {}
    leads: dict[str, set[str]] = {}
    for state in chart.resting_states():
        names = {g for e in chart.visible_elements(state.path) for g in (*e.when, *e.unless)}
        leads[state.path] = set()
        for _, transition in applicable(spec, state):
            names.update((*transition.guard, *transition.unless))
            target = chart.resolve_target(transition)
            if target is not None and chart.has_state(target):
                entered = chart.enter(target)
                if chart.state(entered).kind == "choice":
                    leads[state.path].add(entered)
        own[state.path] = names
    return {path: frozenset(_closure(path, own, leads)) for path in own}


def _closure(path: str, own: Mapping[str, set[str]], leads: Mapping[str, set[str]]) -> set[str]:
    found, todo, done = set(own[path]), list(leads[path]), {path}
    while todo:
        choice = todo.pop()
        if choice not in done:
            done.add(choice)
            found |= own[choice]
            todo.extend(leads[choice])
    return found


def transition_graph(spec: Spec) -> nx.MultiDiGraph:
    """Resting states as nodes; one edge per placed transition, keyed by its id.

    Edges carry `trigger` (`tap:設定`, `__auto__`, …); an internal transition is a loop.
    """
    import networkx as nx  # see the module's imports

    chart = spec.statechart
    index = TransitionIndex(spec)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(state.path for state in chart.resting_states())
    for state in chart.resting_states():
        for _, transition in applicable(spec, state):
            target = chart.resolve_target(transition)
            dest = state.path if target is None else chart.enter(target)
            trigger = transition_event(transition)
            graph.add_edge(state.path, dest, key=index.id_of(transition), trigger=trigger)
    return graph


@dataclass
class Seen:
    """What the explorer saw: states rested in or passed, events fired, guard values then."""

    states: set[str] = field(default_factory=set)
    fired: dict[tuple[str, str], set[tuple[bool | None, ...]]] = field(default_factory=dict)

    def fire(self, state: str, trigger: str, guards: tuple[bool | None, ...]) -> None:
        """Records that `trigger` happened in `state` while the guards had these values."""
        self.fired.setdefault((state, trigger), set()).add(guards)


@dataclass(frozen=True)
class Unreached:
    """A transition no generated check takes, and why (as far as can be told)."""

    transition: str
    sections: tuple[str, ...]
    reason: str


def _allows(
    transition: Transition, names: tuple[str, ...], values: tuple[bool | None, ...]
) -> bool:
    value = dict(zip(names, values, strict=True))
    return all(value.get(g) for g in transition.guard) and not any(
        value.get(g) for g in transition.unless
    )


def _condition(transition: Transition) -> str:
    parts = [*transition.guard, *(f"not {g}" for g in transition.unless)]
    return " and ".join(parts) or "(none)"


def _never_closing(spec: Spec, transition: Transition) -> bool:
    """Whether the transition needs a closing error where no error shown closes the app."""
    if "error_closes_app" not in transition.guard:
        return False
    chart = spec.statechart
    shown = {
        code
        for state in chart.iter_states()
        for t in state.transitions
        if chart.resolve_target(t) == transition.owner
        for code in t.raises
    }
    closing = {e.code for e in spec.errors if e.on_dismiss == "close_app"}
    return not shown & closing


def _reason(
    spec: Spec,
    transition: Transition,
    sources: list[str],
    seen: Seen,
    names: tuple[str, ...],
    reachable: set[str],
) -> str:
    if _never_closing(spec, transition):
        return "no error this dialog can show closes the app (on_dismiss: close_app)"
    visited = [s for s in sources if s in seen.states]
    if not visited:
        where = ", ".join(sources[:3]) + (" …" if len(sources) > 3 else "")
        if not any(s in reachable for s in sources):
            return f"no path in the compiled graph reaches its state ({where})"
        return f"its state was never reached from the chosen fixtures ({where})"
    trigger = transition_event(transition)
    if trigger == AUTO:
        return f"the choice was passed, but never with {_condition(transition)}"
    valuations = set().union(*(seen.fired.get((s, trigger), set()) for s in visited))
    if not valuations:
        return f"the event {trigger} never happened there (its element never showed)"
    if not any(_allows(transition, names, v) for v in valuations):
        return f"the guards never allowed it: {_condition(transition)} never held at {trigger}"
    return "an earlier transition for the same event was always taken"


def explain(
    spec: Spec, covered: set[str], seen: Seen, guard_names: tuple[str, ...]
) -> tuple[Unreached, ...]:
    """A reason for every transition not in `covered`."""
    index = TransitionIndex(spec)
    graph = transition_graph(spec)
    initial = spec.statechart.enter(spec.statechart.initial)
    import networkx as nx  # see the module's imports

    reachable = set(nx.descendants(graph, initial)) | {initial}
    placed: Mapping[str, list[str]] = placements(spec)
    return tuple(
        Unreached(
            tid,
            index.get(tid).sections,
            _reason(spec, index.get(tid), placed[tid], seen, guard_names, reachable),
        )
        for tid in index.ids
        if tid not in covered
    )
