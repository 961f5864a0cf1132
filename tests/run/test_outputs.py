"""What a run gives the tools QA already uses: JUnit, Cucumber JSON, Allure, pytest-xdist.

The console, JUnit, Cucumber and results.json count the same items with the same verdicts,
JUnit is valid against the rules of Jenkins' xunit plugin, and `-n 2` shards the suite
over two implementation processes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
import xmlschema
from jsonschema import Draft202012Validator
from run_helpers import DATA, FAILING, PASSING, TAPS, UNDEFINED, RunFeatures, impl_command, results

from statechart.loader import DEFAULT_SPEC_DIR


def _junit(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    suite = root.find("testsuite") if root.tag == "testsuites" else root
    assert suite is not None
    return suite


def _cucumber_statuses(path: Path) -> Counter[str]:
    features = json.loads(path.read_text(encoding="utf-8"))
    statuses: Counter[str] = Counter()
    for feature in features:
        for element in feature["elements"]:
            failed = any(s["result"]["status"] == "failed" for s in element["steps"])
            statuses["failed" if failed else "passed"] += 1
    return statuses


@pytest.fixture
def mixed(run_features: RunFeatures, tmp_path: Path) -> tuple[object, Path]:
    """A run with passing, failing and broken scenarios plus a few generated checks."""
    out = tmp_path / "out"
    args = [
        str(DEFAULT_SPEC_DIR),
        "-m",
        "not generated or section-3.11",
        "--junitxml",
        str(out / "junit.xml"),
        "--cucumberjson",
        str(out / "cucumber.json"),
        "--otpspec-no-differential",
    ]
    run = run_features(PASSING, FAILING, UNDEFINED, TAPS, args=args, quick=False)
    return run, out


class TestCountsAgree:
    def test_console_junit_cucumber_and_results(self, mixed: tuple[object, Path]) -> None:
        run, out = mixed
        outcomes = run.result.parseoutcomes()  # type: ignore[attr-defined]
        data = results(run.report)["summary"]  # type: ignore[attr-defined]
        suite = _junit(out / "junit.xml")
        cucumber = _cucumber_statuses(out / "cucumber.json")
        total = outcomes["passed"] + outcomes["failed"] + outcomes["errors"]
        assert total == data["total"] == int(suite.get("tests", "")) == sum(cucumber.values())
        failed = data["fail"] + data["error"]
        junit_failed = int(suite.get("failures", "")) + int(suite.get("errors", ""))
        assert (outcomes["failed"], outcomes["errors"]) == (data["fail"], data["error"])
        assert outcomes["failed"] + outcomes["errors"] == failed == junit_failed
        assert cucumber["failed"] == failed
        assert data["pass"] == outcomes["passed"] == cucumber["passed"] > 9


class TestJunit:
    def test_valid_against_the_xunit_rules(self, mixed: tuple[object, Path]) -> None:
        _, out = mixed
        schema = xmlschema.XMLSchema(DATA / "junit-xunit2.xsd")
        errors = list(schema.iter_errors(str(out / "junit.xml")))
        assert errors == []

    def test_each_testcase_has_its_verdict_and_sections(self, mixed: tuple[object, Path]) -> None:
        _, out = mixed
        suite = _junit(out / "junit.xml")
        recorded = {p.get("name"): p.get("value") for p in suite.iter("property")}
        failure = next(case for case in suite.iter("testcase") if case.find("failure") is not None)
        message = failure.find("failure").get("message", "")  # type: ignore[union-attr]
        assert message.startswith(("fail (", "error ("))
        cases = list(suite.iter("testcase"))
        assert len(recorded) == len(cases)
        assert any(value.startswith("fail 3.1.2") for value in recorded.values())


class TestCucumber:
    def test_generated_checks_are_scenarios_too(self, mixed: tuple[object, Path]) -> None:
        _, out = mixed
        features = json.loads((out / "cucumber.json").read_text(encoding="utf-8"))
        names = {feature["name"] for feature in features}
        assert "生成された検査" in names
        tags = {t["name"] for f in features for e in f["elements"] for t in e["tags"]}
        assert {"@verdict-pass", "@verdict-fail", "@verdict-error"} <= tags

    def test_valid_against_the_cucumber_json_rules(self, mixed: tuple[object, Path]) -> None:
        """Tags keep their `@` (pytest-bdd drops it), for scenarios and generated checks."""
        _, out = mixed
        features = json.loads((out / "cucumber.json").read_text(encoding="utf-8"))
        schema = json.loads((DATA / "cucumber-json.schema.json").read_text(encoding="utf-8"))
        errors = [error.message for error in Draft202012Validator(schema).iter_errors(features)]
        assert errors == []
        tags = {t["name"] for f in features for e in f["elements"] for t in e["tags"]}
        assert {"@section-3.1.2", "@section-2.1"} <= tags


class TestAllure:
    def test_allure_results_for_the_scenarios(
        self, run_features: RunFeatures, tmp_path: Path
    ) -> None:
        allure = tmp_path / "allure"
        run = run_features(PASSING, FAILING, args=["--alluredir", str(allure)])
        run.result.assert_outcomes(passed=1, failed=1)
        found = [json.loads(p.read_text()) for p in allure.glob("*-result.json")]
        statuses = sorted(result["status"] for result in found)
        assert statuses == ["failed", "passed"]
        labels = {(lab["name"], lab["value"]) for r in found for lab in r["labels"]}
        assert ("tag", "section-3.1.2") in labels


class TestXdist:
    def test_two_workers_two_implementation_processes(
        self, pytester: pytest.Pytester, tmp_path: Path
    ) -> None:
        folder = pytester.path / "features"
        folder.mkdir()
        for number, text in enumerate([PASSING, TAPS, FAILING], start=1):
            (folder / f"case{number}.feature").write_text(text, encoding="utf-8")
        pids = tmp_path / "pids"
        impl = f"{impl_command('serves_reference.py')} {pids}"
        report = pytester.path / "reports"
        result = pytester.runpytest_subprocess(
            str(folder),
            "-n",
            "2",
            "--otpspec-impl",
            impl,
            "--otpspec-report",
            str(report),
            "--otpspec-no-generated",
            "--otpspec-no-differential",
            "-p",
            "no:cacheprovider",
        )
        result.assert_outcomes(passed=3, failed=1)
        assert len(set(pids.read_text().split())) == 2
        assert results(report)["summary"]["total"] == 4
