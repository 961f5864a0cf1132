"""docs/guards-and-actions.md and the shipped spec agree both ways (principle 6: nothing to
guess, and principle 4: a check ties YAML names to what implements them).

Every guard and action the statechart names (read through the typed model, not the YAML
text) has exactly one row; every row names a guard or action the spec uses and Python
implements; a row's "manual" column is exactly the sections the spec cites where it uses the
name, and its "assumed" column exactly the assumptions it marks `assumed` there. The
parametrized cases below edit the page and show that each kind of drift is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import pytest
from repo_paths import DOCS_DIR

from statechart.basis import Basis, basis
from statechart.checks import unique_states
from statechart.model import Spec
from statechart.registry import ACTIONS, GUARDS

DOC: Final = DOCS_DIR / "guards-and-actions.md"
KINDS: Final = {"Guards": "guard", "Actions": "action"}
_NAME: Final = re.compile(r"^`([a-z][a-z0-9_]*)`$")
_NONE: Final = "–"


@dataclass(frozen=True)
class Row:
    """One row of a table: the name and the two columns tied to the spec."""

    kind: str
    name: str
    meaning: str
    sections: frozenset[str]
    assumed: frozenset[str]
    line: int


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _split(cell: str) -> frozenset[str]:
    if cell == _NONE:
        return frozenset()
    return frozenset(part.strip() for part in cell.split(","))


def parse(text: str) -> tuple[list[Row], list[str]]:
    """The rows of the page's two tables, and what could not be read as a row."""
    rows: list[Row] = []
    problems: list[str] = []
    kind: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            kind = KINDS.get(line[3:].strip())
            continue
        if kind is None or not line.startswith("| `"):
            continue
        cells = _cells(line)
        found = _NAME.match(cells[0])
        if len(cells) != 4 or found is None or not cells[1] or not cells[2] or not cells[3]:
            problems.append(f"line {number}: not a row `name` | meaning | manual | assumed")
            continue
        rows.append(Row(kind, found.group(1), cells[1], _split(cells[2]), _split(cells[3]), number))
    return rows, problems


def uses(spec: Spec) -> dict[tuple[str, str], list[Basis]]:
    """(kind, name) → the grounds of each use of the name, from the typed model."""
    found: dict[tuple[str, str], list[Basis]] = {}

    def add(kind: str, names: tuple[str, ...], grounds: Basis) -> None:
        for name in names:
            found.setdefault((kind, name), []).append(grounds)

    for state in unique_states(spec.statechart):
        for element in state.elements:
            add("guard", element.when + element.unless, basis(element, "when"))
            add("guard", element.enabled_when, basis(element, "enabled_when"))
        for line in state.texts:
            add("guard", line.when + line.unless, basis(line, "when"))
        for transition in state.transitions:
            add("guard", transition.guard + transition.unless, basis(transition, "guard"))
            add("action", transition.actions, basis(transition, "actions"))
    return found


def doc_problems(text: str, spec: Spec) -> list[str]:
    """Where the page and the spec disagree (empty: they agree both ways)."""
    rows, problems = parse(text)
    used = uses(spec)
    implemented = {"guard": GUARDS, "action": ACTIONS}
    seen: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = (row.kind, row.name)
        if key in seen:
            problems.append(f"line {row.line}: {row.kind} {row.name!r} has a second row")
            continue
        seen[key] = row
        if row.name not in implemented[row.kind]:
            problems.append(f"line {row.line}: {row.kind} {row.name!r} is not implemented")
        if key not in used:
            problems.append(f"line {row.line}: {row.kind} {row.name!r} is used nowhere")
            continue
        grounds = used[key]
        cited = {s for g in grounds for s in g.sections}
        assumed = {a for g in grounds for a in g.assumptions}
        if row.sections != cited:
            problems.append(
                f"line {row.line}: {row.name}'s manual column should be "
                f"{sorted(cited)}, not {sorted(row.sections)}"
            )
        if row.assumed != assumed:
            problems.append(
                f"line {row.line}: {row.name}'s assumed column should be "
                f"{sorted(assumed) or _NONE}, not {sorted(row.assumed) or _NONE}"
            )
    for kind, name in sorted(set(used) - set(seen)):
        problems.append(f"{kind} {name!r} is used in the statechart but has no row")
    return problems


def test_the_page_and_the_spec_agree_both_ways(spec: Spec) -> None:
    assert doc_problems(DOC.read_text(encoding="utf-8"), spec) == []


def test_every_implemented_name_has_a_row() -> None:
    rows, _ = parse(DOC.read_text(encoding="utf-8"))
    assert {r.name for r in rows if r.kind == "guard"} == set(GUARDS)
    assert {r.name for r in rows if r.kind == "action"} == set(ACTIONS)


def test_the_page_opens_with_its_purpose_and_is_linked() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.startswith("# Guards and actions")
    for linking in (DOCS_DIR / "spec-format.md", DOCS_DIR.parent / "README.md"):
        assert "guards-and-actions.md" in linking.read_text(encoding="utf-8"), linking


def _row(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))


def _without(name: str) -> Callable[[str], str]:
    return lambda text: text.replace(_row(text, name) + "\n", "")


def _twice(name: str) -> Callable[[str], str]:
    return lambda text: text.replace(_row(text, name), _row(text, name) + "\n" + _row(text, name))


def _bogus(line: str, after: str) -> Callable[[str], str]:
    return lambda text: text.replace(_row(text, after), _row(text, after) + "\n" + line)


def _edit(name: str, old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(_row(text, name), _row(text, name).replace(old, new))


EDITS: Final[dict[str, tuple[Callable[[str], str], str]]] = {
    "a guard's row removed": (
        _without("nothing_to_confirm"),
        "guard 'nothing_to_confirm' is used in the statechart but has no row",
    ),
    "an action's row removed": (
        _without("fetch_transaction"),
        "action 'fetch_transaction' is used in the statechart but has no row",
    ),
    "a bogus guard": (
        _bogus(
            "| `transaction_lapsed` | The shown transaction lapsed | 3.13.2 | – |", "has_tokens"
        ),
        "guard 'transaction_lapsed' is not implemented",
    ),
    "an action implemented but listed as a guard": (
        _bogus("| `fetch_transaction` | Fetches | 3.13.2 | – |", "has_tokens"),
        "guard 'fetch_transaction' is used nowhere",
    ),
    "a row twice": (_twice("open_link"), "action 'open_link' has a second row"),
    "a section the spec does not cite": (
        _edit("request_correction", "| 3.10 |", "| 3.10, 4.2 |"),
        "request_correction's manual column should be ['3.10']",
    ),
    "an assumption the spec does not mark": (
        _edit("open_link", "| 2.2 | – |", "| 2.2 | ASM-039 |"),
        "open_link's assumed column should be –",
    ),
    "a marked assumption left out": (
        _edit("fetch_transaction", "| ASM-067 |", "| – |"),
        "fetch_transaction's assumed column should be ['ASM-067']",
    ),
    "a row without its columns": (
        _edit("open_link", "| 2.2 | – |", ""),
        "not a row `name` | meaning | manual | assumed",
    ),
}


@pytest.mark.parametrize("edit", list(EDITS.values()), ids=list(EDITS))
def test_drift_is_reported(spec: Spec, edit: tuple[Callable[[str], str], str]) -> None:
    change, expected = edit
    text = DOC.read_text(encoding="utf-8")
    edited = change(text)
    assert edited != text, "the edit did not change the page"
    problems = doc_problems(edited, spec)
    assert any(expected in problem for problem in problems), problems
