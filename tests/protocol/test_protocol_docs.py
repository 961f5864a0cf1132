"""The worked session of docs/protocol.md stays well-formed and consistent with the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from protocol_fakes import FakeApp

from harness.protocol import ProtocolError, decode_response, handle_line, parse_request

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def _block(title: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"^{title}:\n\n```jsonl\n(.*?)\n```$", text, re.MULTILINE | re.DOTALL)
    assert found is not None, f"no ```jsonl block after {title}: in {DOC}"
    return found.group(1).splitlines()


def _pairs() -> list[tuple[str, str]]:
    requests, responses = _block("Requests"), _block("Responses")
    assert len(requests) == len(responses)
    return list(zip(requests, responses, strict=True))


@pytest.mark.parametrize(("request_line", "response_line"), _pairs())
def test_the_worked_session_is_consistent(request_line: str, response_line: str) -> None:
    response = decode_response(response_line)
    assert response.id == json.loads(request_line)["id"]
    try:
        parse_request(request_line)
    except ProtocolError:  # refused by the protocol layer: the message is the code's own
        assert handle_line(FakeApp(), request_line) == response_line


def test_every_failure_kind_is_documented() -> None:
    """The table of docs/protocol.md lists exactly the kinds an adapter raises."""
    from harness.adapters import FAILURE_KINDS
    from harness.adapters.base import BREAK_AFTER
    from harness.adapters.tree import MARK

    text = DOC.read_text(encoding="utf-8")
    section = text.split("### When an implementation's process breaks the protocol")[1]
    section = section.split("\n## ")[0]
    listed = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)
    assert listed == list(FAILURE_KINDS)
    assert f"`{MARK}`" in section
    assert {3: "three failures in a row"}[BREAK_AFTER] in section
