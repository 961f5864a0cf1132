"""Benchmarks: reference steps against a raw `transitions` trigger, and the conformance run.

Run: `python benchmarks/run.py` (or `tox -e bench`). Prints a table and writes
reports/benchmarks.json. Targets: a step (an action plus its view) costs at most 2x a raw
HierarchicalMachine trigger on a machine of the same shape, and over `otpspec serve` a step
adds at most 100 µs (issue 4); the whole conformance run over the subprocess adapter takes
at most 1.5x the in-process run (issue 5).
"""

from __future__ import annotations

import json
import os
import select
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.adapters import SubprocessAdapter
from harness.cli.commands import main as otpspec
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


_ECHO = "import sys\nfor line in sys.stdin:\n    sys.stdout.write(line)\n    sys.stdout.flush()\n"
_SPIN_SECONDS = 0.0005


class _LineClient:
    """The least a protocol client does: write a JSON line, read and parse one back.

    It polls for the answer before sleeping on the pipe, as the harness's adapter does:
    waking a sleeping reader costs more than most answers take on these machines.
    """

    def __init__(self, command: list[str]) -> None:
        self._process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin = self._process.stdin
        self._out = self._process.stdout.fileno()
        os.set_blocking(self._out, False)
        self._buffer = b""
        self._ids = 0

    def ask(self, op: str, **args: Any) -> Any:
        self._ids += 1
        line = json.dumps({"id": self._ids, "op": op, **args}, ensure_ascii=False) + "\n"
        self._stdin.write(line.encode("utf-8"))
        self._stdin.flush()
        return json.loads(self._read_line())

    def _read_line(self) -> bytes:
        while b"\n" not in self._buffer:
            until = time.perf_counter() + _SPIN_SECONDS
            while time.perf_counter() < until:
                try:
                    self._buffer += os.read(self._out, 65536)
                    break
                except BlockingIOError:
                    continue
            else:
                select.select([self._out], [], [])
                self._buffer += os.read(self._out, 65536)
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def close(self) -> None:
        self._stdin.close()
        self._process.wait(timeout=10)


def _pipe_round_trip_seconds(rounds: int = 2000) -> float:
    """A round trip to a Python process that only echoes: the pipe's own cost."""
    client = _LineClient([sys.executable, "-c", _ECHO])
    try:
        return _best(lambda: [client.ask("tap", target="設定") for _ in range(rounds)]) / rounds
    finally:
        client.close()


def _served_step_seconds(rounds: int = 500) -> float:
    """A step over `otpspec serve` with the least client (the protocol's own cost)."""
    client = _LineClient([sys.executable, "-m", "harness.cli", "serve"])
    try:
        client.ask("reset", fixture=FIXTURE)
        client.ask("launch")

        def run() -> None:
            for _ in range(rounds):
                for label in ROUND:
                    assert client.ask("tap", target=label)["ok"]

        return _best(run, repeat=3) / (rounds * len(ROUND))
    finally:
        client.close()


def _adapter_step_seconds(rounds: int = 500) -> float:
    """A step over `otpspec serve` through the harness's adapter, which checks every message."""
    command = [sys.executable, "-m", "harness.cli", "serve"]
    with SubprocessAdapter(command, cwd=ROOT, start_timeout=60) as adapter:
        adapter.reset(FIXTURE)
        adapter.launch()

        def run() -> None:
            for _ in range(rounds):
                for label in ROUND:
                    adapter.tap(label)

        return _best(run, repeat=3) / (rounds * len(ROUND))


def _conform_seconds(spec: Spec, impls: tuple[str, ...]) -> float:
    """The wall time of one whole `otpspec conform` run (features, generated, differential)."""
    del spec  # conform loads it once itself
    with tempfile.TemporaryDirectory() as report:
        argv = ["conform", "--report", report, "--no-diagrams"]
        for impl in impls:
            argv += ["--impl", impl]
        start = time.perf_counter()
        code = otpspec(argv)
        seconds = time.perf_counter() - start
    assert code == 0, f"the conformance run failed against {impls or 'the reference'}"
    return seconds


def main() -> int:
    """Measures, prints and records the figures; exits 1 if a target is missed."""
    spec = load_spec()
    raw = _raw_trigger_seconds(spec)
    step = _app_step_seconds(spec)
    served = _served_step_seconds()
    adapter = _adapter_step_seconds()
    pipe = _pipe_round_trip_seconds()
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
        "adapter_step_us": round(adapter * 1e6, 1),
        "pipe_round_trip_us": round(pipe * 1e6, 1),
        "protocol_work_us": round((served - step - pipe) * 1e6, 1),
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
