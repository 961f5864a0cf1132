"""Whether the protocol's hot path needs fastjsonschema beside jsonschema (issue 10).

Every answer an implementation sends over the protocol is checked against
protocol-response.schema.json and its view against view.schema.json before the harness
reads it (harness.protocol.responses). This measures, on real answers of the reference
(a route through the settings and the token screens), the cost of that check per answer
with fastjsonschema (compiled once, `statechart.schema.is_valid`) and with jsonschema's
cached Draft 2020-12 validator (`is_valid`), beside the cost of one reference step, so the
share of each in a step is plain.

Run: `python benchmarks/schema_validation.py [ROUNDS]` from the repository root (default
2000 rounds per answer). Not a timed test: the figures go in the closing note.
"""

from __future__ import annotations

import functools
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

from harness.adapters import InProcessAdapter
from statechart.loader import load_spec
from statechart.schema import is_valid, schema_path

FIXTURE: dict[str, Any] = {
    "app": {
        "privacy_policy_agreed": True,
        "tokens": [
            {"service_id": "MIRAI01", "user_id": "USER0001", "expires": "2027-12-31"},
        ],
    }
}
ROUTE = ("設定", "トークン表示名設定", "戻る", "バージョン情報", "戻る", "ワンタイムパスワード")


def _answers() -> tuple[list[dict[str, Any]], float]:
    """The reference's answers along the route, and the median µs of one step."""
    adapter = InProcessAdapter(load_spec())
    answers = [adapter.reset(FIXTURE), adapter.launch()]
    steps: list[float] = []
    for target in ROUTE:
        start = time.perf_counter()
        answers.append(adapter.tap(target))
        steps.append(time.perf_counter() - start)
    adapter.close()
    # The adapter hands back the view; on the wire it comes inside an answer.
    wired = [{"id": n, "ok": True, "view": view} for n, view in enumerate(answers, 1)]
    return wired, statistics.median(steps) * 1e6


def _per_call_us(work: Callable[[], object], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        work()
    return (time.perf_counter() - start) / rounds * 1e6


def _fast(kind: str, data: object) -> bool:
    return is_valid(data, kind)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    answers, step_us = _answers()
    views = [a["view"] for a in answers if isinstance(a.get("view"), dict)]
    checkers: dict[str, dict[str, Callable[[object], bool]]] = {}
    for kind in ("protocol-response", "view"):
        schema = json.loads(schema_path(kind).read_text(encoding="utf-8"))
        slow = Draft202012Validator(schema)
        checkers[kind] = {
            "fastjsonschema": functools.partial(_fast, kind),
            "jsonschema": slow.is_valid,
        }
    figures: dict[str, float] = {}
    for kind, samples in (("protocol-response", answers), ("view", views)):
        for library, check in checkers[kind].items():
            assert all(check(sample) for sample in samples), (kind, library)
            figures[f"{kind} {library}"] = statistics.median(
                _per_call_us(functools.partial(check, sample), rounds) for sample in samples
            )
    print(f"one reference step (tap, in process): {step_us:8.1f} µs")
    for name, us in figures.items():
        print(f"{name:<34} {us:8.1f} µs per answer")
    both = {
        lib: figures[f"protocol-response {lib}"] + figures[f"view {lib}"]
        for lib in ("fastjsonschema", "jsonschema")
    }
    for library, us in both.items():
        print(f"checking one answer and its view, {library:<15} {us:8.1f} µs")
    print(f"(median over {len(answers)} answers, {rounds} rounds each)")


if __name__ == "__main__":
    main()
