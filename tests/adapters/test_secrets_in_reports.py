"""No secret the run sent shows in clear through the implementation's stderr (issue 13, item 10).

tests/adapters/impls/echoes_secrets.py serves the reference, echoes every request to stderr
(each secret once more as `SECRET-ECHO[…]`) and exits every 150th request, so that failures
carry a stderr tail that holds earlier scenarios' requests: lock codes (3.5), activation
passwords (1.3.1), PINs (3.8). (A secret sent only after a failure may still stand in its
tail as something else, e.g. a request id 7 before the lock code "7" is typed: only the
secrets in the echoed requests are checked, where they stand.) Test data written in a
feature file may show in its steps and replays (it is needed to replay them); what the
implementation wrote may not.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.run.secrets import MASK

sys.path.insert(0, str(Path(__file__).resolve().parent / "impls"))
from echoes_secrets import secrets_of

IMPLS = Path(__file__).resolve().parent / "impls"
SECTIONS = ("3.5", "1.3.1", "3.8")
ECHO = re.compile(r"SECRET-ECHO\[([^\]]*)\]")
TAIL_HEADING = "実装の stderr の末尾:"
REPLAY_HEADING = "再現するシナリオ:"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """One conform run; its report directory and every secret the implementation got."""
    where = tmp_path_factory.mktemp("secrets")
    impl = subprocess.list2cmdline(
        [sys.executable, str(IMPLS / "echoes_secrets.py"), str(where), "150"]
    )
    sections = [arg for section in SECTIONS for arg in ("--section", section)]
    argv = [
        sys.executable, "-m", "harness.cli", "conform", "--impl", impl, *sections,
        "--no-generated", "--no-differential", "--no-diagrams", "--report", str(where / "r"),
        "--", "-p", "no:cacheprovider", "--junitxml", str(where / "r" / "junit.xml"),
    ]  # fmt: skip
    done = subprocess.run(argv, cwd=where, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    secrets = sorted(set((where / "secrets.txt").read_text("utf-8").split()))
    assert len(secrets) >= 5, secrets
    return where / "r", secrets


def _standalone(secret: str) -> re.Pattern[str]:
    word = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
    return re.compile(f"(?<![{word}]){re.escape(secret)}(?![{word}])")


def _tails_of(text: str) -> Iterator[str]:
    """The stderr tails a failure text (longrepr, JUnit, Cucumber) shows."""
    for part in text.split(TAIL_HEADING)[1:]:
        yield part.split(REPLAY_HEADING)[0]


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


@pytest.mark.parametrize("name", ["results.json", "junit.xml", "cucumber.json", "report.html"])
def test_every_echoed_secret_is_masked(run: tuple[Path, list[str]], name: str) -> None:
    report, _ = run
    text = (report / name).read_text("utf-8")
    if name == "cucumber.json":
        text = "\n".join(_strings(json.loads(text)))
    echoed = ECHO.findall(text)
    assert len(echoed) >= 10, f"{name} shows too few echoes to prove anything"
    assert set(echoed) == {MASK}, sorted(set(echoed) - {MASK})


def _echoed_requests(tail: str) -> Iterator[dict[str, Any]]:
    for line in tail.splitlines():
        if line.startswith("REQ {"):
            try:
                yield json.loads(line.removeprefix("REQ "))
            except ValueError:  # the first line of a tail may be cut
                continue


def test_stderr_tails_hold_no_secret(run: tuple[Path, list[str]]) -> None:
    report, secrets = run
    results = json.loads((report / "results.json").read_text("utf-8"))
    tails = [
        item["implementation_failure"]["stderr_tail"]
        for item in results["items"]
        if item.get("implementation_failure")
    ]
    junit = ET.parse(report / "junit.xml").getroot()
    tails += [tail for failure in junit.iter("failure") for tail in _tails_of(failure.text or "")]
    cucumber = json.loads((report / "cucumber.json").read_text("utf-8"))
    tails += [tail for text in _strings(cucumber) for tail in _tails_of(text)]
    assert len(tails) >= 6
    shown = [
        value
        for tail in tails
        for request in _echoed_requests(tail)
        for value in secrets_of(request)
    ]
    assert len(shown) >= 10, "too few secrets in the tails to prove anything"
    assert set(shown) == {MASK}, sorted(set(shown) - {MASK})
    assert not set(shown) & set(secrets)
