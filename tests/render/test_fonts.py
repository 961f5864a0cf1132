"""Japanese in the PNGs: a Japanese font is chosen, covers every label, and is not tofu."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.diagrams import draw as diagrams
from harness.diagrams.draw import render_dot
from harness.diagrams.fonts import FONT, FONT_PACKAGE, FontReport, font_check, font_covers
from statechart.model import Spec


def test_font_check_finds_a_japanese_font() -> None:
    report = font_check()
    assert report.ok, report.message()
    assert report.matched in report.japanese


def test_the_font_has_a_glyph_for_every_label_character(minimal_spec: Spec) -> None:
    sources = diagrams.build_diagrams(minimal_spec)
    assert font_covers("".join(sources.values()))
    assert not font_covers("設定", "DejaVu Sans")


def _tiny(label: str) -> str:
    return f'digraph {{ node [fontname="{FONT}" shape=box]; a [label="{label}"]; }}\n'


def test_a_japanese_label_is_not_tofu(tmp_path: Path) -> None:
    real = render_dot(_tiny("設定メニュー"), tmp_path, "real", ("png",))[1].read_bytes()
    tofu = render_dot(_tiny("\ue000\ue001\ue002\ue003\ue004\ue005"), tmp_path, "tofu", ("png",))
    assert real.startswith(b"\x89PNG")
    assert real != tofu[1].read_bytes()


def test_missing_font_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, minimal_spec: Spec, tmp_path: Path
) -> None:
    monkeypatch.setattr(diagrams, "font_check", lambda: FontReport(FONT, "DejaVu Sans", ()))
    with pytest.raises(diagrams.FontMissing, match=FONT_PACKAGE):
        diagrams.render_all(minimal_spec, tmp_path)
    assert not list(tmp_path.iterdir())
