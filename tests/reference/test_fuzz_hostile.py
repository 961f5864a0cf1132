"""A fuzzer of the reference app: hostile fixtures and operations, at its own API.

Each probe is one call of a `ReferenceApp` operation. It holds when the call returns a view
valid against spec/schemas/view.schema.json, or raises `AppError` with a known kind and a
one-line message and leaves the view as it was; any other exception fails. Fixtures mix
valid, boundary and hostile values (the fixture schema's enums and bounds); operations
include the clock's extremes and arguments no schema would pass.

The default suite runs a quick version; `pytest -m slow` (tox -e slow) the long one. Run
with `-s` to see how many probes were tried and held.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from statechart.app import OPERATIONS, AppError, ReferenceApp
from statechart.clock import JST
from statechart.domain import MAX_SKEW_SECONDS, MAX_TEXT_LENGTH
from statechart.loader import load_spec

SCHEMAS = Path(__file__).resolve().parents[2] / "spec" / "schemas"
FIXTURE = json.loads((SCHEMAS / "fixture.schema.json").read_text(encoding="utf-8"))
VIEWS = Draft202012Validator(json.loads((SCHEMAS / "view.schema.json").read_text("utf-8")))
REQUESTS = Draft202012Validator(
    json.loads((SCHEMAS / "protocol-request.schema.json").read_text("utf-8"))
)
KINDS = frozenset({"bad_request", "not_found", "unsupported"})
MIB = 1024 * 1024
COUNTS: Counter[str] = Counter()

# ---- values: valid, at a bound, hostile -----------------------------------------------

TEXTS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24),
    st.sampled_from(["", "1234", "12345678", "1" * 32, "1" * 33, "１２３４", "a\nb", "\u2028"]),
    st.sampled_from([MAX_TEXT_LENGTH, MAX_TEXT_LENGTH + 1]).map(lambda n: "\u2028" * n),
)
INSTANTS = st.one_of(
    st.sampled_from(
        [
            "2026-04-01T09:00:00+09:00",
            "1971-01-01T00:00:00+09:00",
            "1971-01-01T00:59:59+09:00",
            "9899-12-31T23:59:59+09:00",
            "9899-12-31T23:59:59.999999+09:00",
            "1970-12-31T23:59:59+09:00",
            "9900-01-01T00:00:00+09:00",
            "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59-23:59",
            "1971-01-01T00:00:00+10:00",
            "2026-02-30T00:00:00Z",
            "2026-04-01",
            "yesterday",
        ]
    ),
    st.datetimes(timezones=st.timezones()).map(lambda at: at.isoformat()),
)
DATES = st.one_of(
    st.sampled_from(["1971-01-01", "9899-12-31", "1970-12-31", "9900-01-01", "0001-01-01"]),
    st.sampled_from(["9999-12-31", "2026-02-30", "2026/04/01"]),
    st.dates().map(lambda day: day.isoformat()),
)
SKEWS = st.one_of(
    st.integers(-4000, 4000),
    st.sampled_from([MAX_SKEW_SECONDS, -MAX_SKEW_SECONDS, MAX_SKEW_SECONDS + 1, -(10**12)]),
    st.integers(),
)
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.just("x" * 5000),
    st.just([[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]),
    st.dictionaries(TEXTS, st.integers(), max_size=3),
)
SERVICE_IDS = st.sampled_from(["MIRAI01", "S1", "S2"])
USER_IDS = st.sampled_from(["USER0001", "U1", "U2", "U3"])


def _enum(*path: str) -> st.SearchStrategy[Any]:
    node: Any = FIXTURE
    for step in path:
        node = node[step]
    return st.sampled_from(node["enum"])


def _some(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """An object with any of the keys, each drawn from its strategy."""
    return st.fixed_dictionaries({}, optional=fields)


DEVICE = _some(
    os=_enum("properties", "device", "properties", "os"),
    os_version=st.sampled_from(["6.0", "5.1", "9.0", "17.4", "1" * 32, "1" * 33]),
    biometrics=_enum("properties", "device", "properties", "biometrics"),
    memory_low=st.booleans(),
    skew_seconds=SKEWS,
)
SERVICE = st.fixed_dictionaries(
    {"service_id": SERVICE_IDS, "name": TEXTS},
    optional={
        "pin": st.booleans(),
        "transaction_confirmation": st.booleans(),
        "biometric_login": st.booleans(),
        "link": st.none() | TEXTS,
        "login_site": st.none() | TEXTS,
    },
)
ACCOUNT = st.fixed_dictionaries(
    {"service_id": SERVICE_IDS, "user_id": USER_IDS},
    optional={
        "activation_password": TEXTS,
        "state": _enum("$defs", "account", "properties", "state"),
        "issued": st.booleans(),
    },
)
TRANSACTION = st.fixed_dictionaries(
    {"transaction_id": st.sampled_from(["T1", "T2"]), "service_id": SERVICE_IDS,
     "user_id": USER_IDS},
    optional={"details": st.dictionaries(TEXTS, TEXTS, max_size=3),
              "state": _enum("$defs", "transaction", "properties", "state")},
)  # fmt: skip
TOKEN = st.fixed_dictionaries(
    {"service_id": SERVICE_IDS, "user_id": USER_IDS},
    optional={
        "expires": DATES,
        "start": DATES,
        "pin": st.none() | TEXTS,
        "suffix": TEXTS,
        "serial": st.sampled_from(["12345678", "1234567", "１２３４５６７８"]),
        "transaction_started": st.booleans(),
        "biometric_registered": st.booleans(),
        "biometric_mode": st.booleans(),
    },
)
APP = _some(
    privacy_policy_agreed=st.booleans(),
    app_lock_code=st.none() | TEXTS,
    tokens=st.lists(TOKEN, max_size=12),
    selected=st.none() | st.integers(-1, 11),
)
PLAUSIBLE = _some(
    now=INSTANTS,
    device=DEVICE,
    services=st.lists(SERVICE, max_size=3),
    accounts=st.lists(ACCOUNT, max_size=4),
    transactions=st.lists(TRANSACTION, max_size=3),
    online=st.booleans(),
    app=APP,
)


@st.composite
def _corrupted(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible fixture with one value somewhere replaced by a hostile one."""
    data = draw(PLAUSIBLE)
    node: Any = data
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        if isinstance(node[key], dict | list) and draw(st.booleans()):
            node = node[key]
            continue
        node[key] = draw(HOSTILE)
        break
    if isinstance(node, dict) and draw(st.booleans()):
        node[draw(TEXTS)] = draw(HOSTILE)
    return data


IN_RANGE = st.one_of(
    st.sampled_from(["1971-01-01T00:00:00+09:00", "9899-12-31T23:59:59+09:00"]),
    st.datetimes(datetime(1971, 1, 2), datetime(9899, 12, 30), timezones=st.just(JST)).map(
        datetime.isoformat
    ),
)
NEAR_SKEWS = st.integers(-4000, 4000) | st.sampled_from([-3601, 3601, 86400])
GOOD_TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@st.composite
def _coherent(draw: st.DrawFn) -> dict[str, Any]:
    """A fixture whose references hold, so that sessions reach the app's deeper screens."""
    services = draw(st.lists(SERVICE, min_size=1, max_size=3, unique_by=lambda s: s["service_id"]))
    for service in services:
        service["name"] = draw(GOOD_TEXTS)
        for key in ("link", "login_site"):
            service[key] = draw(st.none() | st.just(f"https://{service['service_id']}.example/"))
    pins = {s["service_id"] for s in services if s.get("pin")}
    pairs = st.tuples(st.sampled_from([s["service_id"] for s in services]), USER_IDS)
    tokens = [
        {"service_id": service_id, "user_id": user_id,
         **draw(_some(transaction_started=st.booleans(), biometric_registered=st.booleans(),
                      suffix=GOOD_TEXTS, expires=st.sampled_from(["2026-06-30", "9899-12-31"])))}
        for service_id, user_id in draw(st.lists(pairs, max_size=10, unique=True))
    ]  # fmt: skip
    for token in tokens:
        if token["service_id"] in pins:
            token["pin"] = draw(st.sampled_from(["1234", "12345678"]))
    transactions = [
        {"transaction_id": f"T{index + 1}", "service_id": token["service_id"],
         "user_id": token["user_id"], "details": {"金額": draw(GOOD_TEXTS)}}
        for index, token in enumerate(tokens[:2])
    ]  # fmt: skip
    app = {"privacy_policy_agreed": draw(st.booleans()), "tokens": tokens}
    app |= draw(_some(app_lock_code=st.sampled_from(["1234", "0" * 32])))
    return {
        "now": draw(IN_RANGE),
        "device": draw(_some(os=st.sampled_from(["android", "ios"]), skew_seconds=NEAR_SKEWS)),
        "services": services,
        "transactions": transactions,
        "online": draw(st.booleans() | st.just(True)),
        "app": app,
    }


# Half coherent (sessions that go deep), half anything from a fresh install to no object
# (one_of would flatten the two halves into six equal branches).
_ANYTHING = st.one_of(
    st.just({}), PLAUSIBLE, _corrupted(), HOSTILE, st.lists(st.integers(), max_size=2)
)
FIXTURES = st.booleans().flatmap(lambda deep: _coherent() if deep else _ANYTHING)

# ---- operations -----------------------------------------------------------------------

ADVANCES = st.one_of(
    st.integers(0, 86400 * 400),
    st.sampled_from([0, 1, 3155760000, 3155760000.5, -1, float("nan"), float("inf"), 1e300]),
    st.floats(min_value=0, max_value=3155760000),
)


@st.composite
def _operation(draw: st.DrawFn, view: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    op = draw(
        st.sampled_from(
            ["launch", "tap", "tap", "tap", "enter", "key", "observe", "clock", "clock",
             "network", "server", "notify", "biometric"]
        )
    )  # fmt: skip
    on_screen = st.sampled_from(view["elements"]) if view["elements"] else TEXTS
    fields = st.sampled_from(sorted(view["fields"])) if view["fields"] else TEXTS
    if op == "tap":
        return op, {"target": draw(on_screen | TEXTS)}
    if op == "enter":
        return op, {"field": draw(fields), "value": draw(TEXTS)}
    if op == "key":
        return op, {"key": draw(st.sampled_from(["back", "home", "menu"]))}
    if op == "clock":
        if draw(st.booleans()):
            return op, {"advance": draw(ADVANCES)}
        return op, {"set": draw(INSTANTS)}
    if op == "network":
        return op, {"online": draw(st.booleans())}
    if op == "server":
        operation = draw(st.sampled_from([*OPERATIONS, "nothing"]))
        return op, {"operation": operation, "code": draw(st.sampled_from(["S3B3", "A999", "X"]))}
    if op == "notify":
        return op, {"transaction": draw(st.sampled_from(["T1", "T2", "T9"]))}
    if op == "biometric":
        return op, {"result": draw(st.sampled_from(["success", "failure", "cancel", "maybe"]))}
    return op, {}


def _probe(app: ReferenceApp, op: str, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Runs one operation and checks that it held; returns the view after it and whether
    the operation was refused."""
    COUNTS["tried"] += 1
    before = app.observe()
    refused = False
    try:
        view = getattr(app, op)(**args)
    except AppError as refusal:
        assert refusal.kind in KINDS, refusal.kind
        assert refusal.message and len(refusal.message.splitlines()) == 1, refusal.message
        assert app.observe() == before, f"{op} {args} was refused but changed the view"
        COUNTS["refused"] += 1
        view, refused = before, True
    assert isinstance(view, dict)
    errors = sorted(VIEWS.iter_errors(view), key=str)
    assert not errors, errors[0].message
    if REQUESTS.is_valid({"id": 1, "op": op, **args}):
        # Within the protocol's bounds, every answer fits its 1 MiB line.
        assert len(json.dumps(view, ensure_ascii=True)) < MIB
    COUNTS["held"] += 1
    return view, refused


@cache
def _app() -> ReferenceApp:
    """One app for every example, reset each time, as the harness keeps one per run (not a
    test argument: hypothesis would print the whole spec with a failing example)."""
    return ReferenceApp(load_spec())


def _run(data: Any, fixture: Any, steps: int) -> None:
    """One session: a fixture, then operations drawn from what is on screen."""
    app = _app()
    # A known state to start from (not a probe: after a failing example, checking the view
    # before it could fail again and make the replay differ).
    app.reset({})
    view, refused = _probe(app, "reset", {"fixture": fixture})
    COUNTS["sessions"] += 1
    COUNTS["fixtures accepted"] += not refused
    for _ in range(steps):
        op, args = data.draw(_operation(view))
        view, _ = _probe(app, op, args)


_QUICK = settings(max_examples=60, deadline=None)
_LONG = settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestFuzzReference:
    @_QUICK
    @given(fixture=FIXTURES, data=st.data())
    def test_hostile_sessions(self, fixture: Any, data: Any) -> None:
        _run(data, fixture, steps=12)

    @pytest.mark.slow
    @_LONG
    @given(fixture=FIXTURES, data=st.data())
    def test_hostile_sessions_long(self, fixture: Any, data: Any) -> None:
        _run(data, fixture, steps=40)


def teardown_module() -> None:
    print(
        f"\nreference fuzzer: {COUNTS['tried']} probes tried, {COUNTS['held']} held "
        f"({COUNTS['refused']} of them refused with a known kind); {COUNTS['sessions']} "
        f"sessions, {COUNTS['fixtures accepted']} of their fixtures accepted"
    )
