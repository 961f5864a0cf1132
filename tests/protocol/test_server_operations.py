"""The `server` op's operation names: one list, in the schemas, the reference and the docs.

Issue 12: a vendor could only find the names (`issue` for both 初期設定 and トークン追加, …)
by logging the harness's requests. Now the request schema's enum, the hello answer's
`operations`, the reference and docs/protocol.md's table must all agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from repo_paths import REPO_ROOT

from harness.vocabulary.when import OPERATION_NAMES
from statechart import server
from statechart.app import OPERATIONS, ReferenceApp
from statechart.model import Spec

SCHEMAS = REPO_ROOT / "spec" / "schemas"
DOC = (REPO_ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return data


def _doc_rows() -> dict[str, list[str]]:
    """The Server operations table: operation → its cells."""
    section = DOC.split("### Server operations", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \|(.*)\|$", section, flags=re.MULTILINE)
    return {op: [cell.strip() for cell in rest.split("|")] for op, rest in rows}


def test_the_request_schema_enum_is_the_reference_s_list() -> None:
    enum = _schema("protocol-request.schema.json")["$defs"]["server"]["properties"]["operation"]
    assert enum["enum"] == list(server.OPERATIONS) == list(OPERATIONS)


def test_the_hello_answer_may_list_them_and_the_reference_lists_all(spec: Spec) -> None:
    hello = _schema("protocol-response.schema.json")["$defs"]["hello_response"]
    assert hello["properties"]["operations"]["items"]["enum"] == list(OPERATIONS)
    assert "operations" not in hello["required"]
    assert ReferenceApp(spec).hello()["operations"] == list(OPERATIONS)


def test_the_docs_table_names_each_operation_once() -> None:
    assert list(_doc_rows()) == list(OPERATIONS)


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_the_docs_list_the_codes_the_statechart_lets_it_raise(spec: Spec, operation: str) -> None:
    listed = _doc_rows()[operation][-1].split(", ")
    assert listed == sorted(ReferenceApp(spec).injectable_codes()[operation])


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_the_docs_give_the_gherkin_names(operation: str) -> None:
    names = {n.strip() for n in _doc_rows()[operation][1].split(",")}
    assert names == {ja for ja, op in OPERATION_NAMES.items() if op == operation}
