"""What pytest's reporters show of an otpspec item: the failure text, the console's words
for the verdicts, the JUnit properties and the Cucumber JSON (harness.run.outcomes makes
the records; the plugin calls these on each report)."""

from __future__ import annotations

import json
from typing import Any, Final

import pytest
from _pytest import junitxml
from pytest_bdd.reporting import ReportContext, test_report_context_registry

from harness.run.applicability import NOT_APPLICABLE
from harness.run.records import ItemRecord

__all__ = [
    "CUCUMBER_OWN",
    "check_scenario",
    "cucumber",
    "failure_text",
    "junit_property",
    "teststatus",
]

_CUCUMBER: Final = "otpspec_cucumber"
CUCUMBER_OWN: Final = "otpspec_cucumber_own"
"""The report attribute that carries the Cucumber data of an item pytest-bdd did not make."""


def failure_text(record: ItemRecord) -> str:
    clauses = ", ".join(record.clauses) or "-"
    lines = [f"{record.verdict} ({clauses}): {record.location} {record.name}", record.message]
    failure = record.implementation_failure
    if failure:
        tail = failure.get("stderr_tail") or "(nothing on stderr)"
        lines += ["", f"実装の stderr の末尾:\n{tail}"]
    if record.replay:
        lines += ["", "再現するシナリオ:", record.replay]
    return "\n".join(lines)


def junit_property(config: pytest.Config, record: ItemRecord) -> None:
    """Names the item's verdict and clauses in JUnit, where xunit2 allows it.

    Jenkins' xunit rules allow no <properties> inside a <testcase>, so the suite's
    properties carry them: `otpspec:<node id>` = `fail 3.1.2` (the verdict, then the
    clauses, or the item's sections when it passed). The failure's message starts with
    the verdict too.
    """
    xml = config.stash.get(junitxml.xml_key, None)
    if xml is not None:
        clauses = ",".join(record.clauses or record.sections)
        xml.add_global_property(f"otpspec:{record.nodeid}", f"{record.verdict} {clauses}")


_STATUS: Final[dict[str, tuple[str, str, str]]] = {
    "deviation": ("deviation", "d", "DEVIATION"),
    NOT_APPLICABLE: ("not_applicable", "n", "NOT APPLICABLE"),  # one word in the summary line
    "error": ("error", "E", "ERROR"),
}


def teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    """The console's word for the verdicts pytest has no outcome of its own for.

    A deviation (expected failure), a not-applicable item (skipped) and an error (failed:
    the run broke) are counted apart in the console's summary line (`1 deviation`); a
    pass and a fail keep pytest's own words.
    """
    verdict = getattr(report, "otpspec_verdict", None)
    if not isinstance(verdict, str) or report.when == "teardown":
        return None
    if verdict == "error" and not report.failed:
        return None
    return _STATUS.get(str(verdict))


# ---- Cucumber JSON (pytest-bdd's writer, fed across pytest-xdist and for our checks)


def cucumber(report: pytest.TestReport, record: ItemRecord, *, worker: bool) -> None:
    """Gives pytest-bdd's Cucumber writer this item, tagged with its verdict, every tag
    named as Cucumber names it (`@section-2.1`, `@verdict-fail`).

    pytest-bdd keeps a scenario's Cucumber data beside the report object, which
    pytest-xdist does not carry to the controller: a worker puts it on the report as data,
    and the controller puts it back. Generated checks, walks and broken scenarios get
    Cucumber data of their own, so Cucumber counts every item the console does.
    """
    context = test_report_context_registry.get(report)
    carried = getattr(report, _CUCUMBER, None)
    if context is None and isinstance(carried, str):
        context = ReportContext(**json.loads(carried))
    own = getattr(report, CUCUMBER_OWN, None)
    if context is None and isinstance(own, str):
        context = ReportContext(scenario=json.loads(own), name=record.name)
    if context is None:
        return
    scenario = context.scenario
    verdict = f"verdict-{record.verdict.replace(' ', '-')}"
    scenario["tags"] = sorted({_cucumber_tag(tag) for tag in (*scenario["tags"], verdict)})
    feature = scenario["feature"]
    feature["tags"] = sorted({_cucumber_tag(tag) for tag in feature["tags"]})
    test_report_context_registry[report] = context
    if worker:
        carried = {"scenario": context.scenario, "name": context.name}
        setattr(report, _CUCUMBER, json.dumps(carried, ensure_ascii=False))  # see outcomes


def _cucumber_tag(tag: str) -> str:
    """A tag as Cucumber JSON names it, with its `@` (`@section-2.1`).

    pytest-bdd keeps tags without it (they are marker names) and writes them so; Cucumber's
    own formatters and the Cucumber JSON schema (a tag's name matches `^@`) have it, and
    tools that import the file (Xray, cucumber-reporting) match tags with it. Idempotent: a
    worker's tags are named again on the controller.
    """
    return "@" + tag.lstrip("@")


def check_scenario(item: pytest.Item, record: ItemRecord) -> Any:
    failed = record.failed_step
    return {
        "steps": [
            {
                "name": step.text,
                "type": "when",
                "keyword": step.keyword,
                "line_number": step.line,
                "failed": step is failed,
                "duration": step.seconds,
            }
            for step in record.steps
        ],
        "keyword": "シナリオ",
        "name": record.name,
        "line_number": record.line,
        "tags": sorted(f"section-{s}" for s in record.sections),
        "description": "",
        "feature": {
            "keyword": "機能",
            "name": record.feature or record.kind,
            "filename": f"{record.path}#{record.kind}",
            "rel_filename": f"{item.path.name}#{record.kind}",
            "language": "ja",
            "line_number": 1,
            "description": "",
            "tags": [],
        },
    }
