"""Cross-checks of a loaded spec that a JSON Schema cannot express."""

from __future__ import annotations

import difflib
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass
from pathlib import Path

from statechart.basis import check_assumed
from statechart.contract_checks import check_contracts, contract_citations
from statechart.model import Element, Spec, State, Statechart, TextLine, Transition
from statechart.problems import Origin, Problem, Severity, sort_problems

__all__ = ["Citation", "Coverage", "check_spec", "citations", "coverage", "unique_states"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NUMBERED_SECTION = re.compile(r"^[0-9]+(\.[0-9]+)*$")
_SCREEN_KINDS = frozenset({"screen", "dialog", "error_dialog"})
_EVENT_DETAILS = (("element", "tap"), ("key", "key"), ("result", "biometric"))

Check = Callable[[Spec], Iterable[Problem]]


@dataclass(frozen=True)
class Citation:
    """One citation of a section or assumption id, and whether it counts for coverage."""

    kind: str
    ident: str
    origin: Origin
    covers: bool


@dataclass(frozen=True)
class Coverage:
    """Which in-scope manual sections the statechart and the error catalogue cite."""

    covered: tuple[str, ...]
    uncovered: tuple[str, ...]

    @property
    def total(self) -> int:
        """The number of in-scope sections."""
        return len(self.covered) + len(self.uncovered)

    @property
    def percent(self) -> float:
        """The covered share, 0-100 (100 when nothing is in scope)."""
        return 100.0 if self.total == 0 else round(100.0 * len(self.covered) / self.total, 1)


def _at(origin: Origin, *steps: str | int) -> Origin:
    return Origin(origin.file, (*origin.path, *steps))


def _problem(
    spec: Spec,
    origin: Origin,
    message: str,
    hint: str,
    *,
    severity: Severity = "error",
) -> Problem:
    return spec.locations.problem(origin, message, hint, severity=severity)


def _suggest(name: str, candidates: Iterable[str], fallback: str) -> str:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.5)
    return f"did you mean: {', '.join(close)}" if close else fallback


def unique_states(chart: Statechart) -> Iterator[State]:
    """Yields states, skipping template instances already seen (same origin)."""
    seen: set[Origin] = set()
    for state in chart.iter_states():
        if state.origin not in seen:
            seen.add(state.origin)
            yield state


# --- citations -------------------------------------------------------------------------


def _cite(
    origin: Origin, sections: Iterable[str], assumptions: Iterable[str], covers: bool
) -> Iterator[Citation]:
    for index, ident in enumerate(sections):
        yield Citation("section", ident, _at(origin, "sections", index), covers)
    for index, ident in enumerate(assumptions):
        yield Citation("assumption", ident, _at(origin, "assumptions", index), covers)


def _state_citations(state: State) -> Iterator[Citation]:
    yield from _cite(state.origin, state.sections, state.assumptions, True)
    parts: list[Element | TextLine | Transition] = [
        *state.elements,
        *state.texts,
        *state.transitions,
    ]
    for part in parts:
        yield from _cite(part.origin, part.sections, part.assumptions, True)


def _rules_citations(spec: Spec) -> Iterator[Citation]:
    rules = spec.rules
    for key in rules.values:
        origin = _at(rules.origin, key)
        yield from _cite(origin, rules.sections.get(key, ()), rules.assumptions.get(key, ()), False)
    for rule in rules.inputs.values():
        yield from _cite(rule.origin, rule.sections, rule.assumptions, False)


def citations(spec: Spec) -> list[Citation]:
    """Returns every section and assumption citation in the spec, each once."""
    chart = spec.statechart
    found: list[Citation] = list(_cite(chart.origin, chart.sections, chart.assumptions, False))
    for state in unique_states(chart):
        found.extend(_state_citations(state))
    for entry in spec.errors:
        found.extend(_cite(entry.origin, entry.sections, entry.assumptions, True))
    found.extend(_rules_citations(spec))
    for assumption in spec.assumptions:
        found.extend(_cite(assumption.origin, assumption.sections, (), False))
    for contract in spec.contracts:
        found.extend(
            Citation(kind, ident, origin, False)
            for kind, ident, origin in contract_citations(contract)
        )
    return list(dict.fromkeys(found))


def coverage(spec: Spec) -> Coverage:
    """Returns the in-scope sections cited by a state, element, transition or error."""
    cited = {c.ident for c in citations(spec) if c.kind == "section" and c.covers}
    in_scope = [section.id for section in spec.sections if section.in_scope]
    covered = tuple(ident for ident in in_scope if ident in cited)
    uncovered = tuple(ident for ident in in_scope if ident not in cited)
    return Coverage(covered, uncovered)


def _check_cited_sections(spec: Spec) -> Iterator[Problem]:
    known = spec.section_ids()
    for citation in citations(spec):
        if citation.kind == "section" and citation.ident not in known:
            hint = _suggest(citation.ident, known, "add it to sections.yaml or fix the id")
            message = f"section {citation.ident!r} is not in sections.yaml"
            yield _problem(spec, citation.origin, message, hint)


def _check_cited_assumptions(spec: Spec) -> Iterator[Problem]:
    known = spec.assumption_ids()
    cited: set[str] = set()
    for citation in citations(spec):
        if citation.kind != "assumption":
            continue
        cited.add(citation.ident)
        if citation.ident not in known:
            message = f"assumption {citation.ident} is not in the register"
            yield _problem(spec, citation.origin, message, "add it to assumptions.yaml")
    for assumption in spec.assumptions:
        if assumption.id not in cited:
            message = f"assumption {assumption.id} is cited by nothing"
            hint = "cite it where it applies, or drop it"
            where = _at(assumption.origin, "id")
            yield _problem(spec, where, message, hint, severity="warning")


def _manual_headings(manual: Path | None) -> str | None:
    if manual is None or not manual.is_file():
        return None
    try:
        return manual.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _check_manual_headings(spec: Spec, manual: Path | None) -> Iterator[Problem]:
    text = _manual_headings(manual)
    if text is None:
        return
    for section in spec.sections:
        if not _NUMBERED_SECTION.match(section.id):
            continue
        heading = re.compile(rf"^{re.escape(section.id)} ", re.MULTILINE)
        if not heading.search(text):
            message = f"no heading '{section.id} …' in the manual"
            hint = "use the section number as printed in the manual"
            yield _problem(spec, _at(section.origin, "id"), message, hint)


# --- states and transitions ----------------------------------------------------------


def _check_targets(spec: Spec) -> Iterator[Problem]:
    chart = spec.statechart
    for state in chart.iter_states():
        for transition in state.transitions:
            resolved = chart.resolve_target(transition)
            if resolved is None or chart.has_state(resolved):
                continue
            yield _dangling(spec, transition, resolved)


def _dangling(spec: Spec, transition: Transition, resolved: str) -> Problem:
    where = _at(transition.origin, "target")
    if resolved == "..":
        message = f"target '..' of top-level state {transition.owner} has no parent"
        return _problem(spec, where, message, "use an absolute state path")
    hint = _suggest(resolved, spec.statechart.states, "use an existing state path")
    return _problem(spec, where, f"target {resolved} is not a state", hint)


def _check_initials(spec: Spec) -> Iterator[Problem]:
    chart = spec.statechart
    if chart.initial not in chart.top:
        hint = f"use one of: {', '.join(chart.top)}"
        message = f"initial {chart.initial!r} is not a top-level state"
        yield _problem(spec, _at(chart.origin, "initial"), message, hint)
    for state in chart.iter_states():
        yield from _check_state_initial(spec, state)


def _check_state_initial(spec: Spec, state: State) -> Iterator[Problem]:
    child_ids = [path.rsplit(".", 1)[-1] for path in state.children]
    if state.initial is not None and state.initial not in child_ids:
        hint = f"use one of: {', '.join(child_ids)}" if child_ids else "remove `initial`"
        message = f"initial {state.initial!r} is not a child of {state.path}"
        yield _problem(spec, _at(state.origin, "initial"), message, hint)
    if state.kind != "group":
        return
    if not child_ids:
        yield _problem(spec, state.origin, f"group {state.path} has no states", "add `states`")
    elif state.initial is None:
        message = f"group {state.path} has no initial state"
        yield _problem(spec, state.origin, message, f"add `initial: {child_ids[0]}`")


def _enter(chart: Statechart, path: str) -> str:
    """Like Statechart.enter, but a group without a valid initial enters its first child.

    The missing initial is reported on its own; this keeps it from also making every
    state inside the group unreachable.
    """
    entered = chart.enter(path)
    state = chart.state(entered)
    while state.kind == "group" and state.children:
        entered = chart.enter(state.children[0])
        state = chart.state(entered)
    return entered


def _graph(chart: Statechart) -> dict[str, set[str]]:
    """Edges between resting states: any transition that can fire, guards ignored."""
    graph: dict[str, set[str]] = {}
    for state in chart.resting_states():
        targets = graph.setdefault(state.path, set())
        for transition in chart.applicable_transitions(state.path):
            resolved = chart.resolve_target(transition)
            if resolved is not None and chart.has_state(resolved):
                targets.add(_enter(chart, resolved))
    return graph


def _reach(graph: Mapping[str, Set[str]], start: Iterable[str]) -> set[str]:
    seen = set(start)
    queue = deque(seen)
    while queue:
        for following in graph.get(queue.popleft(), set()):
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen


def _reversed(graph: Mapping[str, Set[str]]) -> dict[str, set[str]]:
    reverse: dict[str, set[str]] = {node: set() for node in graph}
    for node, targets in graph.items():
        for target in targets:
            reverse.setdefault(target, set()).add(node)
    return reverse


def _reachable(chart: Statechart) -> set[str] | None:
    """Resting states reachable from the initial state (None if it is missing)."""
    if not chart.has_state(chart.initial):
        return None
    return _reach(_graph(chart), [_enter(chart, chart.initial)])


def _check_reachability(spec: Spec) -> Iterator[Problem]:
    chart = spec.statechart
    reached = _reachable(chart)
    if reached is None:
        return
    active = {state.path for path in reached for state in chart.ancestors(path)}
    for state in chart.iter_states():
        if state.path in active or (state.parent is not None and state.parent not in active):
            continue
        message = f"state {state.path} is unreachable from {chart.initial}"
        hint = "add a transition into it, or remove it"
        yield _problem(spec, state.origin, message, hint)


def _check_dead_ends(spec: Spec) -> Iterator[Problem]:
    chart = spec.statechart
    reached = _reachable(chart)
    if reached is None:
        return
    closed = [state.path for state in chart.resting_states() if state.kind == "closed"]
    if not closed:
        message = "no state of kind closed: the app can never be closed"
        yield _problem(spec, chart.origin, message, "add a `closed` state")
        return
    leaving = _reach(_reversed(_graph(chart)), closed)
    for state in chart.resting_states():
        if state.path in reached and state.path not in leaving and state.kind != "closed":
            message = f"dead end: no path from {state.path} to a closed state"
            hint = "add a transition out of it (e.g. key home)"
            yield _problem(spec, state.origin, message, hint)


def _tap_labels(chart: Statechart, state: State) -> set[str]:
    scope = [state, *chart.descendants(state.path)] if state.kind == "group" else [state]
    return {element.label for s in scope for element in chart.visible_elements(s.path)}


def _check_tap_elements(spec: Spec) -> Iterator[Problem]:
    chart = spec.statechart
    for state in chart.iter_states():
        for transition in state.transitions:
            if transition.event != "tap" or transition.element is None:
                continue
            labels = _tap_labels(chart, state)
            if transition.element in labels:
                continue
            message = f"no element {transition.element!r} is visible in {state.path}"
            hint = _suggest(transition.element, labels, "add the element or fix the label")
            yield _problem(spec, _at(transition.origin, "element"), message, hint)


def _exclusive(first: Element, second: Element) -> bool:
    return bool(set(first.when) & set(second.unless) or set(first.unless) & set(second.when))


def _visible_by_depth(chart: Statechart, path: str) -> list[tuple[int, Element]]:
    """The visible elements of a state with their owner's depth (0: the state itself)."""
    visible: list[tuple[int, Element]] = []
    for depth, state in enumerate(chart.ancestors(path)):
        visible.extend((depth, element) for element in state.elements)
        if state.is_modal:
            break
    return visible


def _check_duplicate_labels(spec: Spec) -> Iterator[Problem]:
    chart = spec.statechart
    for state in chart.resting_states():
        if state.kind not in _SCREEN_KINDS:
            continue
        visible = _visible_by_depth(chart, state.path)
        for index, (depth, element) in enumerate(visible):
            for earlier_depth, earlier in visible[:index]:
                if earlier.label != element.label or _exclusive(earlier, element):
                    continue
                culprit = element if depth == earlier_depth else earlier
                yield _duplicate_label(spec, state, culprit)


def _duplicate_label(spec: Spec, state: State, element: Element) -> Problem:
    message = f"two visible elements are labelled {element.label!r} in {state.path}"
    hint = "rename one, or make them exclusive with when/unless"
    return _problem(spec, _at(element.origin, "label"), message, hint)


def _check_events(spec: Spec) -> Iterator[Problem]:
    for state in unique_states(spec.statechart):
        if state.kind == "choice":
            yield from _check_choice(spec, state)
            continue
        for transition in state.transitions:
            yield from _check_event_details(spec, state, transition)


def _check_event_details(spec: Spec, state: State, transition: Transition) -> Iterator[Problem]:
    if transition.event is None:
        message = f"a transition of {state.path} has no event"
        hint = "add `event`: only choice states have eventless transitions"
        yield _problem(spec, transition.origin, message, hint)
    for key, event in _EVENT_DETAILS:
        if getattr(transition, key) is not None and transition.event != event:
            message = f"`{key}` given on a transition whose event is not {event}"
            yield _problem(spec, _at(transition.origin, key), message, f"remove `{key}`")


def _check_choice(spec: Spec, state: State) -> Iterator[Problem]:
    if not state.transitions:
        message = f"choice {state.path} has no transitions"
        yield _problem(spec, state.origin, message, "add eventless transitions")
        return
    for transition in state.transitions:
        if transition.event is not None:
            message = f"choice {state.path} has a transition with event {transition.event}"
            hint = "remove `event`: a choice is left at once"
            yield _problem(spec, _at(transition.origin, "event"), message, hint)
    last = state.transitions[-1]
    if last.guard or last.unless:
        message = f"the last transition of choice {state.path} is guarded"
        hint = "add a final transition without guard/unless so the choice is always left"
        yield _problem(spec, last.origin, message, hint)


# --- names, codes, placeholders ------------------------------------------------------


def _guard_uses(chart: Statechart) -> Iterator[tuple[str, Origin]]:
    for state in unique_states(chart):
        parts: list[Element | TextLine] = [*state.elements, *state.texts]
        for part in parts:
            yield from _named(part.origin, "when", part.when)
            yield from _named(part.origin, "unless", part.unless)
        for element in state.elements:
            yield from _named(element.origin, "enabled_when", element.enabled_when)
        for transition in state.transitions:
            yield from _named(transition.origin, "guard", transition.guard)
            yield from _named(transition.origin, "unless", transition.unless)


def _action_uses(chart: Statechart) -> Iterator[tuple[str, Origin]]:
    for state in unique_states(chart):
        for transition in state.transitions:
            yield from _named(transition.origin, "actions", transition.actions)


def _named(origin: Origin, key: str, names: tuple[str, ...]) -> Iterator[tuple[str, Origin]]:
    for index, name in enumerate(names):
        yield name, _at(origin, key, index)


def _check_names(
    spec: Spec, what: str, uses: list[tuple[str, Origin]], registry: Set[str]
) -> Iterator[Problem]:
    for name, origin in uses:
        if name not in registry:
            hint = _suggest(name, registry, f"implement it and add it to the {what} registry")
            yield _problem(spec, origin, f"unknown {what} {name!r}", hint)
    used = {name for name, _ in uses}
    for name in sorted(set(registry) - used):
        message = f"{what} {name!r} is implemented but used nowhere in the statechart"
        hint = f"use it in statechart.yaml or remove it from the {what}s"
        yield _problem(spec, spec.statechart.origin, message, hint)


def _check_rule_refs(spec: Spec) -> Iterator[Problem]:
    inputs = spec.rules.inputs
    for state in unique_states(spec.statechart):
        for element in state.elements:
            if element.rule is not None and element.rule not in inputs:
                hint = _suggest(element.rule, inputs, "add it under rules.inputs")
                message = f"input rule {element.rule!r} is not in rules.yaml"
                yield _problem(spec, _at(element.origin, "rule"), message, hint)


def _raised(chart: Statechart) -> Iterator[tuple[str, Origin]]:
    for state in unique_states(chart):
        for transition in state.transitions:
            yield from _named(transition.origin, "raises", transition.raises)


def _check_raised_codes(spec: Spec) -> Iterator[Problem]:
    catalogue = spec.error_codes()
    for code, origin in _raised(spec.statechart):
        if code not in catalogue:
            hint = _suggest(code, catalogue, "add it to errors.yaml or fix the code")
            yield _problem(spec, origin, f"error code {code} is not in the catalogue", hint)


def _check_unraised_codes(spec: Spec) -> Iterator[Problem]:
    used = {code for code, _ in _raised(spec.statechart)}
    for entry in spec.errors:
        if entry.code not in used:
            message = f"error code {entry.code} is raised by no transition"
            hint = "add it to a transition's `raises`"
            yield _problem(spec, _at(entry.origin, "code"), message, hint)


def _check_duplicate_entries(spec: Spec) -> Iterator[Problem]:
    seen: set[tuple[str, str]] = set()
    for entry in spec.errors:
        if (entry.code, entry.operation) in seen:
            message = f"error code {entry.code} appears twice for {entry.operation}"
            yield _problem(spec, _at(entry.origin, "code"), message, "merge the two entries")
        seen.add((entry.code, entry.operation))


def _check_raise_targets(spec: Spec) -> Iterator[Problem]:
    chart = spec.statechart
    for state in chart.iter_states():
        for transition in state.transitions:
            if not transition.raises:
                continue
            resolved = chart.resolve_target(transition)
            if resolved is not None and not chart.has_state(resolved):
                continue  # reported as a dangling target
            if resolved is None or chart.state(resolved).kind != "error_dialog":
                message = f"a transition of {state.path} raises errors but does not show one"
                hint = "target an error_dialog state"
                yield _problem(spec, _at(transition.origin, "raises"), message, hint)


def _texts(spec: Spec) -> Iterator[tuple[str, Origin]]:
    for state in unique_states(spec.statechart):
        for key in ("title", "text"):
            value = getattr(state, key)
            if isinstance(value, str):
                yield value, _at(state.origin, key)
        for element in state.elements:
            yield element.label, _at(element.origin, "label")
        for line in state.texts:
            yield line.text, _at(line.origin, "text")
    for entry in spec.errors:
        yield entry.message, _at(entry.origin, "message")
        yield entry.remedy, _at(entry.origin, "remedy")
        for index, variant in enumerate(entry.variants):
            yield variant.message, _at(entry.origin, "variants", index, "message")


def _check_placeholders(spec: Spec) -> Iterator[Problem]:
    keys = spec.rules.keys
    for text, origin in _texts(spec):
        for name in _PLACEHOLDER.findall(text):
            if name not in keys:
                hint = _suggest(name, keys, "use a rules.yaml key, e.g. {version}")
                message = f"placeholder {{{name}}} is not a rules key"
                yield _problem(spec, origin, message, hint)


def _registry_checks(
    spec: Spec, guards: Set[str] | None, actions: Set[str] | None
) -> Iterator[Problem]:
    chart = spec.statechart
    if guards is not None:
        yield from _check_names(spec, "guard", list(_guard_uses(chart)), guards)
    if actions is not None:
        yield from _check_names(spec, "action", list(_action_uses(chart)), actions)


_CHECKS: tuple[Check, ...] = (
    _check_targets,
    _check_initials,
    _check_reachability,
    _check_dead_ends,
    _check_tap_elements,
    _check_duplicate_labels,
    _check_events,
    _check_rule_refs,
    _check_raised_codes,
    _check_unraised_codes,
    _check_duplicate_entries,
    _check_raise_targets,
    _check_cited_sections,
    _check_cited_assumptions,
    _check_placeholders,
    check_assumed,
)


def check_spec(
    spec: Spec,
    guards: Set[str] | None = None,
    actions: Set[str] | None = None,
    manual: Path | None = None,
    contracts: Set[str] | None = None,
) -> list[Problem]:
    """Runs every cross-check on a loaded spec.

    Args:
        spec: The loaded spec.
        guards: The implemented guard names; None skips the guard-name check.
        actions: The implemented action names; None skips the action-name check.
        manual: The manual text file for the heading check; None skips it.
        contracts: The implemented contract names (harness.contracts.CONTRACTS); None
            skips the contract-name check.

    Returns:
        The problems found (errors and warnings), each once, in file order.
    """
    problems: list[Problem] = []
    for check in _CHECKS:
        problems.extend(check(spec))
    problems.extend(_registry_checks(spec, guards, actions))
    problems.extend(check_contracts(spec, contracts))
    problems.extend(_check_manual_headings(spec, manual))
    return sort_problems(problems)
