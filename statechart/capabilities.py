"""Optional capabilities (spec/capabilities.yaml) and a vendor's declaration of them.

`load_capabilities` reads what an implementation may leave out and which checks each
governs; `load_declaration` reads a vendor's declaration (docs/declaration.md) against it
and the assumptions register. `Capability.governs` is the rule the harness applies to mark
a check "not applicable" when the capability is declared absent. Bad files are reported as
`SpecInvalid` with located problems, never a traceback.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from statechart.domain import demo_service
from statechart.loader import DEFAULT_SPEC_DIR
from statechart.model import Spec
from statechart.problems import JsonPath, Problem, SpecInvalid, format_json_path
from statechart.schema import schema_path, validate
from statechart.yamlio import LoadedYaml, load_yaml

__all__ = [
    "CAPABILITIES_FILE",
    "Capability",
    "Declaration",
    "DeclaredDeviation",
    "FixtureValue",
    "load_capabilities",
    "load_declaration",
    "rewrite_fixture",
]

CAPABILITIES_FILE: Final = DEFAULT_SPEC_DIR / "capabilities.yaml"
_ABSENT: Final = object()


@dataclass(frozen=True)
class FixtureValue:
    """A value at a dotted fixture path (`services[].pin`); `value` _ABSENT: only present."""

    fixture: str
    value: object = _ABSENT

    def matches(self, fixture: Mapping[str, Any]) -> bool:
        """Whether the fixture holds this value there (any element where the path has [])."""
        found = list(_values_at(fixture, self.fixture.split(".")))
        return bool(found) if self.value is _ABSENT else any(v == self.value for v in found)


def _values_at(data: object, steps: list[str]) -> Iterator[object]:
    if not steps:
        yield data
        return
    step, rest = steps[0], steps[1:]
    key, every = step.removesuffix("[]"), step.endswith("[]")
    if not isinstance(data, Mapping) or key not in data:
        return
    value = data[key]
    if every:
        for item in value if isinstance(value, list) else []:
            yield from _values_at(item, rest)
    else:
        yield from _values_at(value, rest)


@dataclass(frozen=True)
class Capability:
    """One optional capability and the checks it governs (spec/capabilities.yaml)."""

    id: str
    title: str
    source: str
    why: str
    sections: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    ops: tuple[str, ...] = ()
    needs: tuple[FixtureValue, ...] = ()
    without: tuple[FixtureValue, ...] = ()

    def governs(
        self,
        *,
        sections: Iterable[str] = (),
        states: Iterable[str] = (),
        ops: Iterable[str] = (),
        fixture: Mapping[str, Any] | None = None,
    ) -> bool:
        """Whether a check needs this capability (it is not applicable without it).

        Args:
            sections: The check's manual sections (a scenario's @section tags).
            states: The state paths the check enters.
            ops: The requests it sends, as `op` or `op:argument` (`key:back`).
            fixture: The fixture it starts from.
        """
        if any(_within(s, mine) for s in sections for mine in self.sections):
            return True
        if any(_within(p, mine) for p in states for mine in self.states):
            return True
        sent = set(ops)
        if any(op in sent for op in self.ops):
            return True
        return fixture is not None and any(need.matches(fixture) for need in self.needs)

    def rewrite(self, fixture: Mapping[str, Any]) -> dict[str, Any]:
        """The fixture as the manual's own case without this capability (its `without`).

        A path step with `[]` sets the value in every element there is (a service list
        stays as long as it is); a plain key is set, made if missing (`device.os`: the
        fixture's default platform may be the absent one). The fixture given is not changed.
        """
        rewritten = copy.deepcopy(dict(fixture))
        for value in self.without:
            steps = value.fixture.split(".")
            if steps[0] == "services[]" and "services" not in rewritten:
                # The default is the demo service (docs/fixture.md): written out when the
                # rewrite changes it (it offers 取引確認 and 生体認証ログイン).
                probe = {"services": [_demo_service()]}
                _set_at(probe, steps, value.value)
                if probe["services"] != [_demo_service()]:
                    rewritten["services"] = probe["services"]
                continue
            _set_at(rewritten, steps, value.value)
        return rewritten


def _demo_service() -> dict[str, Any]:
    service = dataclasses.asdict(demo_service())
    return {key: value for key, value in service.items() if value is not None}


def _set_at(data: dict[str, Any], steps: list[str], value: object) -> None:
    step, rest = steps[0], steps[1:]
    key, every = step.removesuffix("[]"), step.endswith("[]")
    if every:
        items = data.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and rest:
                _set_at(item, rest, value)
        return
    if not rest:
        data[key] = value
        return
    inner = data.get(key)
    if inner is None:
        inner = data[key] = {}
    if isinstance(inner, dict):
        _set_at(inner, rest, value)


def rewrite_fixture(
    fixture: Mapping[str, Any], capabilities: Iterable[Capability]
) -> dict[str, Any]:
    """The fixture with every given (absent) capability's `without` applied, in order."""
    rewritten = dict(fixture)
    for capability in capabilities:
        rewritten = capability.rewrite(rewritten)
    return rewritten


def _within(item: str, root: str) -> bool:
    return item == root or item.startswith(root + ".")


@dataclass(frozen=True)
class DeclaredDeviation:
    """A deviation a vendor accepts: the assumption it decides otherwise, and why."""

    assumption: str
    reason: str
    instead: str = ""


@dataclass(frozen=True)
class Declaration:
    """A vendor's declaration (docs/declaration.md)."""

    name: str
    version: str
    offered: Mapping[str, bool] = field(default_factory=dict)
    deviations: tuple[DeclaredDeviation, ...] = ()

    def offers(self, capability: str) -> bool:
        """Whether the implementation offers a capability (one not declared is offered)."""
        return self.offered.get(capability, True)


def _load(path: Path, kind: str) -> LoadedYaml:
    loaded = load_yaml(path, str(path))
    problems = list(loaded.problems)
    if loaded.data is not None:
        problems += validate(loaded.data, kind, loaded)
    if problems:
        raise SpecInvalid(problems)
    return loaded


def _problem(loaded: LoadedYaml, path: JsonPath, message: str, hint: str) -> Problem:
    return Problem(loaded.locate(path), format_json_path(path), message, hint)


def _fixture_values(items: object) -> tuple[FixtureValue, ...]:
    listed = items if isinstance(items, list) else []
    return tuple(FixtureValue(str(i["fixture"]), i.get("value", _ABSENT)) for i in listed)


def _request_ops() -> frozenset[str]:
    schema = json.loads(schema_path("protocol-request").read_text(encoding="utf-8"))
    return frozenset(schema["properties"]["op"]["enum"])


def _cross_check(loaded: LoadedYaml, spec: Spec) -> Iterator[Problem]:
    sections, ops = spec.section_ids(), _request_ops()
    seen: set[str] = set()
    for index, raw in enumerate(_items(loaded.data, "capabilities")):
        at: JsonPath = ("capabilities", index)
        if raw["id"] in seen:
            yield _problem(loaded, (*at, "id"), f"capability {raw['id']!r} twice", "rename one")
        seen.add(raw["id"])
        for n, section in enumerate(raw["sections"]):
            if section not in sections:
                yield _problem(loaded, (*at, "sections", n), f"no section {section!r}", "")
        for n, state in enumerate(raw["states"]):
            if not spec.statechart.has_state(state):
                yield _problem(loaded, (*at, "states", n), f"no state {state!r}", "")
        for n, op in enumerate(raw.get("ops", [])):
            if op.split(":")[0] not in ops:
                yield _problem(loaded, (*at, "ops", n), f"no protocol op {op!r}", "")


def _items(data: object, key: str) -> list[dict[str, Any]]:
    value = data.get(key, []) if isinstance(data, dict) else []
    return [item for item in value if isinstance(item, dict)]


def load_capabilities(spec: Spec, path: Path = CAPABILITIES_FILE) -> tuple[Capability, ...]:
    """Reads spec/capabilities.yaml and checks its sections, states and ops exist.

    Raises:
        SpecInvalid: The file breaks its schema or names something that does not exist.
    """
    loaded = _load(path, "capabilities")
    problems = list(_cross_check(loaded, spec))
    if problems:
        raise SpecInvalid(problems)
    return tuple(
        Capability(
            id=raw["id"],
            title=raw["title"],
            source=raw["source"],
            why=raw["why"],
            sections=tuple(raw["sections"]),
            states=tuple(raw["states"]),
            ops=tuple(raw.get("ops", [])),
            needs=_fixture_values(raw.get("needs")),
            without=_fixture_values(raw.get("without")),
        )
        for raw in _items(loaded.data, "capabilities")
    )


def load_declaration(path: Path, spec: Spec) -> Declaration:
    """Reads a vendor declaration (YAML or JSON) and checks its assumption ids.

    The schema's enum already holds the capability ids of spec/capabilities.yaml (a test
    ties the two).

    Raises:
        SpecInvalid: The file breaks declaration.schema.json, or declares a deviation from an
            assumption the register does not have, or one twice.
    """
    loaded = _load(path, "declaration")
    data: dict[str, Any] = loaded.data or {}
    register = spec.assumption_ids()
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, raw in enumerate(_items(data, "deviations")):
        at: JsonPath = ("deviations", index, "assumption")
        ident = raw["assumption"]
        if ident not in register:
            problems.append(_problem(loaded, at, f"{ident} is not in spec/assumptions.yaml", ""))
        if ident in seen:
            problems.append(_problem(loaded, at, f"{ident} is declared twice", "merge them"))
        seen.add(ident)
    if problems:
        raise SpecInvalid(problems)
    implementation = data["implementation"]
    return Declaration(
        name=implementation["name"],
        version=implementation.get("version", ""),
        offered=dict(data.get("capabilities", {})),
        deviations=tuple(
            DeclaredDeviation(d["assumption"], d["reason"], d.get("instead", ""))
            for d in _items(data, "deviations")
        ),
    )
