"""Tests of statechart.loader."""

from __future__ import annotations

from pathlib import Path

import pytest
from repo_paths import REPO_ROOT
from spec_helpers import SpecCopy

from statechart.loader import DEFAULT_SPEC_DIR, load_spec, spec_file_name
from statechart.problems import SpecInvalid


def _messages(spec_dir: Path) -> list[str]:
    with pytest.raises(SpecInvalid) as raised:
        load_spec(spec_dir)
    return [problem.message for problem in raised.value.problems]


class TestSpecFileName:
    def test_name(self) -> None:
        assert spec_file_name("statechart") == "statechart.yaml"


class TestLoadSpec:
    def test_default_dir_is_the_shipped_spec(self) -> None:
        # Package data of statechart.spec; an editable install maps it to the checkout's spec/.
        assert DEFAULT_SPEC_DIR.resolve() == (REPO_ROOT / "spec").resolve()
        assert (DEFAULT_SPEC_DIR / "statechart.yaml").is_file()

    def test_loads_the_minimal_spec(self, minimal_dir: Path) -> None:
        spec = load_spec(minimal_dir)
        assert spec.statechart.initial == "closed"
        assert spec.rules.value("version") == "4.1.0"
        assert spec.rules.value("suffix") == {"first": 2, "pattern": "_{n}"}
        assert spec.rules.inputs["pin"].max == 8
        assert spec.error_codes() == {"A913"}

    def test_templates_are_instantiated(self, minimal_dir: Path) -> None:
        chart = load_spec(minimal_dir).statechart
        dialog = chart.state("running.otp.exit_confirm")
        assert dialog.template == "exit_confirm"
        assert dialog.parent == "running.otp"
        assert "running.otp.exit_confirm" in chart.state("running.otp").children
        assert dialog.origin.path == ("statechart", "templates", "exit_confirm")

    def test_problems_of_all_files_are_collected(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            ("rules.yaml", "max_tokens: 10", "max_tokens: ten"),
            ("sections.yaml", "in_scope: false", "in_scope: no_idea"),
        )
        with pytest.raises(SpecInvalid) as raised:
            load_spec(spec_dir)
        files = {Path(problem.location.file).name for problem in raised.value.problems}
        assert files == {"rules.yaml", "sections.yaml"}

    def test_missing_file(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy()
        (spec_dir / "errors.yaml").unlink()
        assert any("cannot read the file" in m for m in _messages(spec_dir))

    def test_missing_directory(self, tmp_path: Path) -> None:
        assert _messages(tmp_path / "nowhere") == ["the spec directory does not exist"]

    def test_duplicate_sibling_ids(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(("statechart.yaml", "- id: about", "- id: otp"))
        assert _messages(spec_dir) == ["running has two children with id 'otp'"]

    def test_template_cycle(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(
            (
                "statechart.yaml",
                "      text: 終了しますか？\n",
                "      text: 終了しますか？\n      dialogs: [exit_confirm]\n",
            ),
        )
        assert _messages(spec_dir) == ["template 'exit_confirm' includes itself"]

    def test_duplicate_section_ids(self, spec_copy: SpecCopy) -> None:
        spec_dir = spec_copy(("sections.yaml", 'id: "1.2"', 'id: "2.1"'))
        assert _messages(spec_dir) == ["section id '2.1' appears twice"]
