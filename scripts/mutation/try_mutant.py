"""Runs a check against one mutant of the session, by hand: does the new check kill it?

    python scripts/mutation/try_mutant.py [--session S] KEY [PYTEST_ARGS...]

Copies the tree (tracked and untracked, not ignored files) into a temporary directory,
writes the mutant KEY (its identity key, as in survivors.yaml and the report) over its
module there, and runs `python -m pytest -x -q -p no:cacheprovider --otpspec-strict
PYTEST_ARGS` in it (default PYTEST_ARGS: the whole conformance run, `features spec`); then
the same without the mutant, which must pass. Prints both outcomes; exit status 0 when the
mutant is killed and the reference passes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cosmic_ray.mutating import use_mutation
from cosmic_ray.plugins import get_operator
from cosmic_ray.work_db import WorkDB, use_db
from scope import changed_lines

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SESSION = ROOT / ".mutation" / "session.sqlite"
PYTEST = ["python", "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--otpspec-strict"]


def _copy_tree(into: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            target = into / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _run(tree: Path, args: list[str]) -> tuple[bool, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([*PYTEST, *args], cwd=tree, env=env, capture_output=True, text=True)
    tail = "\n".join(done.stdout.strip().splitlines()[-6:])
    return done.returncode == 0, tail


def main(argv: list[str]) -> int:
    """Applies the mutant in a copy of the tree and runs the check with and without it."""
    session = DEFAULT_SESSION
    if argv[:1] == ["--session"] and len(argv) >= 2:
        session, argv = Path(argv[1]), argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    key, args = argv[0], argv[1:] or ["features", "spec"]
    about = json.loads(Path(f"{session}.scope.json").read_text(encoding="utf-8"))
    jobs = [job for job, identity in about["mutants"].items() if identity["key"] == key]
    if not jobs:
        print(f"no mutant {key} in {session}: see its report's table of survivors", file=sys.stderr)
        return 2
    with use_db(str(session), WorkDB.Mode.open) as db:
        (mutation,) = next(i for i in db.work_items if i.job_id == jobs[0]).mutations
    identity = about["mutants"][jobs[0]]
    print(f"{key}: {identity['module']}:{identity['line']} {identity['operator']}")
    print(f"  {identity['before']!r} -> {identity['after']!r}")
    with tempfile.TemporaryDirectory(prefix="mutant-") as temp:
        tree = Path(temp)
        _copy_tree(tree)
        operator = get_operator(mutation.operator_name)(**(mutation.operator_args or {}))
        cwd = Path.cwd()
        os.chdir(tree)
        try:
            with use_mutation(mutation.module_path, operator, mutation.occurrence) as (old, new):
                made = None if new is None else changed_lines(old, new)[1:]
                if made != (identity["before"], identity["after"]):
                    print("the mutation no longer applies: the module changed", file=sys.stderr)
                    return 2
                killed = not _run(tree, args)[0]
        finally:
            os.chdir(cwd)
        passes, tail = _run(tree, args)
    verdict = "killed" if killed else "SURVIVED"
    print(f"mutant: {verdict}; reference: {'passes' if passes else 'FAILS'}")
    if not passes:
        print(tail)
    return 0 if killed and passes else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
