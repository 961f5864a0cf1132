"""The features together exercise every code of the error catalogue (spec/errors.yaml, 4.3).

A code counts when a step of a scenario (outline rows expanded, background included) checks
it with 「エラー「{code}」が表示される」; the message without a code (OTHER-APP) counts when
「エラーコードのないエラー「{message}」が表示される」 names its catalogue message.
"""

from __future__ import annotations

from collections import Counter

import pytest
from repo_paths import REPO_ROOT

from harness.scenarios.feature import Feature
from harness.scenarios.gherkin import load_features
from harness.vocabulary.phrases import PHRASES, Phrase, match_step
from statechart.model import Spec

FEATURES = REPO_ROOT / "features"
CODELESS = "OTHER-APP"
"""The catalogue's name for the message printed without a code."""

ERROR_PATTERN = "エラー「{code:Q}」が表示される"
CODELESS_PATTERN = "エラーコードのないエラー「{message:Q}」が表示される"


def _phrase(pattern: str) -> Phrase:
    found = [p for p in PHRASES if p.kind == "then" and p.pattern == pattern]
    assert len(found) == 1, f"the step library has no single phrase {pattern!r}"
    return found[0]


@pytest.fixture(scope="module")
def features(spec: Spec) -> tuple[Feature, ...]:
    return load_features([FEATURES], spec)


def checked_codes(features: tuple[Feature, ...], spec: Spec) -> Counter[str]:
    """How many expanded scenarios check each code (a scenario counts a code once)."""
    error, codeless = _phrase(ERROR_PATTERN), _phrase(CODELESS_PATTERN)
    codeless_codes = {
        message: entry.code
        for entry in spec.errors
        if entry.code == CODELESS
        for message in (entry.message, *(v.message for v in entry.variants))
    }
    counts: Counter[str] = Counter()
    for feature in features:
        for scenario in feature.scenarios:
            found: set[str] = set()
            for step in scenario.all_steps:
                matched = match_step(step.text, step.kind)
                if matched is None:
                    continue
                phrase, params = matched
                if phrase is error:
                    found.add(str(params["code"]))
                elif phrase is codeless:
                    message = str(params["message"])
                    assert message in codeless_codes, (
                        f"{scenario.location}: 「{message}」 is no codeless catalogue message"
                    )
                    found.add(codeless_codes[message])
            counts.update(found)
    return counts


def test_every_catalogue_code_is_checked_by_some_scenario(
    features: tuple[Feature, ...], spec: Spec
) -> None:
    catalogue = {entry.code for entry in spec.errors}
    checked = checked_codes(features, spec)
    missing = sorted(catalogue - set(checked))
    assert missing == [], f"catalogue codes no feature checks: {', '.join(missing)}"


def test_features_check_only_catalogue_codes(features: tuple[Feature, ...], spec: Spec) -> None:
    catalogue = {entry.code for entry in spec.errors}
    unknown = sorted(set(checked_codes(features, spec)) - catalogue)
    assert unknown == [], f"features check codes the catalogue lacks: {', '.join(unknown)}"


def test_the_codeless_message_is_checked_through_its_own_phrase(
    features: tuple[Feature, ...], spec: Spec
) -> None:
    error = _phrase(ERROR_PATTERN)
    by_code = [
        scenario.location
        for feature in features
        for scenario in feature.scenarios
        for step in scenario.all_steps
        if (matched := match_step(step.text, step.kind)) is not None
        and matched[0] is error
        and matched[1]["code"] == CODELESS
    ]
    assert by_code == [], f"write the codeless message with its phrase: {', '.join(by_code)}"
    assert checked_codes(features, spec)[CODELESS] > 0
