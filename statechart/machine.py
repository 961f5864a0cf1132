"""Runs the statechart on `transitions` (the only module that imports it).

The spec's hierarchy is compiled into a flat `transitions.Machine` once, at build time:
every state a person can rest in gets its own transitions first and then its ancestors'
(so a tab bar's transitions apply on every screen below it), in document order, and a
transition into a group lands on the group's initial descendant. Below a dialog only
the dialog's own taps and back key apply (it is modal); `home` and `notify` still reach
the app. A flat machine triggers several times faster than a `HierarchicalMachine` of the
same shape, and since the spec has no entry or exit actions, flattening loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from transitions import Machine
from transitions.extensions import HierarchicalMachine
from transitions.extensions.nesting import NestedState

from statechart.model import State, Statechart, Transition

__all__ = [
    "AUTO",
    "RAW_SEPARATOR",
    "ChoiceStuck",
    "StateMachine",
    "event_name",
    "raw_hierarchical_machine",
    "raw_trigger_name",
    "transition_event",
]

AUTO = "__auto__"
"""The internal event that leaves a `choice` state."""

_MAX_CHOICES = 16
_MODAL_PASSING = frozenset({"key:home", "notify"})

Guard = Callable[[], bool]
Action = Callable[[], None]


class ChoiceStuck(RuntimeError):
    """A choice state had no transition to take (the spec check rules this out)."""


def event_name(event: str, detail: str | None = None) -> str:
    """Returns the trigger name of an event: `tap:送信`, `key:back`, `launch`."""
    return event if detail is None else f"{event}:{detail}"


def transition_event(transition: Transition) -> str:
    """Returns the trigger name a spec transition answers to."""
    if transition.event is None:
        return AUTO
    detail = {"tap": transition.element, "key": transition.key, "biometric": transition.result}
    return event_name(transition.event, detail.get(transition.event))


@dataclass(frozen=True)
class _Compiled:
    """One spec transition, placed on a resting state."""

    source: str
    trigger: str
    dest: str | None
    transition: Transition


class _Model:
    """The object `transitions` drives; it only carries the current state."""

    state: str


class StateMachine:
    """The app's statechart as a running machine.

    Args:
        chart: The typed statechart.
        guards: Guard name → a callable answering for the current app context.
        actions: Action name → a callable acting on the current app context.
    """

    def __init__(
        self, chart: Statechart, guards: Mapping[str, Guard], actions: Mapping[str, Action]
    ) -> None:
        self.chart = chart
        self._model = _Model()
        self._on_taken: Callable[[Transition], None] | None = None
        resting = [state.path for state in chart.resting_states()]
        self._machine = Machine(
            model=self._model,
            states=resting,
            initial=chart.enter(chart.initial),
            auto_transitions=False,
            ignore_invalid_triggers=True,
            send_event=False,
        )
        self._triggers: dict[str, set[str]] = {}
        for compiled in _compile(chart):
            self._add(compiled, guards, actions)
            self._triggers.setdefault(compiled.source, set()).add(compiled.trigger)

    @property
    def state(self) -> str:
        """The path of the state the app rests in."""
        return self._model.state

    def on_taken(self, listener: Callable[[Transition], None] | None) -> None:
        """Registers a callable told of every spec transition taken (for coverage)."""
        self._on_taken = listener

    def reset(self, path: str | None = None) -> None:
        """Puts the machine in `path` (default: the initial state) without running actions."""
        self._machine.set_state(self.chart.enter(path or self.chart.initial))

    def fire(self, trigger: str) -> bool:
        """Fires an event and leaves any choice it lands on; True if a transition was taken."""
        if trigger not in self._triggers.get(self._model.state, ()):
            return False  # nothing answers it here (transitions would log a warning)
        taken = bool(self._machine.events[trigger].trigger(self._model))
        if taken:
            self._leave_choices()
        return taken

    def handles(self, trigger: str) -> bool:
        """True if some state has a transition for the trigger."""
        return any(trigger in triggers for triggers in self._triggers.values())

    def _leave_choices(self) -> None:
        for _ in range(_MAX_CHOICES):
            if self.chart.state(self.state).kind != "choice":
                return
            if not self._machine.events[AUTO].trigger(self._model):
                raise ChoiceStuck(f"no transition could leave choice state {self.state}")
        raise ChoiceStuck(f"more than {_MAX_CHOICES} choices in a row at {self.state}")

    def _add(
        self, compiled: _Compiled, guards: Mapping[str, Guard], actions: Mapping[str, Action]
    ) -> None:
        spec = compiled.transition
        before: list[str | Callable[..., bool | None]] = [self._notifier(spec)]
        before.extend(actions[name] for name in spec.actions)
        self._machine.add_transition(
            compiled.trigger,
            compiled.source,
            compiled.dest,
            conditions=[guards[name] for name in spec.guard],
            unless=[guards[name] for name in spec.unless],
            before=before,
        )

    def _notifier(self, transition: Transition) -> Callable[[], None]:
        def notify() -> None:
            if self._on_taken is not None:
                self._on_taken(transition)

        return notify


def _compile(chart: Statechart) -> Iterator[_Compiled]:
    for state in chart.resting_states():
        for owner, transition in _applicable(chart, state):
            trigger = transition_event(transition)
            if owner is not state and state.kind == "choice" and trigger == AUTO:
                continue
            target = chart.resolve_target(transition)
            dest = None if target is None else chart.enter(target)
            yield _Compiled(state.path, trigger, dest, transition)


def _applicable(chart: Statechart, state: State) -> Iterator[tuple[State, Transition]]:
    """Yields (owner, transition) for a resting state: its own, then its ancestors'."""
    below_modal = False
    for owner in chart.ancestors(state.path):
        for transition in owner.transitions:
            if below_modal and transition_event(transition) not in _MODAL_PASSING:
                continue
            yield owner, transition
        below_modal = below_modal or owner.is_modal


# ---- for benchmarks: the same chart as a plain HierarchicalMachine, nothing of ours on it
RAW_SEPARATOR = ">"
"""Path separator of the raw machine (our ids hold underscores, transitions' default)."""


def raw_trigger_name(index: int, transition: Transition) -> str:
    """The raw machine's trigger for the `index`-th transition of a state."""
    detail = transition.element or transition.key or transition.result or ""
    return f"t{index}_{transition.event}_{detail}"


def raw_hierarchical_machine(chart: Statechart) -> HierarchicalMachine:
    """A HierarchicalMachine of the chart's shape: its nesting and unguarded transitions.

    The benchmark compares a step of the app with a raw trigger of this machine.
    """
    NestedState.separator = RAW_SEPARATOR
    top = [_raw_state(chart, chart.state(path)) for path in chart.top]
    machine = HierarchicalMachine(
        states=top, initial=chart.initial, auto_transitions=False, ignore_invalid_triggers=True
    )
    for state in chart.iter_states():
        source = state.path.replace(".", RAW_SEPARATOR)
        for index, transition in enumerate(state.transitions):
            target = chart.resolve_target(transition)
            dest = None if target is None else target.replace(".", RAW_SEPARATOR)
            machine.add_transition(raw_trigger_name(index, transition), source, dest)
    return machine


def _raw_state(chart: Statechart, state: State) -> dict[str, object] | str:
    if not state.children:
        return state.id
    entry: dict[str, object] = {
        "name": state.id,
        "children": [_raw_state(chart, chart.state(path)) for path in state.children],
    }
    if state.initial is not None:
        entry["initial"] = state.initial
    return entry
