"""Graded verdicts: what a broken expectation rests on (docs/grading.md).

`difference_grounds` grades a difference a generated check or differential walk found;
`step_grounds` grades a failing feature step. Both read the spec's trace of the step
(`StepTrace`) and return `Grounds`: the manual sections to name and the assumption ids that
make the failure a deviation.
"""

from __future__ import annotations

from harness.grading.features import expectation_kind, step_grounds
from harness.grading.grounds import Grounds, gather, related_sections
from harness.grading.trace import Difference, StepTrace
from harness.grading.views import difference_grounds

__all__ = [
    "Difference",
    "Grounds",
    "StepTrace",
    "difference_grounds",
    "expectation_kind",
    "gather",
    "related_sections",
    "step_grounds",
]
