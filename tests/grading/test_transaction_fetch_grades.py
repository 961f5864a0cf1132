"""Where a fetch of transactions leads rests on the register, not the manual: an implementation
that goes elsewhere deviates (ASM-075, ASM-052), it does not fail.

4.3 lists the codes of fetching but not where they show, and the manual does not name the
screen that says 「現在認証対象のお取引がありません～」. Two plausible implementations, each a
mutant of the reference made here, are run through the generated checks that take the
transition at stake: one shows a fetch's error over the screen the fetch started from (as
ASM-021 has it for every other error), one stays on 「ワンタイムパスワード」 when nothing
awaits confirmation. Both were graded `fail` before the spec marked these targets `assumed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from grading_helpers import first_failure, mutant

from harness.generation.checks import GeneratedSet, generate_checks
from harness.mutants.edit import edit_transitions
from statechart.model import Spec, Transition

FETCHING = "running.main.transaction.fetching"


@pytest.fixture(scope="module")
def generated(spec: Spec) -> GeneratedSet:
    return generate_checks(spec)


def _retarget(old: str, new: str) -> Callable[[Spec], Spec]:
    def edit(spec: Spec) -> Spec:
        def one(transition: Transition) -> Transition:
            return replace(transition, target=new) if transition.target == old else transition

        return edit_transitions(spec, FETCHING, one)

    return edit


CASES = {
    "error over the screen it started from": (
        f"{FETCHING}#0",
        "running.main.transaction_started.error",
        "running.main.transaction.error",
        "ASM-075",
    ),
    "nothing to confirm: stays on the password screen": (
        f"{FETCHING}#2",
        "running.main.transaction_started",
        "running.main.otp",
        "ASM-052",
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_another_screen_after_a_fetch_is_a_deviation(
    spec: Spec, generated: GeneratedSet, case: tuple[str, str, str, str]
) -> None:
    tid, old, new, assumption = case
    impl = mutant(spec, f"fetch_to_{new}", apply=_retarget(old, new))
    checks = tuple(check for check in generated.checks if tid in check.covers)
    assert checks, f"no generated check takes {tid}"
    failed = first_failure(impl, checks)
    assert failed.field == "screen.title"
    assert failed.grounds.verdict == "deviation"
    assert assumption in failed.grounds.assumptions
