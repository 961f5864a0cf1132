"""What spares pytest-bdd repeated work: the cache in front of its step lookup
(harness.run.lookup) finds, for every step, the definitions pytest-bdd itself finds; and
collecting parses each feature file once (harness.run.collect)."""

from __future__ import annotations

from pathlib import Path

import pytest
from repo_paths import REPO_ROOT
from run_helpers import QUICK

from harness.scenarios.gherkin import load_features

_COMPARE = """
from pathlib import Path

import pytest
from harness.run import lookup

CHECKED = []


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_step(request, feature, scenario, step, step_func):
    assert isinstance(lookup._MODULE.find_fixturedefs_for_step, lookup._Cached)
    where = {"step": step, "fixturemanager": request._fixturemanager, "node": request.node}
    cached = list(lookup._MODULE.find_fixturedefs_for_step(**where))
    own = list(lookup._ORIGINAL(**where))
    assert cached == own != [], step.name
    CHECKED.append(step.name)


def pytest_sessionfinish(session):
    (Path(__file__).parent / "compared.txt").write_text(str(len(CHECKED)))
"""


class TestInstall:
    def test_the_cache_finds_what_pytest_bdd_finds_for_every_step(
        self, pytester: pytest.Pytester
    ) -> None:
        pytester.makepyfile(compare_lookup=_COMPARE)
        pytester.syspathinsert()
        features = [REPO_ROOT / "features" / name for name in _FEATURES]
        result = pytester.runpytest_inprocess(*map(str, features), *QUICK, "-p", "compare_lookup")
        result.assert_outcomes(passed=_scenarios(features))
        assert int((pytester.path / "compared.txt").read_text()) > 500


_FEATURES = ("3.8-PINを変更する.feature", "4.3-エラー表示一覧.feature")


def _scenarios(paths: list[Path]) -> int:
    return sum(len(feature.scenarios) for feature in load_features(paths))


class TestCollecting:
    def test_each_feature_file_is_parsed_once(
        self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from harness.scenarios import gherkin

        parsed: list[str] = []
        original = gherkin.get_gherkin_document

        def counted(path: str, encoding: str = "utf-8") -> object:
            parsed.append(Path(path).name)
            return original(path, encoding)

        monkeypatch.setattr(gherkin, "get_gherkin_document", counted)
        monkeypatch.setattr("pytest_bdd.parser.get_gherkin_document", counted)
        monkeypatch.setattr("pytest_bdd.feature.features", {})  # none parsed by earlier tests
        features = [REPO_ROOT / "features" / name for name in _FEATURES]
        result = pytester.runpytest_inprocess(*map(str, features), *QUICK, "--collect-only")
        assert result.ret == pytest.ExitCode.OK
        assert sorted(parsed) == sorted(_FEATURES)
