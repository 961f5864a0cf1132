"""How a step ends when it does not pass: an expectation missed, a step that cannot be
carried out as written, or a request the implementation refused."""

from __future__ import annotations

__all__ = ["Refused", "StepError", "StepFailed"]


class StepFailed(Exception):
    """An expectation that the observed view does not meet."""

    def __init__(self, expected: str, observed: str) -> None:
        super().__init__(f"期待: {expected} / 観測: {observed}")
        self.expected = expected
        self.observed = observed


class StepError(Exception):
    """A step that cannot be carried out as written: 前提 that contradict each other, a
    fixture the implementation cannot take, a name the spec does not know."""


class Refused(Exception):
    """The implementation refused a request `op` (kind `not_found`, `unsupported`, …)."""

    def __init__(self, kind: str, message: str, op: str = "") -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.op = op
