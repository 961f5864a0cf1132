"""Creates the cosmic-ray session of the mutation run and leaves out what is not tested.

    python scripts/mutation/scope.py CONFIG SESSION [PERMILLE]
    python scripts/mutation/scope.py --reopen CONFIG SESSION
    python scripts/mutation/scope.py --pending SESSION

Runs `cosmic-ray init` (all operators, every module of the config's `module-path`), then
marks as skipped, with the reason in the result's output:
- mutants inside a type annotation: the modules use `from __future__ import annotations`,
  so an annotation is a string nobody evaluates, and its mutants are equivalent by
  construction;
- mutants in the config's `exclude` ranges (the fixture reader of domain.py);
- mutants outside the sample: a mutant is kept when the hash of its identity (module,
  operator, the source line before and after, and the how-many-th such change it is)
  falls below `sample-permille` (PERMILLE, when given, overrides it: a pilot run); the
  identity does not depend on line numbers, so the same mutants are chosen again after
  edits elsewhere in a module.

`--reopen` makes pending again, in an existing session, every survivor whose disposition in
survivors.yaml says `killed by …` (the new check must now kill it) and every mutant a
worker failed to run, and marks skipped whatever the config's `exclude` ranges now leave
out; run.sh does it before it resumes a session. `--pending` prints how many mutants are
left to run.

Writes SESSION.scope.json beside the session: the sample, the count of each reason, and
job id → the mutant's identity, line and change, which the report
(scripts/mutation/report.py) names mutants by.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import parso
from cosmic_ray.commands import init
from cosmic_ray.config import load_config
from cosmic_ray.mutating import mutate_code
from cosmic_ray.plugins import get_operator
from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import MutationSpec, WorkerOutcome, WorkResult
from report import load_dispositions

__all__ = ["Identity", "changed_lines", "identify", "main", "reopen"]

FILTER = ("filters", "otpspec-scope")
SKIP_ANNOTATION = "skipped: inside a type annotation (never evaluated: equivalent)"
SKIP_OUT_OF_SCOPE = "skipped: fixture reader, out of scope"
SKIP_NOT_SAMPLED = "skipped: not in the sample"
SKIP_NO_CHANGE = "skipped: the mutation leaves the code as it was"


@dataclass(frozen=True)
class Identity:
    """A mutant as the report names it.

    Attributes:
        key: 10 hex digits of the hash of module, operator, before, after and rank.
        module: The module's path.
        operator: The cosmic-ray operator.
        line: The first changed line (1-based) in the source the session was made from.
        before: The changed lines as they were.
        after: The changed lines as the mutant has them.
        definition: The function or class the mutant is in.
    """

    key: str
    module: str
    operator: str
    line: int
    before: str
    after: str
    definition: str | None


def changed_lines(original: str, mutated: str) -> tuple[int, str, str]:
    """The first changed line and the changed block before and after (stripped lines)."""
    old, new = original.splitlines(), mutated.splitlines()
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    before = "\n".join(line.strip() for line in old[start:end_old])
    after = "\n".join(line.strip() for line in new[start:end_new])
    return start + 1, before, after


def _in_annotation(tree: parso.python.tree.Module, position: tuple[int, int]) -> bool:
    node: Any = tree.get_leaf_for_position(position, include_prefixes=True)
    while node is not None and node.parent is not None:
        parent = node.parent
        if parent.type in ("param", "funcdef") and getattr(parent, "annotation", None) is node:
            return True
        if parent.type == "annassign" and parent.children[1] is node:
            return True
        # `name: annotation` of a parameter with a default or followed by another one.
        if parent.type == "tfpdef" and parent.children[-1] is node:
            return True
        node = parent
    return False


def identify(
    mutation: MutationSpec, source: str, ranks: Counter[tuple[str, ...]]
) -> Identity | None:
    """The identity of a mutation of `source`, or None when it changes nothing."""
    operator = get_operator(mutation.operator_name)(**(mutation.operator_args or {}))
    mutated = mutate_code(source, operator, mutation.occurrence)
    if mutated is None or mutated == source:
        return None
    line, before, after = changed_lines(source, mutated)
    module = mutation.module_path.as_posix()
    basis = (module, mutation.operator_name, before, after)
    ranks[basis] += 1
    digest = hashlib.sha256("\0".join((*basis, str(ranks[basis]))).encode()).hexdigest()
    return Identity(
        key=digest[:10],
        module=module,
        operator=mutation.operator_name,
        line=line,
        before=before,
        after=after,
        definition=mutation.definition_name,
    )


def excluded_lines(ranges: list[dict[str, str]], sources: dict[str, str]) -> dict[str, set[int]]:
    """The line numbers each `exclude` range of the config leaves out, by module.

    A range is `{module, from, to}`: from the first line that starts with `from` (stripped)
    to the first line after it that starts with `to`, or to the end without `to`.

    Raises:
        SystemExit: A marker is not in its module (the config is out of date).
    """
    found: dict[str, set[int]] = {}
    for entry in ranges:
        module = entry["module"]
        lines = [line.strip() for line in sources[module].splitlines()]
        try:
            start = next(i for i, line in enumerate(lines) if line.startswith(entry["from"]))
            end = len(lines) - 1
            if "to" in entry:
                end = next(i for i in range(start, len(lines)) if lines[i].startswith(entry["to"]))
        except StopIteration:
            raise SystemExit(
                f"cosmic-ray.toml: exclude range {entry} not found in {module}; update its "
                "markers to the module's lines"
            ) from None
        found.setdefault(module, set()).update(range(start + 1, end + 2))
    return found


def _skip(db: WorkDB, job_id: str, reason: str) -> None:
    db.set_result(job_id, WorkResult(output=reason, worker_outcome=WorkerOutcome.SKIPPED))


def _still_applies(mutation: MutationSpec, identity: dict[str, Any] | None) -> bool:
    """True when the mutation's operator and occurrence still make the change recorded."""
    if identity is None:
        return True
    operator = get_operator(mutation.operator_name)(**(mutation.operator_args or {}))
    source = mutation.module_path.read_text(encoding="utf-8")
    mutated = mutate_code(source, operator, mutation.occurrence)
    if mutated is None:
        return False
    _, before, after = changed_lines(source, mutated)
    return (before, after) == (identity["before"], identity["after"])


def reopen(config_path: str, session: str) -> int:
    """Runs again the survivors closed since and the worker failures; applies the scope.

    A mutant that the filters now leave out (an annotation, an `exclude` range of the config:
    the scope was refined after the session was made) is marked skipped, whatever its
    result, and the tally follows.
    """
    config = load_config(config_path)
    about = json.loads(Path(f"{session}.scope.json").read_text(encoding="utf-8"))
    ranges = list(config.sub(*FILTER).get("exclude", []))
    sources = {p: Path(p).read_text(encoding="utf-8") for p in config["module-path"]}
    excluded = excluded_lines(ranges, sources)
    trees = {name: parso.parse(text) for name, text in sources.items()}
    closed = {k for k, d in load_dispositions().items() if not d.equivalent}
    jobs = {job for job, identity in about["mutants"].items() if identity["key"] in closed}
    with use_db(session, WorkDB.Mode.open) as work:
        specs = {item.job_id: item.mutations[0] for item in work.work_items}
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT m.job_id, m.module_path, m.start_pos_row, m.start_pos_col, "
            "r.worker_outcome, r.test_outcome "
            "FROM mutation_specs m LEFT JOIN work_results r USING (job_id)"
        ).fetchall()
        again: list[str] = []
        rescoped: dict[str, str] = {}
        for job, module, row, column, worker, test in rows:
            worker, test = (worker or "").lower(), (test or "").lower()
            if worker != "skipped" and _in_annotation(trees[module], (row, column)):
                rescoped[job] = SKIP_ANNOTATION
            elif worker != "skipped" and row in excluded.get(module, ()):
                rescoped[job] = SKIP_OUT_OF_SCOPE
            elif (job in jobs and test == "survived") or worker in ("exception", "abnormal"):
                again.append(job)
        mutants = about["mutants"]
        moved = [
            job for job in [*again, *rescoped] if not _still_applies(specs[job], mutants.get(job))
        ]
        if moved:
            print(
                f"scope.py --reopen: {len(moved)} mutants no longer apply as recorded (their "
                "module changed since the session was made); delete the session's directory "
                "and run again",
                file=sys.stderr,
            )
            return 1
        db.executemany("DELETE FROM work_results WHERE job_id = ?", [(j,) for j in again])
        db.executemany("DELETE FROM work_results WHERE job_id = ?", [(j,) for j in rescoped])
        db.executemany(
            "INSERT INTO work_results (job_id, worker_outcome, output) VALUES (?, 'SKIPPED', ?)",
            list(rescoped.items()),
        )
    tally = Counter(about["tally"])
    tally["to run"] -= len(rescoped)
    tally.update(rescoped.values())
    about["tally"], about["exclude"] = dict(sorted(tally.items())), ranges
    if rescoped:
        # The report says what a refinement took out, and what those mutants had done.
        before = {job: (worker or "pending").lower() for job, _, _, _, worker, _ in rows}
        tests = {job: (test or "").lower() for job, _, _, _, _, test in rows}
        about.setdefault("refined", []).append(
            {
                "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "left_out": dict(Counter(rescoped.values())),
                "had_survived": sorted(
                    mutants[job]["key"] for job in rescoped if tests[job] == "survived"
                ),
                "had_been_killed": sum(1 for job in rescoped if tests[job] == "killed"),
                "not_run_yet": sum(1 for job in rescoped if before[job] == "pending"),
            }
        )
    Path(f"{session}.scope.json").write_text(
        json.dumps(about, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(
        f"reopened {len(again)} mutants (survivors closed since, worker failures); "
        f"{len(rescoped)} left out by the refined scope (annotations, excluded ranges)"
    )
    return 0


def pending(session: str) -> int:
    """Prints how many mutants of the session have no result yet."""
    with sqlite3.connect(session) as db:
        query = (
            "SELECT count(*) FROM work_items WHERE job_id NOT IN (SELECT job_id FROM work_results)"
        )
        print(db.execute(query).fetchone()[0])
    return 0


def main(argv: list[str]) -> int:
    """Initialises and filters the session; prints what was kept."""
    if len(argv) == 3 and argv[0] == "--reopen":
        return reopen(argv[1], argv[2])
    if len(argv) == 2 and argv[0] == "--pending":
        return pending(argv[1])
    if len(argv) not in (2, 3) or (len(argv) == 3 and not argv[2].isdigit()):
        print(__doc__, file=sys.stderr)
        return 2
    config = load_config(argv[0])
    scope = config.sub(*FILTER)
    permille = int(argv[2]) if len(argv) == 3 else int(scope.get("sample-permille", 1000))
    paths = [Path(p) for p in config["module-path"]]
    sources = {p.as_posix(): p.read_text(encoding="utf-8") for p in paths}
    trees = {name: parso.parse(text) for name, text in sources.items()}
    excluded = excluded_lines(scope.get("exclude", []), sources)
    ids: dict[str, dict[str, Any]] = {}
    tally: Counter[str] = Counter()
    ranks: Counter[tuple[str, ...]] = Counter()
    with use_db(argv[1], WorkDB.Mode.create) as db:
        init(paths, db, config.operators_config)
        for item in list(db.pending_work_items):
            (mutation,) = item.mutations
            name = mutation.module_path.as_posix()
            identity = identify(mutation, sources[name], ranks)
            if identity is None:
                reason: str | None = SKIP_NO_CHANGE
            elif _in_annotation(trees[name], mutation.start_pos):
                reason = SKIP_ANNOTATION
            elif mutation.start_pos[0] in excluded.get(name, ()):
                reason = SKIP_OUT_OF_SCOPE
            elif int(identity.key, 16) % 1000 >= permille:
                reason = SKIP_NOT_SAMPLED
            else:
                reason = None
            if identity is not None:
                ids[item.job_id] = asdict(identity)
            if reason is not None:
                _skip(db, item.job_id, reason)
            tally[reason or "to run"] += 1
    about = {
        "modules": [p.as_posix() for p in paths],
        "exclude": list(scope.get("exclude", [])),
        "sample_permille": permille,
        "tally": dict(sorted(tally.items())),
        "mutants": ids,
    }
    Path(f"{argv[1]}.scope.json").write_text(
        json.dumps(about, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for reason, count in sorted(tally.items()):
        print(f"{count:6d}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
