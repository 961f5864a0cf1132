"""Writes the mutation report (issue 11): the score, the scope and every surviving mutant.

    python scripts/mutation/report.py CONFIG SESSION OUT

Reads the cosmic-ray session (SESSION), what scope.py kept and skipped (SESSION.scope.json),
the run time (exec-seconds.txt beside the session, when run.sh wrote it) and the
dispositions of the survivors (scripts/mutation/survivors.yaml, keyed by the mutant's
identity key, which stays the same across edits elsewhere in a module), and writes OUT
(Markdown).

A survivor's disposition is `equivalent: <why>` (no test can tell it from the reference)
or `killed by <the scenario or contract that now kills it>`. A survivor closed that way
is run again by run.sh (scope.py --reopen), so the score counts what the suite does now:

    score = killed / (run - equivalent)

Every mutant that survived once keeps its row in the table, with what the last run made of
it, so the report shows what the suite missed and how each gap was closed.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cosmic_ray.config import load_config
from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

from statechart.yamlio import load_yaml

__all__ = ["Disposition", "load_dispositions", "main"]

SURVIVORS = Path(__file__).with_name("survivors.yaml")
EQUIVALENT = "equivalent: "
KILLED_BY = "killed by "


@dataclass(frozen=True)
class Disposition:
    """What a survivor is: equivalent (and why) or killed by a new check."""

    key: str
    text: str

    @property
    def equivalent(self) -> bool:
        """True when no test can tell the mutant from the reference."""
        return self.text.startswith(EQUIVALENT)


def load_dispositions(path: Path = SURVIVORS) -> dict[str, Disposition]:
    """The dispositions of survivors.yaml, by identity key.

    Raises:
        SystemExit: The file is unreadable or a disposition is not one of the two forms;
            the message names the file, the key and the fix.
    """
    if not path.exists():
        return {}
    loaded = load_yaml(path)
    if loaded.data is None or loaded.problems:
        raise SystemExit("\n".join(str(p) for p in loaded.problems))
    found: dict[str, Disposition] = {}
    for key, entry in loaded.data.items():
        if not isinstance(key, str):  # 10 hex digits may read as a number unquoted
            where = loaded.locate((key,), key=True)
            raise SystemExit(f'{where.file}:{where.line}: quote the survivor key: "{key}"')
        text = entry.get("disposition") if isinstance(entry, dict) else None
        if not isinstance(text, str) or not text.startswith((EQUIVALENT, KILLED_BY)):
            where = loaded.locate((key,))
            raise SystemExit(
                f"{where.file}:{where.line}: survivor {key}: the disposition must be a string "
                f"'{EQUIVALENT}<why>' or '{KILLED_BY}<the new scenario or contract>'"
            )
        found[key] = Disposition(key, text)
    return found


@dataclass(frozen=True)
class Mutant:
    """One mutant of the session, named by scope.py, with its last result."""

    job_id: str
    identity: dict[str, Any]
    outcome: str
    """skipped, pending, killed, timeout, survived or error (the worker could not run it)."""


def _outcome(result: Any) -> str:
    if result is None:
        return "pending"
    if result.worker_outcome == WorkerOutcome.SKIPPED:
        return "skipped"
    if result.worker_outcome != WorkerOutcome.NORMAL:
        return "error"
    if result.test_outcome == TestOutcome.SURVIVED:
        return "survived"
    if result.test_outcome == TestOutcome.INCOMPETENT:
        return "error"
    return "timeout" if result.output == "timeout" else "killed"


def read_session(session: Path) -> tuple[list[Mutant], dict[str, Any]]:
    """Every mutant of the session with its outcome, and scope.py's record of the scope."""
    about: dict[str, Any] = json.loads(Path(f"{session}.scope.json").read_text("utf-8"))
    mutants = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        results = dict(db.results)
        for item in db.work_items:
            identity = about["mutants"].get(item.job_id, {})
            mutants.append(Mutant(item.job_id, identity, _outcome(results.get(item.job_id))))
    return mutants, about


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ⏎ ")


def _cell(text: str | None) -> str:
    text = _escape((text or "").strip("\n"))
    return f"`{text}`" if text else "(nothing)"


def _score(killed: int, run: int, equivalent: int) -> str:
    base = run - equivalent
    return "n/a" if base <= 0 else f"{100 * killed / base:.1f}% ({killed} / {base})"


def render(
    config_path: Path,
    mutants: list[Mutant],
    about: dict[str, Any],
    dispositions: dict[str, Disposition],
    seconds: list[str] | None,
) -> str:
    """The report's Markdown."""
    config = load_config(str(config_path))
    counts = Counter(m.outcome for m in mutants)
    run = counts["killed"] + counts["timeout"] + counts["survived"]
    killed = counts["killed"] + counts["timeout"]
    ran = [m for m in mutants if m.outcome in ("killed", "timeout", "survived")]
    # Every mutant that survived a run: still surviving, or given a disposition since.
    listed = sorted(
        (m for m in ran if m.outcome == "survived" or m.identity.get("key") in dispositions),
        key=lambda m: (m.identity["module"], m.identity["line"], m.identity["key"]),
    )
    kinds = Counter(_kind(m, dispositions) for m in listed)
    equivalent, closed = kinds["equivalent"], kinds["closed, killed now"]
    operators = sorted({m.identity["operator"] for m in mutants if m.identity})
    tally: dict[str, int] = about["tally"]
    lines = [
        "# Mutation testing of the reference (issue 11)",
        "",
        "Written by `scripts/mutation/report.py`; do not edit by hand. Dispositions live in",
        "`scripts/mutation/survivors.yaml`.",
        "",
        f"**Mutation score: {_score(killed, run, equivalent)}** = killed / (run − equivalent).",
        "",
        f"Before the checks added for the survivors, the suite killed "
        f"{_score(killed - closed, run, equivalent)}. Of the {len(listed)} survivors, "
        f"{equivalent} are equivalent (each says why), {closed} were closed by a new scenario "
        f"and killed when run again, {kinds['closed, not run again']} are closed but not run "
        f"again yet, and {kinds['open']} are open.",
        "",
        "## How it was run",
        "",
        "- Command: `tox -e mutation` (= `bash scripts/mutation/run.sh`), "
        f"on {datetime.now(UTC):%Y-%m-%d} (UTC).",
        f"- Tool: cosmic-ray {importlib.metadata.version('cosmic-ray')}, "
        f"Python {platform.python_version()}; two http workers, each in its own copy of "
        "the tree.",
        f"- Test of each mutant: `{config['test-command']}` (timeout {config.timeout:g} s): "
        "every feature scenario, generated check and differential walk against the "
        "in-process reference, each step checked by the contracts, stopping at the first "
        "failure; `--otpspec-strict` makes a broken assumption (a deviation) fail too. "
        "The generated checks and walks compare the mutant with itself, so they kill only "
        "through the contracts and crashes.",
        "- Runs of `cosmic-ray exec` (the first runs the sample, later ones the mutants reopened):",
        *(f"  - {line}" for line in seconds or ["not recorded"]),
        "",
        "## Scope",
        "",
        f"- Modules: {', '.join(f'`{m}`' for m in about['modules'])}.",
        *(
            f"- Left out: `{entry['module']}` from the line `{entry['from']}` to "
            f"{'the line `' + entry['to'] + '`' if 'to' in entry else 'the end'}: the "
            "fixture reader, which validates the harness's setup message against the bounds "
            "of the fixture format; no manual procedure exercises it (the harness sends only "
            "valid fixtures) and tests/domain covers it."
            for entry in about.get("exclude", [])
        ),
        *(
            f"- Scope refined during the run ({entry['at']}): "
            f"{', '.join(f'{n} {why}' for why, n in entry['left_out'].items())}; of these, "
            f"{entry['not_run_yet']} had not run yet, {entry['had_been_killed']} had been killed "
            f"and {len(entry['had_survived'])} had survived "
            f"({', '.join(f'`{k}`' for k in entry['had_survived']) or 'none'}); they count "
            "as skipped."
            for entry in about.get("refined", [])
        ),
        f"- Operators: every cosmic-ray core operator ({len(operators)} kinds met in these "
        "modules).",
        f"- Sample: {about['sample_permille']}‰ of the mutants, chosen by a hash of each "
        "mutant's identity (module, operator, the line before and after), so the same "
        "mutants are chosen again after edits elsewhere.",
        "",
        "| mutants | count |",
        "|---|---:|",
        *(f"| {reason} | {count} |" for reason, count in tally.items()),
        f"| **total** | {sum(tally.values())} |",
        "",
        "## Results",
        "",
        "| outcome | count |",
        "|---|---:|",
        f"| run | {run} |",
        f"| killed (a check failed or the run crashed) | {counts['killed']} |",
        f"| killed by the timeout | {counts['timeout']} |",
        f"| survived | {counts['survived']} |",
        f"| of which equivalent | {equivalent} |",
        f"| of which closed by a new check, not run again yet | {kinds['closed, not run again']} |",
        f"| of which open (no disposition) | {kinds['open']} |",
        f"| survived once, killed by a new check when run again (in killed) | {closed} |",
        f"| not run yet (pending) | {counts['pending']} |",
        f"| not run: the worker failed (run again by run.sh) | {counts['error']} |",
        "",
        "## Surviving mutants",
        "",
        "Every mutant that survived a run, with its disposition and what the last run made of it.",
        "",
        "| key | where | operator | before → after | definition | now | disposition |",
        "|---|---|---|---|---|---|---|",
    ]
    for mutant in listed:
        identity = mutant.identity
        disposition = dispositions.get(identity["key"])
        definition = identity.get("definition")
        lines.append(
            f"| `{identity['key']}` | `{identity['module']}:{identity['line']}` | "
            f"{identity['operator'].removeprefix('core/')} | "
            f"{_cell(identity['before'])} → {_cell(identity['after'])} | "
            f"{f'`{definition}`' if definition else '(module)'} | {mutant.outcome} | "
            f"{_escape(disposition.text) if disposition else '**open**'} |"
        )
    if not listed:
        lines.append("| | | | | | | (none) |")
    return "\n".join(lines) + "\n"


def _kind(mutant: Mutant, dispositions: dict[str, Disposition]) -> str:
    disposition = dispositions.get(mutant.identity["key"])
    if disposition is None:
        return "open" if mutant.outcome == "survived" else "killed"
    if disposition.equivalent:
        return "equivalent"
    return "closed, not run again" if mutant.outcome == "survived" else "closed, killed now"


def main(argv: list[str]) -> int:
    """Writes the report; prints the score line."""
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    config, session, out = (Path(a) for a in argv)
    mutants, about = read_session(session)
    stamp = session.parent / "exec-seconds.txt"
    seconds = stamp.read_text("utf-8").strip().splitlines() if stamp.exists() else None
    text = render(config, mutants, about, load_dispositions(), seconds)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(next(line for line in text.splitlines() if line.startswith("**Mutation score")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
