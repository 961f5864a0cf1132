"""Benchmarks: reference steps against a raw `transitions` trigger, and the conformance run.

Run: `python benchmarks/run.py` (or `tox -e bench`). Prints a table and writes
reports/benchmarks.json. Targets: a step (an action plus its view) costs at most 2x a raw
HierarchicalMachine trigger on a machine of the same shape, and over `otpspec serve` a step
adds at most 100 µs (issue 4); the whole conformance run over the subprocess adapter takes
at most 1.5x the in-process run (issue 5).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from harness.conform import ConformOptions, conform
from statechart.app import ReferenceApp
from statechart.loader import load_spec
from statechart.machine import RAW_SEPARATOR, raw_hierarchical_machine, raw_trigger_name
from statechart.model import Spec, Statechart

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "reports" / "benchmarks.json"
SEPARATOR = RAW_SEPARATOR
# One round trip through the settings: four taps, each one transition of the statechart.
ROUND = ("設定", "バージョン情報", "戻る", "ワンタイムパスワード")
FIXTURE: dict[str, Any] = {
    "app": {
        "privacy_policy_agreed": True,
        "tokens": [{"service_id": "MIRAI01", "user_id": "USER0001", "expires": "2027-12-31"}],
    }
}
ROUNDS = 2000


def _best(run: Callable[[], None], repeat: int = 5) -> float:
    """The best of `repeat` timings of `run`, in seconds (the least disturbed)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _raw_trigger_seconds(spec: Spec) -> float:
    """The cost of one raw trigger, walking the same round as the app step benchmark."""
    chart = spec.statechart
    machine = raw_hierarchical_machine(chart)
    main = SEPARATOR.join(("running", "main"))
    settings = SEPARATOR.join(("running", "main", "settings"))
    steps = [
        (main + SEPARATOR + "otp", _trigger_for(chart, "running.main", "設定")),
        (
            settings + SEPARATOR + "menu",
            _trigger_for(chart, "running.main.settings.menu", "バージョン情報"),
        ),
        (
            settings + SEPARATOR + "about",
            _trigger_for(chart, "running.main.settings.about", "戻る"),
        ),
        (
            settings + SEPARATOR + "menu",
            _trigger_for(chart, "running.main", "ワンタイムパスワード"),
        ),
    ]
    machine.set_state(steps[0][0])

    def run() -> None:
        for _ in range(ROUNDS):
            for _, trigger in steps:
                machine.trigger(trigger)

    return _best(run) / (ROUNDS * len(steps))


def _trigger_for(chart: Statechart, owner: str, label: str) -> str:
    for index, transition in enumerate(chart.state(owner).transitions):
        if transition.element == label:
            return raw_trigger_name(index, transition)
    raise LookupError(f"{owner} has no tap on {label}")


# ---- the reference app, in-process and over the protocol
def _app_step_seconds(spec: Spec) -> float:
    app = ReferenceApp(spec)
    app.reset(FIXTURE)
    app.launch()

    def run() -> None:
        for _ in range(ROUNDS):
            for label in ROUND:
                app.tap(label)

    return _best(run) / (ROUNDS * len(ROUND))


def _served_step_seconds(rounds: int = 500) -> float:
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stdin is not None and process.stdout is not None
    ids = _counter()

    def send(op: str, **args: Any) -> None:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps({"id": next(ids), "op": op, **args}) + "\n")
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        assert answer["ok"], answer

    try:
        send("reset", fixture=FIXTURE)
        send("launch")

        def run() -> None:
            for _ in range(rounds):
                for label in ROUND:
                    send("tap", target=label)

        return _best(run, repeat=3) / (rounds * len(ROUND))
    finally:
        process.stdin.close()
        process.wait(timeout=10)


def _conform_seconds(spec: Spec, impls: tuple[str, ...]) -> float:
    """The wall time of one whole `otpspec conform` run (features, generated, differential)."""
    with tempfile.TemporaryDirectory() as report:
        options = ConformOptions(impls=impls, report_dir=Path(report), diagrams=False)
        start = time.perf_counter()
        run = conform(options, spec=spec)
        seconds = time.perf_counter() - start
    assert run.exit_code == 0, f"the conformance run failed against {impls or 'the reference'}"
    return seconds


def _counter() -> Iterator[int]:
    number = 0
    while True:
        number += 1
        yield number


def main() -> int:
    """Measures, prints and records the figures; exits 1 if a target is missed."""
    spec = load_spec()
    raw = _raw_trigger_seconds(spec)
    step = _app_step_seconds(spec)
    served = _served_step_seconds()
    serve = shlex.join([sys.executable, "-m", "harness.cli", "serve"])
    conform_in_process = _conform_seconds(spec, ())
    conform_served = _conform_seconds(spec, (serve,))
    figures = {
        "raw_hsm_trigger_us": round(raw * 1e6, 1),
        "app_step_us": round(step * 1e6, 1),
        "app_steps_per_second": round(1 / step),
        "served_step_us": round(served * 1e6, 1),
        "served_steps_per_second": round(1 / served),
        "step_over_raw_ratio": round(step / raw, 2),
        "protocol_overhead_us": round((served - step) * 1e6, 1),
        "conform_in_process_s": round(conform_in_process, 2),
        "conform_subprocess_s": round(conform_served, 2),
        "conform_subprocess_ratio": round(conform_served / conform_in_process, 2),
    }
    targets = {
        "step <= 2x raw trigger": figures["step_over_raw_ratio"] <= 2.0,
        "protocol adds <= 100 us": figures["protocol_overhead_us"] <= 100.0,
        "conform subprocess <= 1.5x": figures["conform_subprocess_ratio"] <= 1.5,
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps({"figures": figures, "targets": targets}, indent=2) + "\n")
    for name, value in figures.items():
        print(f"{name:28} {value}")
    for name, met in targets.items():
        print(f"{name:28} {'met' if met else 'MISSED'}")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
