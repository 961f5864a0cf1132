"""The mutation run's committed record holds together (issue 11, reports/mutation/).

The run itself (`tox -e mutation`) takes an hour and is not part of the test suite; these
checks keep its inputs and its report consistent: every survivor has a disposition of the
two allowed forms, the report shows them all, a `killed by` names a scenario that exists,
and the config's scope still matches the modules it names.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from repo_paths import FEATURES_DIR, REPO_ROOT

from statechart.yamlio import load_yaml

MUTATION_DIR = REPO_ROOT / "scripts" / "mutation"
SURVIVORS = MUTATION_DIR / "survivors.yaml"
REPORT = REPO_ROOT / "reports" / "mutation" / "README.md"
KILLED_BY_FEATURE = re.compile(r"^killed by features/(?P<section>\S+) 「(?P<title>[^」]+)」")


def _dispositions() -> dict[str, str]:
    loaded = load_yaml(SURVIVORS)
    assert loaded.problems == ()
    assert loaded.data is not None
    found: dict[str, str] = {}
    for key, entry in loaded.data.items():
        assert isinstance(key, str) and re.fullmatch(r"[0-9a-f]{10}", key), key
        assert isinstance(entry, dict)
        found[key] = entry["disposition"]
    return found


def _scenario_titles(section: str) -> set[str]:
    titles: set[str] = set()
    for path in FEATURES_DIR.glob(f"{section}-*.feature"):
        for line in path.read_text(encoding="utf-8").splitlines():
            head, _, title = line.strip().partition(": ")
            if head in ("シナリオ", "シナリオアウトライン"):
                titles.add(title)
    return titles


def test_every_disposition_is_equivalent_with_a_reason_or_killed_by_a_check() -> None:
    for key, text in _dispositions().items():
        assert re.match(r"^(equivalent: \S.{20,}|killed by \S.+)$", text), (key, text)


def test_the_report_lists_every_survivor_and_none_is_open() -> None:
    report = REPORT.read_text(encoding="utf-8")
    assert "**Mutation score: " in report
    assert "**open**" not in report
    for key in _dispositions():
        assert f"| `{key}` |" in report, f"{key} is in survivors.yaml but not in the report"


@pytest.mark.parametrize(
    "key", [k for k, text in _dispositions().items() if KILLED_BY_FEATURE.match(text)]
)
def test_a_killing_scenario_exists(key: str) -> None:
    match = KILLED_BY_FEATURE.match(_dispositions()[key])
    assert match is not None
    assert match["title"] in _scenario_titles(match["section"]), match.group(0)


def test_the_scope_still_matches_the_modules() -> None:
    config = tomllib.loads((MUTATION_DIR / "cosmic-ray.toml").read_text(encoding="utf-8"))
    section = config["cosmic-ray"]
    modules = [Path(REPO_ROOT, m) for m in section["module-path"]]
    assert all(m.is_file() for m in modules)
    for entry in section["filters"]["otpspec-scope"]["exclude"]:
        lines = [
            line.strip()
            for line in (REPO_ROOT / entry["module"]).read_text(encoding="utf-8").splitlines()
        ]
        start = next(i for i, line in enumerate(lines) if line.startswith(entry["from"]))
        if "to" in entry:
            assert any(line.startswith(entry["to"]) for line in lines[start:]), entry
