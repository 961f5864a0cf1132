"""The Graphviz diagrams: stable ids, determinism, content, coverage colours, files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from harness.diagrams.draw import (
    build_diagrams,
    procedure_file_stem,
    procedure_sections,
    render_all,
    render_dot,
)
from harness.diagrams.labels import transition_id
from statechart.model import Spec

REPO = Path(__file__).resolve().parents[2]


def _screen_titles(spec: Spec) -> set[str]:
    return {s.title for s in spec.statechart.iter_states() if s.kind == "screen" and s.title}


def test_transition_id_is_owner_and_index(minimal_spec: Spec) -> None:
    chart = minimal_spec.statechart
    running = chart.state("running")
    assert transition_id(chart, running.transitions[1]) == "running#1"
    ids = [transition_id(chart, t) for s in chart.iter_states() for t in s.transitions]
    assert len(ids) == len(set(ids))


def test_dot_is_deterministic(shipped_spec: Spec) -> None:
    assert build_diagrams(shipped_spec) == build_diagrams(shipped_spec)


def test_dot_does_not_depend_on_hash_seed(minimal_spec: Spec) -> None:
    code = (
        "from tests.render.conftest import MINIMAL_DIR;"
        "from statechart.loader import load_spec;"
        "from harness.diagrams.draw import build_diagrams;"
        "import sys; sys.stdout.write(build_diagrams(load_spec(MINIMAL_DIR))['full'])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert other.stdout == build_diagrams(minimal_spec)["full"]


def test_every_screen_title_is_drawn(shipped_spec: Spec) -> None:
    sources = build_diagrams(shipped_spec)
    split = sources["overview"] + "".join(
        text for stem, text in sources.items() if stem.startswith("cluster-")
    )
    for title in _screen_titles(shipped_spec):
        assert f"「{title}」" in split, title
        assert f"「{title}」" in sources["full"], title


def test_overview_collapses_the_big_frames(shipped_spec: Spec) -> None:
    sources = build_diagrams(shipped_spec)
    overview = sources["overview"]
    assert "cluster_running" in overview
    assert "running.main._collapsed" in overview
    assert "cluster-main" in sources and "cluster-settings" in sources
    assert overview.count("バックキー (各画面)") == 1
    assert "fontname=IPAPGothic" in overview and "newrank=true" in overview


def test_procedure_file_stems_are_ascii_and_stable() -> None:
    assert procedure_file_stem("3.9.1") == "procedure-3.9.1"
    japanese = procedure_file_stem("操作について(iPhone)")
    assert re.fullmatch(r"procedure-iPhone-[0-9a-f]{8}", japanese)
    assert japanese == procedure_file_stem("操作について(iPhone)")
    assert re.fullmatch(r"procedure-[0-9a-f]{8}", procedure_file_stem("ディスプレイの見かた"))


def test_every_procedure_gets_a_file(shipped_spec: Spec, tmp_path: Path) -> None:
    written = render_all(shipped_spec, tmp_path, formats=())
    names = {path.name for path in written}
    sections = procedure_sections(shipped_spec)
    assert sections
    for section in sections:
        stem = procedure_file_stem(section.id)
        assert f"{stem}.dot" in names
        text = (tmp_path / f"{stem}.dot").read_text(encoding="utf-8")
        assert section.title in text
        assert "#1565c0" in text or "#0d47a1" in text
    assert {"overview.dot", "full.dot", "index.md"} <= names


def _edge_line(dot: str, tid: str) -> str:
    lines = [line for line in dot.splitlines() if f'tooltip="{tid} ' in line and "->" in line]
    assert len(lines) == 1, tid
    return lines[0]


def test_coverage_colours(minimal_spec: Spec) -> None:
    coverage = {"closed#0": "covered", "running#1": "failing"}
    dot = build_diagrams(minimal_spec, coverage)["coverage"]
    assert 'color="#2e7d32"' in _edge_line(dot, "closed#0")
    failing = _edge_line(dot, "running#1")
    assert 'color="#c62828"' in failing and "style=bold" in failing
    never = _edge_line(dot, "running.pin_entry#1")
    assert 'color="#9e9e9e"' in never and "style=dashed" in never
    assert "_legend" in dot


def test_overview_renders(shipped_spec: Spec, tmp_path: Path) -> None:
    paths = render_dot(build_diagrams(shipped_spec)["overview"], tmp_path, "overview")
    assert [path.name for path in paths] == ["overview.dot", "overview.svg", "overview.png"]
    assert paths[2].read_bytes().startswith(b"\x89PNG")
    assert "「設定メニュー」" not in paths[1].read_text(encoding="utf-8")  # collapsed
    assert "「初期設定」" in paths[1].read_text(encoding="utf-8")
