"""What the plugin's pytest_configure prepares: the spec (loaded and checked once per
process), the report folders (proved writable before anything runs) and the markers of
the spec's sections and assumptions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.reports.publish import ReportDirError, check_writable
from harness.run.options import RunOptions
from harness.scenarios.feature import SECTION_TAG, marker_name
from statechart.checks import check_spec
from statechart.loader import load_spec
from statechart.model import Spec
from statechart.problems import SpecInvalid

__all__ = ["loaded_spec", "prepare_outputs", "register_markers"]

_SPECS: dict[tuple[Path, tuple[tuple[str, int], ...]], Spec] = {}


def loaded_spec(spec_dir: Path) -> Spec:
    """The spec of a directory, loaded and checked once per process (conform runs pytest once
    per implementation; a spec file that changed is loaded again)."""
    stamp = tuple((path.name, path.stat().st_mtime_ns) for path in sorted(spec_dir.glob("*.yaml")))
    key = (spec_dir.resolve(), stamp)
    if key not in _SPECS:
        try:
            spec = load_spec(spec_dir)
            errors = [p for p in check_spec(spec) if p.is_error]
        except SpecInvalid as invalid:
            errors = list(invalid.problems)
        if errors:
            listed = "\n".join(problem.format() for problem in errors[:10])
            raise pytest.UsageError(
                f"the spec {spec_dir} is invalid ({len(errors)} problems); run "
                f"`otpspec validate {spec_dir}`:\n{listed}"
            )
        _SPECS.clear()
        _SPECS[key] = spec
    return _SPECS[key]


def prepare_outputs(config: pytest.Config, options: RunOptions) -> None:
    """Proves the report directory writable before anything runs, and makes the folder of
    pytest-bdd's Cucumber file (its writer does not)."""
    try:
        if options.report_dir is not None:
            check_writable(options.report_dir)
        cucumber = getattr(config.option, "cucumber_json_path", None)
        if cucumber:
            check_writable(Path(cucumber).expanduser().resolve().parent)
    except ReportDirError as error:
        raise pytest.UsageError(str(error)) from None


def register_markers(config: pytest.Config, spec: Spec) -> None:
    """Declares a marker per manual section and per assumption (and its `not-`), and the
    markers of the generated checks and the walks, so that `-m` selects by them."""
    for section in spec.sections:
        name = marker_name(f"{SECTION_TAG}{section.id}")
        config.addinivalue_line("markers", f"{name}: manual section {section.title}")
    for assumption in spec.assumptions:
        config.addinivalue_line("markers", f"{assumption.id}: rests on this assumption")
        config.addinivalue_line(
            "markers", f"not-{assumption.id}: holds by the manual whatever this assumption says"
        )
    config.addinivalue_line("markers", "generated: a check generated from the statechart")
    config.addinivalue_line("markers", "differential: walks beside the reference")
