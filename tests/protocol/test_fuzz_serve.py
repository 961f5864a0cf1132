"""A fuzzer of `otpspec serve` over its pipes: valid, boundary and hostile lines.

One `otpspec serve` process per module; hypothesis drives sessions on it (a fixture from
tests/reference/test_fuzz_hostile.py, then operations drawn from what is on screen, each
answered before the next) and batches of lines written at once (pipelined): boundary lines
(exactly 1 MiB, with `\\n` or `\\r\\n`, one byte more, 256- and 257-character ids) and
hostile ones (deep nesting, huge strings, bytes that are not UTF-8, lone `\\r`, blank lines,
JSON that is not a request). Each line is a probe; it holds when:

- a blank line gets no answer and any other line exactly one (a sentinel request after
  each batch counts them), in order;
- each answer is at most 1 MiB and valid against protocol-response.schema.json (and its
  view against view.schema.json);
- a request the request schema accepts is never answered `internal`, and a line it does
  not accept is answered `bad_request`;
- the process is still running.

The default suite runs a quick version; `pytest -m slow` (tox -e slow) the long one. Run
with `-s` to see how many probes were tried and held.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from harness.protocol import MAX_LINE_BYTES, decode_response

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))
from test_fuzz_hostile import FIXTURES, _operation

SCHEMAS = Path(__file__).resolve().parents[2] / "spec" / "schemas"
REQUESTS = Draft202012Validator(
    json.loads((SCHEMAS / "protocol-request.schema.json").read_text("utf-8"))
)
RESPONSES = Draft202012Validator(
    json.loads((SCHEMAS / "protocol-response.schema.json").read_text("utf-8"))
)
WAIT = 60.0  # seconds for an answer, on a busy machine (a hang fails the test anyway)
COUNTS: Counter[str] = Counter()


class Served:
    """`otpspec serve` as a process, with a thread that reads its answers."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.answers: queue.Queue[bytes] = queue.Queue()
        self.stderr: list[bytes] = []
        self._sentinel = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.answers.put(line)

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr = [*self.stderr[-40:], line]

    def send(self, lines: list[bytes]) -> list[dict[str, Any]]:
        """Writes the lines at once, then a sentinel; returns the answers before the
        sentinel's (checked as lines: at most 1 MiB, JSON, one per line)."""
        assert self.process.stdin is not None
        self._sentinel += 1
        sentinel = f"sentinel-{self._sentinel}"
        data = b"".join(lines) + json.dumps({"id": sentinel, "op": "observe"}).encode() + b"\n"
        self.process.stdin.write(data)
        self.process.stdin.flush()
        found: list[dict[str, Any]] = []
        while True:  # answers to lines a failed example left (before sync) are read too
            try:
                raw = self.answers.get(timeout=WAIT)
            except queue.Empty:
                pytest.fail(f"no answer within {WAIT} s; stderr: {self.tail()}")
            assert raw.endswith(b"\n")
            assert len(raw) - 1 <= MAX_LINE_BYTES, f"an answer of {len(raw) - 1} bytes"
            answer = json.loads(raw)
            if answer.get("id") == sentinel:
                assert answer["ok"] is True, answer
                return found
            found.append(answer)

    def sync(self) -> None:
        """Drops whatever a failed example left unread (hypothesis runs examples again)."""
        while True:
            try:
                self.answers.get_nowait()
            except queue.Empty:
                break
        self.send([])

    def tail(self) -> str:
        return b"".join(self.stderr).decode("utf-8", "replace")[-3000:]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=WAIT) == 0


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served()
    yield server
    assert server.process.poll() is None, f"otpspec serve ended; stderr: {server.tail()}"
    server.close()


# ---- lines


def _line(data: object, ending: bytes = b"\n") -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8") + ending


def _padded(size: int, ending: bytes) -> bytes:
    """A valid observe request of exactly `size` bytes, padded with spaces."""
    head = b'{"id": 1, "op": "observe"'
    return head + b" " * (size - len(head) - 1) + b"}" + ending


def _nested(depth: int, where: str) -> bytes:
    inner = b"[" * depth + b"1" + b"]" * depth
    if where == "objects":
        inner = b'{"a":' * depth + b"1" + b"}" * depth
    if where == "fixture":
        return b'{"id": 1, "op": "reset", "fixture": {"app": ' + inner + b"}}\n"
    return b'{"id": 1, "op": "tap", "target": ' + inner + b"}\n"


def _huge(size: int, field: str) -> bytes:
    value = "あ" * (size // 3)
    return _line({"id": 1, "op": "enter", "field": "PIN", field: value})


ENDINGS = st.sampled_from([b"\n", b"\r\n"])
BLANK = st.sampled_from([b"\n", b" \n", b"\t\n", b"\r\n", b" \t\r \n"])
BOUNDARY = st.one_of(
    st.builds(_padded, st.sampled_from([MAX_LINE_BYTES, MAX_LINE_BYTES + 1]), ENDINGS),
    st.builds(_padded, st.integers(30, 4096), ENDINGS),
    st.sampled_from([256, 257]).map(lambda n: _line({"id": "i" * n, "op": "observe"})),
    st.sampled_from([2**63, -(2**63), 10**4000]).map(lambda n: _line({"id": n, "op": "observe"})),
    st.sampled_from([63, 64, 65]).map(lambda n: _nested(n, "target")),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)
ODD_BYTES = [
    b"\xff\xfe\n",
    b'{"id": 1, "op": "tap", "target": "\xed\xa0\x80"}\n',
    b"\xef\xbb\xbf" + b'{"id": 1, "op": "observe"}\n',
    b"\x00\n",
    b"\r\r\r\n",
    b'{"id": 1, "op": "observe"}\r\r\n',
    b'{"id": 1,\r"op": "observe"}\n',
    b'{"id": 1, "op": "observe"} \x0b\n',
]
NOT_REQUESTS = [
    b'{"id": 1, "op": "hello", "op": "tap"}\n',
    b'{"id": 1, "op": "clock", "advance": NaN}\n',
    b'{"id": 1, "op": "clock", "advance": 1e400}\n',
    b'{"id": 1.0, "op": "hello"}\n',
    b'{"id": 1, "op": "observe"} trailing\n',
    b'{"id": 1, "op": "observe"\n',
    b'{"id": "\\ud800", "op": "observe"}\n',
    b'{"id": 1, "op": "tap", "target": "\\u0000"}\n',
]
KEYS = st.sampled_from(["id", "op", "target", "fixture", "x"])
HOSTILE = st.one_of(
    st.builds(
        _nested,
        st.sampled_from([979, 980, 984, 1000, 5000, 10**5]),
        st.sampled_from(["target", "objects", "fixture"]),
    ),
    st.builds(
        _huge,
        st.sampled_from([300, 100_000, MAX_LINE_BYTES - 100, MAX_LINE_BYTES + 10]),
        st.sampled_from(["value", "field"]),
    ),
    st.binary(max_size=64).map(lambda raw: raw.replace(b"\n", b"") + b"\n"),
    st.sampled_from(ODD_BYTES + NOT_REQUESTS),
    st.text(max_size=40).map(
        lambda text: text.replace("\n", " ").encode("utf-8", "surrogatepass") + b"\n"
    ),
    JSON_VALUES.map(_line),
    st.dictionaries(KEYS, JSON_VALUES).map(_line),
)


def _accepted(line: bytes) -> bool | None:
    """Whether the request schema accepts the line (None: a blank line, no answer)."""
    text = line.removesuffix(b"\n").removesuffix(b"\r")
    if not text.strip(b" \t\r"):
        return None
    if len(text) > MAX_LINE_BYTES:
        return False
    try:
        data = json.loads(text.decode("utf-8"), object_pairs_hook=_unique)
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # lone surrogates
    except (ValueError, RecursionError, UnicodeError):
        return False
    return REQUESTS.is_valid(data) and isinstance(data, dict) and type(data.get("id")) is not float


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) < len(pairs):
        raise ValueError("a key twice")
    return dict(pairs)


# ---- probes


def _check(line: bytes, answer: dict[str, Any]) -> None:
    COUNTS["tried"] += 1
    errors = sorted(RESPONSES.iter_errors(answer), key=str)
    assert not errors, errors[0].message
    decode_response(json.dumps(answer, ensure_ascii=False))  # the view, against its schema
    accepted = _accepted(line)
    kind = None if answer["ok"] else answer["error"]["kind"]
    if accepted:
        assert kind != "internal", (line[:300], answer)
    else:
        assert kind == "bad_request", (line[:300], answer)
    COUNTS["held"] += 1
    COUNTS[f"answered {kind or 'ok'}"] += 1


def _batch(served: Served, lines: list[bytes]) -> None:
    answers = served.send(lines)
    answered = [line for line in lines if _accepted(line) is not None]
    COUNTS["blank lines"] += len(lines) - len(answered)
    assert len(answers) == len(answered), (len(answers), len(answered))
    for line, answer in zip(answered, answers, strict=True):
        _check(line, answer)
    assert served.process.poll() is None, served.tail()


def _session(served: Served, data: st.DataObject, fixture: Any, steps: int) -> None:
    served.sync()
    # A known state first: a fixture that is refused leaves the app as it was.
    (known,) = served.send([_line({"id": "start", "op": "reset", "fixture": {}})])
    assert known["ok"] is True
    (answer,) = served.send([_line({"id": "reset", "op": "reset", "fixture": fixture})])
    _check(_line({"id": "reset", "op": "reset", "fixture": fixture}), answer)
    COUNTS["sessions"] += 1
    view = answer.get("view") or {"elements": [], "fields": {}}
    for step in range(steps):
        op, args = data.draw(_operation(view))
        line = _line({"id": step, "op": op, **args})
        (answer,) = served.send([line])
        _check(line, answer)
        view = answer.get("view") or view
    lines = data.draw(st.lists(st.one_of(BLANK, BOUNDARY, HOSTILE), min_size=1, max_size=6))
    _batch(served, lines)


_QUICK = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_LONG = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class TestFuzzServe:
    @_QUICK
    @given(fixture=FIXTURES, data=st.data())
    def test_sessions_and_hostile_lines(self, served: Served, fixture: Any, data: Any) -> None:
        _session(served, data, fixture, steps=6)

    def test_every_boundary_at_least_once(self, served: Served) -> None:
        lines = [
            _padded(MAX_LINE_BYTES, b"\n"), _padded(MAX_LINE_BYTES, b"\r\n"),
            _padded(MAX_LINE_BYTES + 1, b"\n"), _nested(984, "target"), _nested(10**5, "fixture"),
            _huge(MAX_LINE_BYTES + 10, "value"), b"\xff\n", b"\n", b" \r\n",
            _line({"id": "i" * 256, "op": "observe"}), _line({"id": "i" * 257, "op": "observe"}),
        ]  # fmt: skip
        _batch(served, lines)

    @pytest.mark.slow
    @_LONG
    @given(fixture=FIXTURES, data=st.data())
    def test_sessions_and_hostile_lines_long(self, served: Served, fixture: Any, data: Any) -> None:
        _session(served, data, fixture, steps=20)


def teardown_module() -> None:
    answered = ", ".join(f"{n} {k}" for k, n in sorted(COUNTS.items()) if k.startswith("answered"))
    print(
        f"\nserve fuzzer: {COUNTS['tried']} probes tried, {COUNTS['held']} held "
        f"({answered}; {COUNTS['blank lines']} blank lines unanswered); "
        f"{COUNTS['sessions']} sessions"
    )
