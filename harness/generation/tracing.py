"""The reference app, traced: the spec transitions each request takes, and why.

`TracingApp` is the reference the generated checks explore and the differential walk
compares with. It records the transitions each request takes (the choices passed
included), the later transitions for the same event whose guards also held where a
transition's `priority` is at stake (ASM-001's launch order), the requests themselves, the
errors shown, and the codes injected with `server`: `step_trace` returns all of it for one
step as a `harness.grading.StepTrace`. It also snapshots and restores itself (the explorer
works from snapshots) and reports the guards' values.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.grading.trace import StepTrace
from statechart.app import ReferenceApp
from statechart.machine import AUTO, transition_event
from statechart.model import Spec, State, Transition, assumed_ids
from statechart.session import Session

__all__ = ["Snapshot", "TracingApp", "TransitionIndex", "applicable"]

_MODAL_PASSING = frozenset({"key:home", "notify"})


def applicable(spec: Spec, state: State) -> Iterator[tuple[State, Transition]]:
    """The transitions that can fire in a resting state, in the order the machine tries
    them (statechart/machine.py): its own, then its ancestors'; below a dialog only home and
    notify; a choice leaves only by its own automatic transitions."""
    below_modal = False
    for owner in spec.statechart.ancestors(state.path):
        for transition in owner.transitions:
            if below_modal and transition_event(transition) not in _MODAL_PASSING:
                continue
            if (
                owner is not state
                and state.kind == "choice"
                and transition_event(transition) == AUTO
            ):
                continue
            yield owner, transition
        below_modal = below_modal or owner.is_modal


class TransitionIndex:
    """Stable ids (`owner#index`, as harness.diagrams.draw) of the spec's transitions."""

    def __init__(self, spec: Spec) -> None:
        self._ids: dict[int, str] = {}
        self._by_id: dict[str, Transition] = {}
        for state in spec.statechart.iter_states():
            for index, transition in enumerate(state.transitions):
                tid = f"{state.path}#{index}"
                self._ids[id(transition)] = tid
                self._by_id[tid] = transition

    @property
    def ids(self) -> tuple[str, ...]:
        """Every transition id, in document order."""
        return tuple(self._by_id)

    def id_of(self, transition: Transition) -> str:
        """The id of a transition object of the spec."""
        return self._ids[id(transition)]

    def get(self, tid: str) -> Transition:
        """The transition with this id."""
        return self._by_id[tid]


@dataclass(frozen=True)
class Snapshot:
    """The reference app's state at one point of a walk (restored by TracingApp.restore)."""

    session: bytes = field(repr=False)
    state: str


def _target(op: str, args: Mapping[str, Any]) -> str:
    """What a request names: the label, field, key, transaction, result or operation."""
    for key in ("target", "field", "key", "transaction", "result", "operation"):
        value = args.get(key)
        if isinstance(value, str):
            return value
    return ""


class TracingApp(ReferenceApp):
    """The reference app that records what each step of a walk does in the spec.

    `taken` lists the transitions taken since the last `begin_step` (or `restore`);
    `begin_step` and `step_trace` frame one step and return its `StepTrace`.

    Args:
        spec: The loaded spec.
    """

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec)
        self.taken: list[Transition] = []
        self.rivals: list[tuple[Transition, tuple[Transition, ...]]] = []
        self.index = TransitionIndex(spec)
        self._order: dict[tuple[str, str], tuple[Transition, ...]] = {}
        self._requests: list[tuple[str, str]] = []
        self._history: list[str] = []
        self._injected: list[str] = []
        self._before = self.machine.state
        self._error_before: str | None = None
        self.machine.on_taken(self._took)

    # ---- what a transition taken tells

    def _took(self, transition: Transition) -> None:
        # Told before the transition's actions run: the guards still read what decided it.
        self.taken.append(transition)
        if assumed_ids(transition.assumed, "priority"):
            self.rivals.append((transition, self._held(transition)))

    def _held(self, transition: Transition) -> tuple[Transition, ...]:
        """The later transitions for the same event here whose guards also hold now (an
        unguarded one is the `otherwise`, not a rival)."""
        state = self.machine.state
        trigger = transition_event(transition)
        key = (state, trigger)
        if key not in self._order:
            here = self.spec.statechart.state(state)
            self._order[key] = tuple(
                t for _, t in applicable(self.spec, here) if transition_event(t) == trigger
            )
        order = self._order[key]
        later = order[order.index(transition) + 1 :] if transition in order else ()
        return tuple(t for t in later if (t.guard or t.unless) and self._holds(t))

    def _holds(self, transition: Transition) -> bool:
        def value(name: str) -> bool:
            try:
                return bool(self._guards[name]())
            except LookupError:  # a guard about the selected token, with none selected
                return False

        return all(value(g) for g in transition.guard) and not any(
            value(g) for g in transition.unless
        )

    def _error(self) -> str | None:
        error = self._session.error
        return None if error is None else error.entry.code

    # ---- framing steps

    def begin_step(self) -> None:
        """Starts a step: what `step_trace` reports is what happens from here."""
        self.taken.clear()
        self.rivals.clear()
        self._requests.clear()
        self._before = self.machine.state
        self._error_before = self._error()

    def step_trace(self, requests: Sequence[tuple[str, str]] | None = None) -> StepTrace:
        """What the spec did since `begin_step`; the step joins the history of the walk.

        Args:
            requests: The step's requests as (op, target) (default: those this app answered).
        """
        ids = tuple(self.index.id_of(t) for t in self.taken)
        trace = StepTrace(
            transitions=ids,
            state=self.machine.state,
            before=self._before,
            rivals=tuple(
                (self.index.id_of(t), tuple(self.index.id_of(r) for r in held))
                for t, held in self.rivals
            ),
            requests=tuple(self._requests if requests is None else requests),
            error_before=self._error_before,
            error_after=self._error(),
            injected=tuple(self._injected),
            history=tuple(self._history),
        )
        self._history.extend(ids)
        return trace

    def pending(self, transaction: str) -> bool:
        """Whether the transaction awaits confirmation (what `notify` may name)."""
        return self._session.server.transaction(transaction) is not None

    # ---- the protocol's operations, noted

    def _note(self, op: str, **args: Any) -> None:
        self._requests.append((op, _target(op, args)))

    def reset(self, fixture: Mapping[str, Any]) -> dict[str, Any]:
        """Starts over from a fixture: the walk's history starts over too."""
        view = super().reset(fixture)
        self.taken.clear()
        self.rivals.clear()
        self._history.clear()
        self._injected.clear()
        self._before, self._error_before = self.machine.state, None
        self._note("reset")
        return view

    def launch(self) -> dict[str, Any]:
        """Launches the app (noted)."""
        self._note("launch")
        return super().launch()

    def tap(self, target: str) -> dict[str, Any]:
        """Taps a label (noted)."""
        self._note("tap", target=target)
        return super().tap(target)

    def enter(self, field: str, value: str) -> dict[str, Any]:
        """Types into a field (noted without the value)."""
        self._note("enter", field=field)
        return super().enter(field, value)

    def key(self, key: str) -> dict[str, Any]:
        """Presses a key (noted)."""
        self._note("key", key=key)
        return super().key(key)

    def notify(self, transaction: str) -> dict[str, Any]:
        """Delivers a notification (noted)."""
        self._note("notify", transaction=transaction)
        return super().notify(transaction)

    def biometric(self, result: str) -> dict[str, Any]:
        """Answers the biometric prompt (noted)."""
        self._note("biometric", result=result)
        return super().biometric(result)

    def clock(self, *, advance: float | None = None, set: str | None = None) -> dict[str, Any]:
        """Moves or sets the clock (noted)."""
        self._note("clock")
        return super().clock(advance=advance, set=set)

    def network(self, online: bool) -> dict[str, Any]:
        """Takes the device on or off line (noted)."""
        self._note("network")
        return super().network(online)

    def server(self, operation: str, code: str) -> dict[str, Any]:
        """Injects a server error (noted, and the code remembered as injected)."""
        self._note("server", operation=operation)
        view = super().server(operation, code)
        self._injected.append(code)
        return view

    # ---- snapshots and guards, for the explorer

    def snapshot(self) -> Snapshot:
        """The state now (a copy: later steps do not change it)."""
        session = self._session
        # The spec is shared and immutable; pickling the rest is several times faster
        # than copy.deepcopy, and the bytes never leave this process.
        session.spec = None  # type: ignore[assignment]
        try:
            data = pickle.dumps(session, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            session.spec = self.spec
        return Snapshot(data, self.machine.state)

    def restore(self, snapshot: Snapshot) -> None:
        """Returns to a snapshot (which stays usable for further restores)."""
        session: Session = pickle.loads(snapshot.session)
        session.spec = self.spec
        self._session = session
        self.machine.reset(snapshot.state)
        self.taken.clear()
        self.rivals.clear()

    def form(self) -> tuple[tuple[str, str | bool], ...]:
        """What is typed and ticked on the screen now, sorted by label."""
        return tuple(sorted(self._session.form.items(), key=str))

    def facets(self) -> tuple[object, ...]:
        """What decides the transitions that can fire next: form, selected token, guards."""
        return (self.form(), self._session.world.app.selected, self.guard_values())

    def selected(self) -> int | None:
        """The index of the token in use."""
        return self._session.world.app.selected

    def days_left(self) -> tuple[int, ...]:
        """Days from today (on the device) to each token's expiry date."""
        s = self._session
        return tuple((token.expires - s.today).days for token in s.tokens)

    @property
    def guard_names(self) -> tuple[str, ...]:
        """The guards, in the order of `guard_values`."""
        return tuple(sorted(self._guards))

    def guard_values(self, names: Iterable[str] | None = None) -> tuple[bool | None, ...]:
        """Each guard's value now (None: it asks about a token and none is selected).

        Args:
            names: The guards to ask (default: all of `guard_names`, in that order).
        """
        values: list[bool | None] = []
        for name in self.guard_names if names is None else names:
            try:
                values.append(bool(self._guards[name]()))
            except LookupError:  # a guard about the selected token, with none selected
                values.append(None)
        return tuple(values)
