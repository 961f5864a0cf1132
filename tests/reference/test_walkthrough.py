"""The scripted session walks every procedure, in-process and over `otpspec serve`."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from walkthrough import Driver, Walk, injected_codes, walk

from harness.protocol import handle_line
from statechart.app import ReferenceApp
from statechart.model import Spec

ROOT = Path(__file__).resolve().parents[2]


def _in_process(spec: Spec) -> Driver:
    app = ReferenceApp(spec)
    ids = itertools.count(1)

    def drive(op: str, **args: Any) -> dict[str, Any]:
        line = handle_line(app, json.dumps({"id": next(ids), "op": op, **args}))
        assert line is not None
        answer: dict[str, Any] = json.loads(line)
        return answer

    return drive


@pytest.fixture
def served() -> Iterator[Driver]:
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stdin is not None and process.stdout is not None
    ids = itertools.count(1)

    def drive(op: str, **args: Any) -> dict[str, Any]:
        request_id = next(ids)
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({"id": request_id, "op": op, **args}) + "\n")
        process.stdin.flush()
        answer: dict[str, Any] = json.loads(process.stdout.readline())
        assert answer["id"] == request_id
        return answer

    try:
        yield drive
    finally:
        process.stdin.close()
        assert process.wait(timeout=10) == 0


def _screen_titles(spec: Spec) -> set[str]:
    return {s.title for s in spec.statechart.iter_states() if s.kind == "screen" and s.title}


def _check(w: Walk, spec: Spec) -> None:
    assert _screen_titles(spec) - w.titles == set(), "screens the walk never saw"
    in_scope = {s.id for s in spec.sections if s.in_scope}
    walked = set(w.sections)
    assert in_scope - walked <= {
        "1.3.2",
        "4.3",
        "こんなことができます",
        "ディスプレイの見かた",
        "操作について(iPhone)",
        "操作について(Android)",
        "3.9",
        "3.13",
    }


class TestWalkInProcess:
    def test_walks_every_procedure(self, spec: Spec) -> None:
        w = walk(_in_process(spec))
        _check(w, spec)
        assert {"A911", "A913", "A914", "A916", "S4H9", "S6H2"} <= w.codes

    def test_every_catalogue_code_shows(self, spec: Spec) -> None:
        w = walk(_in_process(spec))
        codes = {op: sorted(c) for op, c in ReferenceApp(spec).injectable_codes().items()}
        injected_codes(w, codes)
        assert w.codes == spec.error_codes()


class TestWalkOverServe:
    def test_walks_every_procedure_and_code_in_one_process(
        self, spec: Spec, served: Driver
    ) -> None:
        w = walk(served)
        codes = {op: sorted(c) for op, c in ReferenceApp(spec).injectable_codes().items()}
        injected_codes(w, codes)
        _check(w, spec)
        assert spec.error_codes() - w.codes == set()
